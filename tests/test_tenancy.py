"""Tenancy: one deployment, many insurers. Staff of insurer B never see, find, edit, print,
import or export anything of insurer A — search, member pages by URL, CSV rows, audit entries,
keys, staff — and the operator runs the deployment without opening member records.

The demo register has two insurers: A = 06138093 (𠮷田 household, 髙橋) and B = 06270888
(齋藤 household, 山﨑)."""
from __future__ import annotations


import pytest

from server.cli import main as shikaku
from server.documents import cards
from server.documents.issuance import issue_token
from server.extensions import db
from server.keys import lifecycle, publishing, status_publishing
from server.models import (
    ActivationCode,
    AuditEntry,
    EligibilityCard,
    Member,
    RevocationEntry,
    SigningKeyRecord,
    Staff,
    StaffInvite,
)
from server.token_core import Status, verify

A, B = "06138093", "06270888"
HEADER = ("insurer_number,symbol,number,branch,relationship,name,name_kana,sex,birth_date,acquired_on,"
          "copay_ratio,copay_from,mynumber_last4\n")


def _ids(app, number: str) -> list[int]:
    from server.models import Insurer
    with app.app_context():
        return list(db.session.scalars(db.select(Member.id).join(Insurer).where(Insurer.number == number)
                                       .order_by(Member.id)))


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model).where(*where))


def _text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def a_member(app):
    """The id of 𠮷田 太郎 (insurer A, 本人)."""
    return _ids(app, A)[0]


@pytest.fixture
def b_member(app):
    """The id of 齋藤 美咲 (insurer B, 本人)."""
    return _ids(app, B)[0]


# -- the demo -------------------------------------------------------------------------

def test_the_demo_has_two_insurers_with_members_and_a_key_each(app):
    assert len(_ids(app, A)) >= 2 and len(_ids(app, B)) >= 2
    with app.app_context():
        scopes = sorted(tuple(k.insurers) for k in lifecycle.current_keys())
    assert scopes == [(A,), (B,)]


# -- search ---------------------------------------------------------------------------

@pytest.mark.parametrize("q", ["1234 5678", "5678", "𠮷田", "ヨシダ", "髙橋", "1234"])
def test_search_never_finds_another_insurers_members(client, as_staff, q):
    token = as_staff("clerk", insurers=[B])
    results = _text(client.post("/admin/", data={"q": q, "csrf_token": token})).split("検索結果")[1]
    assert "（0件）" in results and 'id="results"' not in results and "太郎" not in results


def test_search_finds_the_own_insurers_members(client, as_staff):
    token = as_staff("clerk", insurers=[B])
    html = _text(client.post("/admin/", data={"q": "サイトウ", "csrf_token": token}))
    assert "齋藤 美咲" in html and "齋藤 蓮" in html and "（2件）" in html


def test_staff_of_both_insurers_find_both_and_see_which_insurer(client, as_staff):
    token = as_staff("clerk", insurers=[A, B])
    results = _text(client.post("/admin/", data={"q": "田", "csrf_token": token})).split("検索結果")[1]
    assert "𠮷田 太郎" in results and "なにわ商事" not in results     # only A's names match 田
    results = _text(client.post("/admin/", data={"q": "サイトウ", "csrf_token": token})).split("検索結果")[1]
    assert "なにわ商事健康保険組合（デモ）" in results               # the insurer column


# -- member pages by URL ---------------------------------------------------------------

PAGES = ["/admin/members/{id}", "/admin/members/{id}/edit", "/admin/members/{id}/dependents/new",
         "/admin/audit?member={id}"]
WRITES = ["/admin/members/{id}/edit", "/admin/members/{id}/dependents/new", "/admin/members/{id}/loss",
          "/admin/members/{id}/sessions/end", "/admin/members/{id}/re-enrol",
          "/admin/members/{id}/notice", "/admin/members/{id}/pin", "/admin/members/{id}/cards"]


@pytest.mark.parametrize("role", ["clerk", "admin"])
@pytest.mark.parametrize("url", PAGES)
def test_another_insurers_member_page_is_not_found(client, as_staff, a_member, role, url):
    as_staff(role, insurers=[B])
    response = client.get(url.format(id=a_member))
    assert response.status_code == 404 and "𠮷田" not in _text(response)


@pytest.mark.parametrize("url", WRITES)
def test_another_insurers_member_cannot_be_changed_or_printed(app, client, as_staff, a_member, url):
    token = as_staff("admin", insurers=[B])
    audit, codes, card_count = (_count(app, AuditEntry), _count(app, ActivationCode),
                                _count(app, EligibilityCard))
    response = client.post(url.format(id=a_member), data={
        "csrf_token": token, "lost_on": "2026-11-18", "loss_reason": "retirement",
        "acquired_on": "2026-11-18", "name": "乗っ取り 太郎", "insurer_number": B})
    assert response.status_code == 404
    assert "𠮷田" not in _text(response)
    assert (_count(app, AuditEntry), _count(app, ActivationCode), _count(app, EligibilityCard)) == \
        (audit, codes, card_count)
    with app.app_context():
        member = db.session.get(Member, a_member)
        assert member.name == "𠮷田 太郎" and member.eligibility.lost_on is None


def test_an_unknown_id_and_another_insurers_id_answer_alike(client, as_staff, a_member):
    as_staff("clerk", insurers=[B])
    other, missing = client.get(f"/admin/members/{a_member}"), client.get("/admin/members/99999")
    assert other.status_code == missing.status_code == 404
    assert _text(other) == _text(missing)


def test_the_own_insurers_member_page_works(client, as_staff, b_member):
    as_staff("clerk", insurers=[B])
    assert "齋藤 美咲" in _text(client.get(f"/admin/members/{b_member}"))


@pytest.mark.parametrize("path", ["/admin/cards/{id}/print", "/admin/cards/{id}/withdraw"])
def test_another_insurers_card_is_not_found(app, client, as_staff, a_member, path):
    with app.app_context():
        card_id = cards.issue_card(db.session.get(Member, a_member)).id
        db.session.commit()
    token = as_staff("clerk", insurers=[B])
    call = client.get if path.endswith("print") else client.post
    response = call(path.format(id=card_id), **({} if call is client.get else {"data": {"csrf_token": token}}))
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(EligibilityCard, card_id).status == "active"


def test_enrolment_offers_and_accepts_only_the_own_insurers(app, client, as_staff):
    token = as_staff("clerk", insurers=[B])
    form = _text(client.get("/admin/members/new"))
    assert f'value="{B}"' in form and f'value="{A}"' not in form
    before = _count(app, Member)
    response = client.post("/admin/members/new", data={
        "csrf_token": token, "insurer_number": A, "symbol": "9", "number": "1", "branch": "00",
        "relationship": "1", "name": "越境 次郎", "name_kana": "エッキョウ ジロウ", "sex": "1",
        "birth_date": "1980-01-01", "acquired_on": "2020-04-01", "copay_ratio": "30"})
    assert response.status_code == 400 and "担当外の保険者には登録できません" in _text(response)
    assert _count(app, Member) == before


# -- CSV imports ----------------------------------------------------------------------------

def _upload(client, token, path, body: str):
    from io import BytesIO
    return client.post(path, data={"csrf_token": token, "encoding": "utf-8",
                                   "file": (BytesIO(body.encode()), "rows.csv")},
                       content_type="multipart/form-data")


def test_a_member_import_row_of_another_insurer_is_a_row_error(app, client, as_staff):
    token = as_staff("admin", insurers=[B])
    before = _count(app, Member)
    body = (HEADER + f"{B},77,4001,00,1,新人 一郎,シンジン イチロウ,1,1999-04-02,2026-04-01,30,2026-04-01,1234\n"
            f"{A},1234,9999,00,1,越境 花子,エッキョウ ハナコ,2,1999-04-02,2026-04-01,30,2026-04-01,1234\n")
    response = _upload(client, token, "/admin/import", body)
    html = _text(response)
    assert response.status_code == 400
    assert "row 3, insurer_number: この保険者の加入者は取り込めません" in html
    assert "row 2" not in html                                   # B's own row is fine
    assert _count(app, Member) == before                       # all or nothing


def test_the_same_import_by_an_admin_of_both_insurers_goes_in(app, client, as_staff):
    token = as_staff("admin", insurers=[A, B])
    before = _count(app, Member)
    body = (HEADER + f"{B},77,4001,00,1,新人 一郎,シンジン イチロウ,1,1999-04-02,2026-04-01,30,2026-04-01,1234\n"
            f"{A},1234,9999,00,1,越境 花子,エッキョウ ハナコ,2,1999-04-02,2026-04-01,30,2026-04-01,1234\n")
    assert _upload(client, token, "/admin/import", body).status_code == 200
    assert _count(app, Member) == before + 2
    with app.app_context():                 # each entry belongs to its member's insurer
        entries = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "member.create")
                                     .order_by(AuditEntry.id.desc()).limit(2)).all()
        assert {db.session.get(Member, e.target_id).insurer_id for e in entries} == \
            {e.insurer_id for e in entries} and len({e.insurer_id for e in entries}) == 2


def test_a_loss_import_row_of_another_insurer_is_a_row_error(app, client, as_staff):
    token = as_staff("admin", insurers=[B])
    body = ("insurer_number,symbol,number,branch,lost_on\n"
            f"{B},77,3015,00,2026-11-18\n{A},1234,5678,00,2026-11-18\n")
    response = _upload(client, token, "/admin/import/losses", body)
    assert response.status_code == 400 and "この保険者の資格は登録できません" in _text(response)
    assert _count(app, RevocationEntry) == 0


def test_the_cli_imports_for_every_insurer(runner, csv_file, app):
    body = HEADER + f"{A},1234,9998,00,1,窓口 一郎,マドグチ イチロウ,1,1999-04-02,2026-04-01,30,2026-04-01,1234\n"
    result = runner.invoke(shikaku, ["members", "import", csv_file(body.encode())])
    assert result.exit_code == 0, result.output


# -- audit --------------------------------------------------------------------------------

def test_the_audit_trail_shows_only_the_own_insurers_entries(app, client, as_staff, a_member, b_member):
    with app.app_context():                 # one change in each insurer, by the register
        from server.register import members
        for member_id, reason in ((a_member, "retirement"), (b_member, "death")):
            m = db.session.get(Member, member_id)
            members.record_loss(m, m.eligibility.acquired_on.replace(year=2026, month=11, day=18), reason)
        db.session.commit()
    as_staff("clerk", insurers=[B])
    html = _text(client.get("/admin/audit"))
    assert f"member #{b_member}" in html and f"member #{a_member}" not in html and "𠮷田" not in html
    assert "retirement" not in html and "death" in html


def test_an_operator_reads_every_entry_and_insurer_staff_never_an_operators(app, client, as_staff,
                                                                            runner):
    assert runner.invoke(shikaku, ["insurers", "add", "01130012", "全国健康保険協会 東京支部"]).exit_code == 0
    as_staff("operator")
    html = _text(client.get("/admin/audit"))
    assert "insurer.create" in html
    as_staff("admin", insurers=[B])
    html = _text(client.get("/admin/audit"))
    assert "insurer.create" not in html


# -- keys ---------------------------------------------------------------------------------

def _kid(app, number: str) -> str:
    with app.app_context():
        return lifecycle.key_for(number)[0].kid


def test_an_insurer_admin_sees_and_manages_only_the_own_keys(app, client, as_staff):
    a_kid, b_kid = _kid(app, A), _kid(app, B)
    token = as_staff("admin", insurers=[B])
    html = _text(client.get("/admin/keys"))
    assert b_kid in html and a_kid not in html and A not in html
    for action, data in (("rotate", {}), ("revoke", {"confirm_kid": a_kid})):
        response = client.post(f"/admin/keys/{a_kid}/{action}", data={"csrf_token": token, **data},
                               follow_redirects=True)
        assert "no signing key" in _text(response)
    with app.app_context():
        record = db.session.scalar(db.select(SigningKeyRecord).where(SigningKeyRecord.kid == a_kid))
        assert record.signs_until is None and record.revoked_at is None
    assert _kid(app, A) == a_kid


def test_an_insurer_admin_rotates_the_own_key(app, client, as_staff):
    a_kid, b_kid = _kid(app, A), _kid(app, B)
    token = as_staff("admin", insurers=[B])
    client.post(f"/admin/keys/{b_kid}/rotate", data={"csrf_token": token})
    assert _kid(app, B) != b_kid and _kid(app, A) == a_kid


def test_the_operator_sees_every_key(app, client, as_staff):
    as_staff("operator")
    html = _text(client.get("/admin/keys"))
    assert _kid(app, A) in html and _kid(app, B) in html


def test_revoking_needs_the_typed_key_id(app, client, as_staff):
    b_kid = _kid(app, B)
    token = as_staff("admin", insurers=[B])
    response = client.post(f"/admin/keys/{b_kid}/revoke", data={"csrf_token": token, "confirm_kid": "ffff"},
                           follow_redirects=True)
    assert "確認のため鍵IDを入力してください" in _text(response) and _kid(app, B) == b_kid


def test_key_compromise_drill(app, client, as_staff, a_member, b_member, clock):
    """Insurer A's key leaks: A's admin revokes it on the keys page. The next trust list drops
    it: every token it signed (phone notice and printed card) is unknown_key, B's tokens stay
    valid, and A's members get valid tokens from the replacement key at their next fetch."""
    from server.token_core import TrustList
    with app.app_context():
        a_notice = issue_token(db.session.get(Member, a_member)).text
        a_card = cards.issue_card(db.session.get(Member, a_member)).token
        b_notice = issue_token(db.session.get(Member, b_member)).text
        b_card = cards.issue_card(db.session.get(Member, b_member)).token
        db.session.commit()
        anchor = publishing.anchor_jwk()
    before = TrustList.from_signed(_text(client.get("/api/v1/trust-list")), anchor)
    with app.app_context():
        before_state = status_publishing.state_for(before.status)
    a_kid, b_kid = _kid(app, A), _kid(app, B)
    assert {a_kid, b_kid} <= {k.kid.hex() for k in before.keys}
    for text in (a_notice, a_card, b_notice, b_card):
        assert verify(text, before, now=clock.now, status=before_state).status is Status.VALID

    token = as_staff("admin", insurers=[A])
    response = client.post(f"/admin/keys/{a_kid}/revoke", data={"csrf_token": token, "confirm_kid": a_kid},
                           follow_redirects=True)
    assert f"鍵 {a_kid} を失効しました" in _text(response)

    after = TrustList.from_signed(_text(client.get("/api/v1/trust-list")), anchor)
    with app.app_context():
        state = status_publishing.state_for(after.status)
    kids = {k.kid.hex() for k in after.keys}
    assert a_kid not in kids and b_kid in kids
    assert [verify(t, after, now=clock.now, status=state).status for t in (a_notice, a_card)] == \
        [Status.UNKNOWN_KEY] * 2
    assert [verify(t, after, now=clock.now, status=state).status for t in (b_notice, b_card)] == \
        [Status.VALID] * 2
    with app.app_context():
        fresh = issue_token(db.session.get(Member, a_member)).text
        assert lifecycle.key_for(A)[0].kid in kids and lifecycle.key_for(B)[0].kid == b_kid
        entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "key.revoke"))
        assert entry.insurer_id is not None
    after = TrustList.from_signed(_text(client.get("/api/v1/trust-list")), anchor)
    with app.app_context():
        state = status_publishing.state_for(after.status)
    assert verify(fresh, after, now=clock.now, status=state).status is Status.VALID
    with app.app_context():
        from pathlib import Path
        assert not list(Path(app.config["KEY_DIR"]).glob(f"signing-{a_kid}.pem"))


# -- staff ------------------------------------------------------------------------------

def test_an_insurer_admin_sees_only_the_own_insurers_staff(app, client, as_staff):
    from conftest import new_staff
    a_clerk = new_staff(app, "clerk", "a.clerk@example.jp", [A])
    both = new_staff(app, "clerk", "both.clerk@example.jp", [A, B])
    new_staff(app, "operator", "op@example.jp")
    b_clerk = new_staff(app, "clerk", "b.clerk@example.jp", [B])
    token = as_staff("admin", insurers=[B])
    html = _text(client.get("/admin/staff"))
    assert "b.clerk@example.jp" in html
    assert "a.clerk@example.jp" not in html and "both.clerk@example.jp" not in html and "op@example.jp" not in html
    for staff_id in (a_clerk, both):
        for action in ("disable", "sessions/end"):
            assert client.post(f"/admin/staff/{staff_id}/{action}", data={"csrf_token": token}).status_code == 404
    with app.app_context():
        assert db.session.get(Staff, a_clerk).disabled_at is None
    assert client.post(f"/admin/staff/{b_clerk}/disable", data={"csrf_token": token}).status_code == 302
    with app.app_context():
        assert db.session.get(Staff, b_clerk).disabled_at is not None


@pytest.mark.parametrize("role, insurers, message", [
    ("clerk", [A], "担当外の保険者の職員は招待できません"),
    ("clerk", [A, B], "担当外の保険者の職員は招待できません"),
    ("operator", [], "運用者を招待できるのは運用者だけです"),
    ("clerk", [], "担当する保険者（保険者番号）を1つ以上指定してください"),
])
def test_an_insurer_admin_invites_only_within_the_own_insurers(app, client, as_staff, role, insurers, message):
    token = as_staff("admin", insurers=[B])
    response = client.post("/admin/staff", data={"csrf_token": token, "email": "x@example.jp",
                                                 "role": role, "insurer": insurers})
    assert response.status_code == 400 and message in _text(response)
    assert _count(app, StaffInvite) == 0


def test_an_invitation_carries_its_scope_to_the_account(app, client, as_staff):
    from server.auth import staff_accounts
    token = as_staff("admin", insurers=[B])
    html = _text(client.post("/admin/staff", data={"csrf_token": token, "email": "new@example.jp",
                                                   "role": "clerk", "insurer": [B]}))
    assert 'id="invite-link"' in html
    with app.app_context():
        invite = db.session.scalar(db.select(StaffInvite).where(StaffInvite.email == "new@example.jp"))
        staff = staff_accounts.accept(invite, user_handle=b"\x01" * 32)
        db.session.commit()
        assert staff.insurer_numbers == [B] and staff.role == "clerk"


# -- the operator ------------------------------------------------------------------------

def test_the_operator_runs_the_deployment_without_member_records(app, client, as_staff, a_member):
    token = as_staff("operator")
    start = client.get("/admin/")
    assert start.status_code == 302 and start.headers["Location"].endswith("/admin/insurers")
    html = _text(client.get("/admin/insurers"))
    assert A in html and B in html
    for url in (f"/admin/members/{a_member}", "/admin/members/new", "/admin/import"):
        assert client.get(url).status_code == 403, url
    assert client.post("/admin/", data={"q": "𠮷田", "csrf_token": token}).status_code == 302
    response = client.post("/admin/insurers", data={"csrf_token": token, "number": "01130012",
                                                    "name": "全国健康保険協会 東京支部", "phone": ""},
                           follow_redirects=True)
    assert "01130012" in _text(response)
    with app.app_context():
        assert lifecycle.key_for("01130012")            # a key of its own at once


def test_adding_an_insurer_with_a_wrong_check_digit_changes_nothing(app, client, as_staff):
    from server.models import Insurer
    token = as_staff("operator")
    response = client.post("/admin/insurers", data={"csrf_token": token, "number": "01130013",
                                                    "name": "全国健康保険協会", "phone": ""})
    assert response.status_code == 400 and "検証番号" in _text(response)
    assert _count(app, Insurer) == 2


def test_insurer_staff_cannot_open_the_insurers_page(client, as_staff):
    as_staff("admin", insurers=[A, B])
    assert client.get("/admin/insurers").status_code == 403


# -- the command line ---------------------------------------------------------------------

@pytest.mark.parametrize("args, message", [
    (["--role", "clerk"], "担当する保険者"),
    (["--role", "admin", "--insurer", "39999999"], "登録されていない保険者番号です"),
    (["--role", "operator", "--insurer", A], "運用者は保険者を指定せずに招待します"),
])
def test_cli_invite_checks_the_scope(runner, app, args, message):
    result = runner.invoke(shikaku, ["staff", "invite", "someone@example.jp", *args])
    assert result.exit_code == 2 and message in result.output
    assert _count(app, StaffInvite) == 0


def test_cli_invite_and_list_with_insurers(runner, app):
    result = runner.invoke(shikaku, ["staff", "invite", "two@example.jp", "--role", "admin",
                                 "--insurer", f"{A},{B}"])
    assert result.exit_code == 0 and "#token=" in result.output
    assert runner.invoke(shikaku, ["staff", "invite", "op@example.jp", "--role", "operator"]).exit_code == 0
    with app.app_context():
        invite = db.session.scalar(db.select(StaffInvite).where(StaffInvite.email == "two@example.jp"))
        assert invite.insurer_numbers == [A, B]
