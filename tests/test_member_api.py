"""/api/v1/me: a member's own data and tokens, and nobody else's."""
from types import SimpleNamespace

import pytest

from server.extensions import db
from server.keys import publishing
from server.models import AuditEntry, Member, PasskeyCredential
from server.register import members
from server.token_core import Status


@pytest.fixture
def ids(app):
    """The demo members' ids, by name (insertion order is the database's business)."""
    with app.app_context():
        by_name = {m.name: m.id for m in db.session.scalars(db.select(Member))}
    return SimpleNamespace(taro=by_name["𠮷田 太郎"], hanako=by_name["𠮷田 花子"],
                           hina=by_name["𠮷田 陽菜"], kazuo=by_name["髙橋 和夫"])


def test_signed_out_gets_401(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401 and response.get_json()["error"] == "signed_out"
    assert client.get("/api/v1/me/token").status_code == 401


def test_me_lists_self_then_dependents(client, as_member, ids):
    as_member(ids.taro)
    response = client.get("/api/v1/me")
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body["member"]["name"] == "𠮷田 太郎" and body["member"]["self"] is True
    assert [m["name"] for m in body["members"]] == ["𠮷田 太郎", "𠮷田 花子", "𠮷田 陽菜"]
    assert body["member"]["mynumber_last4"] == "4821"
    assert body["member"]["insurer_name"] == "資格パス健康保険組合（デモ）"


def test_a_dependent_sees_only_their_own(client, as_member, ids):
    as_member(ids.hanako)
    body = client.get("/api/v1/me").get_json()
    assert [m["name"] for m in body["members"]] == ["𠮷田 花子"]
    assert client.get(f"/api/v1/me/token?member={ids.taro}").status_code == 404
    assert client.get(f"/api/v1/me/token?member={ids.hina}").status_code == 404


@pytest.mark.parametrize("other", ["kazuo", 999])
def test_member_a_cannot_read_member_b(client, as_member, other, ids):
    other = ids.kazuo if other == "kazuo" else other
    as_member(ids.taro)
    response = client.get(f"/api/v1/me/token?member={other}")
    assert response.status_code == 404
    assert "髙橋" not in response.get_data(as_text=True)
    assert client.post("/api/v1/me/consent", json={"member": other, "consent": False},
                       headers={"X-CSRFToken": as_member(ids.taro)}).status_code == 404


def test_token_for_self_and_dependent_verifies(client, as_member, app, clock, ids):
    as_member(ids.taro)
    for member_id, name in ((ids.taro, "𠮷田 太郎"), (ids.hina, "𠮷田 陽菜")):
        body = client.get(f"/api/v1/me/token?member={member_id}").get_json()
        assert body["member_id"] == member_id and "svg" not in body   # the phone draws the QR
        with app.app_context():
            result = publishing.verify_now(body["text"], now=clock.now)
        assert result.status is Status.VALID and result.claims.name == name


def test_consent_switch_controls_the_limit_category(client, as_member, app, ids):
    token = as_member(ids.kazuo)
    assert client.get("/api/v1/me/token").get_json()["claims"]["limit_category"] == "B04"
    off = client.post("/api/v1/me/consent", json={"member": ids.kazuo, "consent": False},
                      headers={"X-CSRFToken": token})
    assert off.status_code == 200 and off.get_json()["limit_consent"] is False
    assert client.get("/api/v1/me/token").get_json()["claims"]["limit_category"] is None
    client.post("/api/v1/me/consent", json={"member": ids.kazuo, "consent": True},
                headers={"X-CSRFToken": token})
    assert client.get("/api/v1/me/token").get_json()["claims"]["limit_category"] == "B04"
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "member.consent")) == 2


def test_consent_needs_csrf(client, as_member, ids):
    as_member(ids.kazuo)
    assert client.post("/api/v1/me/consent", json={"member": ids.kazuo, "consent": False}).status_code == 400


def test_after_a_loss_no_token_is_issued(client, as_member, app, clock, ids):
    as_member(ids.taro)
    with app.app_context():
        from server.clock import today
        members.record_loss(db.session.get(Member, ids.taro), today(), "retirement")
    assert client.get("/api/v1/me").status_code == 401     # a loss signs every device out
    as_member(ids.taro)                                    # signed in again with a passkey
    body = client.get("/api/v1/me").get_json()
    assert body["member"]["eligible"] is False and body["member"]["lost_on"]
    response = client.get("/api/v1/me/token")
    assert response.status_code == 409 and response.get_json()["error"] == "not_eligible"
    assert "text" not in response.get_json()


def test_the_last_passkey_is_removed_only_with_confirmation(client, as_member, app, clock, ids):
    token = as_member(ids.taro)
    with app.app_context():
        key = PasskeyCredential(owner_type="member", owner_id=ids.taro, credential_id=b"c1",
                                public_key=b"k", created_at=clock.now)
        db.session.add(key)
        db.session.commit()
        key_id = key.id
    url = f"/api/v1/me/passkeys/{key_id}/delete"
    refused = client.post(url, json={}, headers={"X-CSRFToken": token})
    assert refused.status_code == 409 and refused.get_json()["error"] == "last_passkey"
    assert client.post(url, json={"confirm": True}, headers={"X-CSRFToken": token}).status_code == 200
    assert client.get("/api/v1/me").get_json()["passkeys"] == []


def test_a_member_cannot_delete_someone_elses_passkey(client, as_member, app, clock, ids):
    with app.app_context():
        key = PasskeyCredential(owner_type="member", owner_id=ids.kazuo, credential_id=b"c2",
                                public_key=b"k", created_at=clock.now)
        db.session.add(key)
        db.session.commit()
        key_id = key.id
    token = as_member(ids.taro)
    response = client.post(f"/api/v1/me/passkeys/{key_id}/delete", json={"confirm": True},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 404


def test_wrong_activation_answers_are_generic_and_rate_limited(client, app):
    """An unknown code answers as a real one with a wrong birth date: the tries left, then
    locked; different codes from one address are rate-limited."""
    token = client.get("/api/v1/csrf").get_json()["csrf_token"]
    limit = app.config["ACTIVATION_MAX_ATTEMPTS"]
    answers = [client.post("/auth/member/activate/options", headers={"X-CSRFToken": token},
                           json={"code": "0000-0000-0000-0000-0000", "birth_date": "1980-05-15", "pin": "246810"})
               for _ in range(limit + 1)]
    assert [r.get_json().get("attempts_left") for r in answers[:limit]] == list(range(limit - 1, -1, -1))
    assert {r.get_json()["error"] for r in answers[:limit]} == {"invalid"}
    assert answers[limit].status_code == 410 and answers[limit].get_json()["error"] == "locked"
    assert "insurer_phone" not in answers[limit].get_json()
    others = [client.post("/auth/member/activate/options", headers={"X-CSRFToken": token},
                          json={"code": f"{n:020d}", "birth_date": "1980-05-15", "pin": "246810"}) for n in range(1, 6)]
    assert others[-1].status_code == 429


def test_staff_session_gets_nothing_from_me(client, as_staff):
    as_staff("admin")
    assert client.get("/api/v1/me").status_code == 401
