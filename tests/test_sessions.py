"""Accounts that can be taken back: server-side sessions that sign-out, a deleted passkey, a
reissued notice, a loss, re-activation, "sign out everywhere" and an admin can end; single-use
ceremony challenges; a fresh passkey use before adding a passkey."""
import threading
from datetime import date

import pytest
from soft_passkey import SoftPasskey

from server.auth import sessions
from server.extensions import db
from server.models import AuthSession, Insurer, Member, Staff

COOKIE = "shikaku_session"


@pytest.fixture
def taro(app):
    with app.app_context():
        return db.session.scalar(db.select(Member.id).where(Member.name == "𠮷田 太郎"))


@pytest.fixture
def passkey(app, taro, clock):
    key = SoftPasskey()
    with app.app_context():
        key.register(db, "member", taro, clock.now)
    return key


def _csrf(client) -> str:
    return client.get("/api/v1/csrf").get_json()["csrf_token"]


def _post(client, path, body=None):
    return client.post(path, json=body or {}, headers={"X-CSRFToken": _csrf(client)})


def _sign_in(client, key):
    options = _post(client, "/auth/member/login/options").get_json()
    return _post(client, "/auth/member/login/verify", key.assertion(options))


def _copy(client, app):
    """Another browser holding a copy of ``client``'s cookie (a stolen cookie)."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, client.get_cookie(COOKIE).value)
    return thief


def _live(app, owner_type, owner_id) -> int:
    with app.app_context():
        return len(sessions.live(owner_type, owner_id))


# -- sign-in and sign-out -------------------------------------------------------------

def test_a_passkey_sign_in_starts_a_server_side_session(client, app, passkey, taro):
    assert _sign_in(client, passkey).status_code == 200
    assert client.get("/api/v1/me").status_code == 200
    assert _live(app, "member", taro) == 1
    cookie = app.session_interface.get_signing_serializer(app).loads(client.get_cookie(COOKIE).value)
    assert set(cookie) <= {"sid", "csrf_token", "_permanent"}      # a random token, no member id


def test_a_copied_cookie_stops_working_after_sign_out(client, app, passkey):
    _sign_in(client, passkey)
    thief = _copy(client, app)
    assert thief.get("/api/v1/me").status_code == 200
    assert _post(client, "/auth/member/logout").status_code == 200
    assert thief.get("/api/v1/me").status_code == 401
    assert _post(thief, "/auth/member/passkeys/options").status_code == 401   # cannot add his own


def test_sign_out_everywhere_ends_every_session_this_one_too(client, app, passkey, taro):
    _sign_in(client, passkey)
    other = app.test_client()
    _sign_in(other, passkey)
    body = client.get("/api/v1/me").get_json()
    assert len(body["sessions"]) == 2 and sum(s["current"] for s in body["sessions"]) == 1
    assert _post(client, "/api/v1/me/sessions/end-all").get_json()["ended"] == 2
    assert client.get("/api/v1/me").status_code == 401 and other.get("/api/v1/me").status_code == 401
    assert _live(app, "member", taro) == 0


def test_a_member_signs_out_one_device(client, app, passkey):
    _sign_in(client, passkey)
    other = app.test_client()
    _sign_in(other, passkey)
    theirs = next(s for s in client.get("/api/v1/me").get_json()["sessions"] if not s["current"])
    assert _post(client, f"/api/v1/me/sessions/{theirs['id']}/end").status_code == 200
    assert other.get("/api/v1/me").status_code == 401 and client.get("/api/v1/me").status_code == 200


# -- what ends all of a member's sessions -------------------------------------------------

def test_deleting_a_passkey_signs_out_the_other_devices(client, app, passkey, taro, clock):
    second = SoftPasskey()
    with app.app_context():
        second.register(db, "member", taro, clock.now)
    _sign_in(client, passkey)
    thief = app.test_client()
    _sign_in(thief, second)
    stolen_id = next(p["id"] for p in client.get("/api/v1/me").get_json()["passkeys"] if p["id"] > 0
                     and p["id"] != _passkey_id(app, passkey))
    assert _post(client, f"/api/v1/me/passkeys/{stolen_id}/delete").status_code == 200
    assert thief.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me").status_code == 200


def _passkey_id(app, key) -> int:
    from server.models import PasskeyCredential
    with app.app_context():
        return db.session.scalar(db.select(PasskeyCredential.id).where(
            PasskeyCredential.credential_id == key.credential_id))


def test_reissuing_the_notice_signs_out_every_device(client, app, passkey, taro):
    from server.documents import activation_codes
    _sign_in(client, passkey)
    thief = _copy(client, app)
    with app.app_context():
        activation_codes.issue(db.session.get(Member, taro))
    assert thief.get("/api/v1/me").status_code == 401 and client.get("/api/v1/me").status_code == 401


def test_a_loss_signs_out_the_member_and_the_dependents(client, app, as_member, taro):
    from server.register import members
    with app.app_context():
        hina = db.session.scalar(db.select(Member.id).where(Member.name == "𠮷田 陽菜"))
    as_member(hina)
    dependent = _copy(client, app)
    as_member(taro)
    with app.app_context():
        members.record_loss(db.session.get(Member, taro), date(2026, 11, 18), "retirement")
    assert client.get("/api/v1/me").status_code == 401
    assert dependent.get("/api/v1/me").status_code == 401


def test_re_activation_signs_out_whoever_held_the_account(client, app, as_member, taro):
    from server.documents import activation_codes
    as_member(taro)
    thief = _copy(client, app)
    with app.app_context():
        issued = activation_codes.issue(db.session.get(Member, taro))
    code = issued.code
    as_member(taro)                              # the thief signed in again somehow
    thief = _copy(client, app)
    member = app.test_client()
    options = _post(member, "/auth/member/activate/options",
                    {"code": code, "birth_date": "1980-05-15", "pin": "246810"}).get_json()
    assert "challenge" in options, options
    new_key = SoftPasskey()
    assert _post(member, "/auth/member/activate/verify", new_key.attestation(options)).status_code == 200
    assert member.get("/api/v1/me").status_code == 200
    assert thief.get("/api/v1/me").status_code == 401


# -- lifetimes -------------------------------------------------------------------------

def test_member_sessions_end_after_idle_and_absolute_lifetimes(client, app, passkey, clock):
    _sign_in(client, passkey)
    idle = app.config["MEMBER_SESSION_IDLE_DAYS"] * 86400
    clock.advance(idle - 60)
    assert client.get("/api/v1/me").status_code == 200          # used: idle time starts again
    clock.advance(idle - 60)
    assert client.get("/api/v1/me").status_code == 200
    clock.advance(idle + 1)
    assert client.get("/api/v1/me").status_code == 401
    _sign_in(client, passkey)
    for _ in range(app.config["MEMBER_SESSION_MAX_DAYS"] + 1):    # used every day, still ends
        clock.advance(86400)
        client.get("/api/v1/me")
    assert client.get("/api/v1/me").status_code == 401


def test_staff_lifetimes_are_shorter_than_members(app):
    config = app.config
    assert config["STAFF_IDLE_MINUTES"] * 60 < config["MEMBER_SESSION_IDLE_DAYS"] * 86400
    assert config["STAFF_SESSION_MAX_HOURS"] * 3600 < config["MEMBER_SESSION_MAX_DAYS"] * 86400


# -- ceremonies that cannot be replayed ----------------------------------------------------

def test_a_replayed_sign_in_assertion_with_the_old_cookie_is_refused(client, app, passkey):
    options = _post(client, "/auth/member/login/options").get_json()
    before = client.get_cookie(COOKIE).value             # the pre-sign-in cookie, as logged
    assertion = passkey.assertion(options)
    assert _post(client, "/auth/member/login/verify", assertion).status_code == 200
    attacker = app.test_client()
    attacker.set_cookie(COOKIE, before)
    replay = _post(attacker, "/auth/member/login/verify", assertion)
    assert replay.status_code == 400 and replay.get_json()["error"] == "ceremony_expired"
    assert attacker.get("/api/v1/me").status_code == 401


def test_the_same_assertion_verified_twice_at_once_signs_in_once(client, app, passkey):
    options = _post(client, "/auth/member/login/options").get_json()
    assertion = passkey.assertion(options)
    cookie, token = client.get_cookie(COOKIE).value, _csrf(client)
    statuses = []

    def verify():
        browser = app.test_client()
        browser.set_cookie(COOKIE, cookie)
        statuses.append(browser.post("/auth/member/login/verify", json=assertion,
                                     headers={"X-CSRFToken": token}).status_code)
    threads = [threading.Thread(target=verify) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] + [400] * 5


def test_an_assertion_without_user_verification_is_refused(client, passkey):
    options = _post(client, "/auth/member/login/options").get_json()
    assert _post(client, "/auth/member/login/verify",
                 passkey.assertion(options, user_verified=False)).status_code == 400
    assert client.get("/api/v1/me").status_code == 401


# -- adding a passkey needs a fresh passkey use ---------------------------------------------

def test_adding_a_passkey_needs_a_fresh_user_verified_assertion(client, app, passkey, clock):
    _sign_in(client, passkey)
    assert "challenge" in _post(client, "/auth/member/passkeys/options").get_json()   # just signed in
    clock.advance(sessions.STEP_UP_SECONDS + 1)
    refused = _post(client, "/auth/member/passkeys/options")
    assert refused.status_code == 403 and refused.get_json()["error"] == "reauth_required"
    options = _post(client, "/auth/member/reauth/options").get_json()
    assert _post(client, "/auth/member/reauth/verify", passkey.assertion(options)).status_code == 200
    assert "challenge" in _post(client, "/auth/member/passkeys/options").get_json()


def test_step_up_with_someone_elses_passkey_is_refused(client, app, passkey, clock):
    with app.app_context():
        kazuo = db.session.scalar(db.select(Member.id).where(Member.name == "髙橋 和夫"))
    other = SoftPasskey()
    with app.app_context():
        other.register(db, "member", kazuo, clock.now)
    _sign_in(client, passkey)
    clock.advance(sessions.STEP_UP_SECONDS + 1)
    options = _post(client, "/auth/member/reauth/options").get_json()
    assert _post(client, "/auth/member/reauth/verify", other.assertion(options)).status_code == 400
    assert _post(client, "/auth/member/passkeys/options").status_code == 403


# -- staff -----------------------------------------------------------------------------

def test_staff_sign_out_ends_the_session_on_the_server(client, app, as_staff):
    token = as_staff("clerk")
    thief = _copy(client, app)
    assert thief.get("/admin/").status_code == 200
    client.post("/admin/logout", data={"csrf_token": token})
    assert thief.get("/admin/").status_code == 302


def _staff(app, email: str) -> int:
    import secrets
    with app.app_context():
        staff = Staff(email=email, role="clerk", user_handle=secrets.token_bytes(32), created_at=1,
                      insurers=db.session.scalars(db.select(Insurer)).all())
        db.session.add(staff)
        db.session.commit()
        return staff.id


def _signed_in_staff(app, email: str):
    """(staff id, a browser signed in as that staff member)."""
    browser = app.test_client()
    staff_id = _staff(app, email)
    _start(app, browser, "staff", staff_id)
    assert browser.get("/admin/").status_code == 200
    return staff_id, browser


def test_an_admin_disables_a_staff_account_and_its_sessions_end(client, app, as_staff):
    clerk_id, clerk_browser = _signed_in_staff(app, "clerk-x@example.jp")
    token = as_staff("admin")
    assert client.post(f"/admin/staff/{clerk_id}/disable", data={"csrf_token": token}).status_code == 302
    assert clerk_browser.get("/admin/").status_code == 302
    with app.app_context():
        assert db.session.get(Staff, clerk_id).disabled_at is not None


def test_an_admin_signs_a_member_out_everywhere(client, app, as_staff, passkey, taro):
    member = app.test_client()
    _sign_in(member, passkey)
    token = as_staff("clerk")
    assert client.post(f"/admin/members/{taro}/sessions/end", data={"csrf_token": token}).status_code == 302
    assert member.get("/api/v1/me").status_code == 401


def test_shikaku_staff_disable_ends_the_sessions(app, runner):
    from server.cli import main
    staff_id, browser = _signed_in_staff(app, "gone@example.jp")
    result = runner.invoke(main, ["staff", "disable", "gone@example.jp"])
    assert result.exit_code == 0, result.output
    assert browser.get("/admin/").status_code == 302
    assert runner.invoke(main, ["staff", "disable", "nobody@example.jp"]).exit_code == 2
    with app.app_context():
        assert db.session.scalar(db.select(AuthSession.end_reason).where(
            AuthSession.owner_id == staff_id, AuthSession.owner_type == "staff")) == "disabled"


def _start(app, client, owner_type, owner_id):
    import hashlib
    import secrets
    token = secrets.token_urlsafe(32)
    now = app.config["CLOCK"]()
    with app.app_context():
        db.session.add(AuthSession(token_hash=hashlib.sha256(token.encode()).digest(),
                                   owner_type=owner_type, owner_id=owner_id, created_at=now,
                                   last_seen_at=now, verified_at=now, expires_at=now + 3600))
        db.session.commit()
    with client.session_transaction() as session:
        session["sid"] = token


def test_a_replayed_staff_sign_in_assertion_is_refused(client, app, clock):
    staff_id = _staff(app, "replay@example.jp")
    key = SoftPasskey()
    with app.app_context():
        key.register(db, "staff", staff_id, clock.now)
    options = _post(client, "/auth/staff/login/options").get_json()
    before = client.get_cookie(COOKIE).value
    assertion = key.assertion(options)
    assert _post(client, "/auth/staff/login/verify", assertion).status_code == 200
    assert client.get("/admin/").status_code == 200
    attacker = app.test_client()
    attacker.set_cookie(COOKIE, before)
    assert _post(attacker, "/auth/staff/login/verify", assertion).status_code == 400
    assert attacker.get("/admin/").status_code == 302
