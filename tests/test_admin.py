"""Insurer staff pages: authorization, forms that validate in one place, audit."""
import re

import pytest

from server.extensions import db
from server.models import AuditEntry, Member, RevocationEntry

NEW_MEMBER = {"symbol": "777", "number": "4242", "branch": "00", "relationship": "1",
              "name": "葛󠄀城 一郎", "name_kana": "カツラギ イチロウ", "sex": "1",
              "birth_date": "S60.1.2", "acquired_on": "2020-04-01", "copay_ratio": "30",
              "copay_from": "", "mynumber_last4": "1357", "limit_category": "", "insurer_number": "06138093"}

ADMIN_PAGES = ["/admin/", "/admin/members/new", "/admin/members/1",
               "/admin/members/1/edit", "/admin/members/1/dependents/new", "/admin/audit"]
ADMIN_ONLY = ["/admin/keys", "/admin/staff", "/admin/import"]


def _count(app, model):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model))


@pytest.mark.parametrize("url", ADMIN_PAGES + ADMIN_ONLY)
def test_anonymous_users_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]


def test_a_member_session_gets_nothing_from_admin(client, app, as_member):
    as_member(1)                          # a signed-in member's session
    for url in ADMIN_PAGES + ADMIN_ONLY:
        assert client.get(url).status_code == 302, url
    assert client.get("/admin/", headers={"Accept": "application/json"}).status_code == 401


def test_writes_without_a_csrf_token_are_refused(client, app, as_staff):
    as_staff("clerk")
    before = _count(app, Member)
    response = client.post("/admin/members/new", data=NEW_MEMBER)
    assert response.status_code == 400 and _count(app, Member) == before


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_clerk_pages_render(client, as_staff, url):
    as_staff("clerk")
    response = client.get(url)
    assert response.status_code == 200
    assert "text/html" in response.content_type


def _current_kid(app) -> str:
    from server.keys import lifecycle
    with app.app_context():
        return lifecycle.current_keys()[0].kid


@pytest.mark.parametrize("url", ADMIN_ONLY)
def test_a_clerk_cannot_manage_staff_keys_or_imports(client, as_staff, url):
    token = as_staff("clerk")
    assert client.get(url).status_code == 403
    assert client.post(url if url != "/admin/keys" else f"/admin/keys/{_current_kid(client.application)}/rotate",
                       data={"csrf_token": token, "email": "x@example.jp", "role": "admin"}).status_code == 403


@pytest.mark.parametrize("url", ADMIN_ONLY)
def test_an_admin_can(client, as_staff, url):
    as_staff("admin")
    assert client.get(url).status_code == 200


def test_enrol_a_member_then_a_dependent(client, app, as_staff):
    token = as_staff("clerk")
    response = client.post("/admin/members/new", data={**NEW_MEMBER, "csrf_token": token})
    assert response.status_code == 302
    member_url = response.headers["Location"]
    page = client.get(member_url).get_data(as_text=True)
    assert "葛󠄀城 一郎" in page and "昭和60年1月2日（1985-01-02）" in page and "資格有効" in page
    member_id = int(member_url.rsplit("/", 1)[1])
    form = client.get(f"/admin/members/{member_id}/dependents/new").get_data(as_text=True)
    assert 'value="01"' in form          # the next free 枝番 is proposed
    dependent = {**NEW_MEMBER, "branch": "01", "relationship": "2", "name": "葛󠄀城 花",
                 "name_kana": "カツラギ ハナ", "sex": "2", "birth_date": "2019-05-01",
                 "acquired_on": "2019-05-01", "copay_ratio": "20", "csrf_token": token}
    response = client.post(f"/admin/members/{member_id}/dependents/new", data=dependent)
    assert response.status_code == 302
    with app.app_context():
        child = db.session.scalar(db.select(Member).where(Member.name == "葛󠄀城 花"))
        assert child.insured_person_id == member_id and child.relationship == 2
        actions = db.session.scalars(db.select(AuditEntry.action).where(
            AuditEntry.target_id.in_([member_id, child.id]), AuditEntry.target_type == "member")).all()
        assert sorted(actions) == ["member.create", "member.create"]
        entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.target_id == child.id))
        assert entry.actor.startswith("staff:")


def test_invalid_form_names_fields_and_writes_nothing(client, app, as_staff):
    token = as_staff("clerk")
    before, audits = _count(app, Member), _count(app, AuditEntry)
    bad = {**NEW_MEMBER, "birth_date": "2099-01-01", "mynumber_last4": "123456789012",
           "csrf_token": token}
    response = client.post("/admin/members/new", data=bad)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "生年月日" in html and "未来の日付は登録できません" in html
    assert "マイナンバー下4桁" in html and "123456789012" not in html
    assert _count(app, Member) == before and _count(app, AuditEntry) == audits


def test_edit_records_before_and_after(client, app, as_staff):
    token = as_staff("clerk")
    form = client.get("/admin/members/1/edit").get_data(as_text=True)
    values = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form))
    values.pop("limit_consent")          # an unchecked checkbox is not submitted
    values.update(name_kana="ヨシダ タロー", sex="1", relationship="1", copay_ratio="30",
                  csrf_token=token)
    assert client.post("/admin/members/1/edit", data=values).status_code == 302
    with app.app_context():
        entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "member.update"))
        assert '"name_kana": "ヨシダ タロウ"' in entry.before_json
        assert '"name_kana": "ヨシダ タロー"' in entry.after_json


@pytest.mark.token_version(1)        # revocation ids; version 2: tests/test_status_lists_server.py
def test_recording_a_loss_puts_revocations_in_the_next_trust_list(client, app, as_staff):
    """The household's members holding version-1 tokens (本人 and one 家族 here) get a
    revocation id each; a member who never had a token needs none."""
    from server.documents.issuance import issue_token
    with app.app_context():
        for branch in ("00", "01"):
            issue_token(db.session.scalar(db.select(Member).where(Member.number == "5678",
                                                                   Member.branch == branch)))
    token = as_staff("clerk")
    before = client.get("/api/v1/trust-list").headers["ETag"]
    response = client.post("/admin/members/1/loss", data={"lost_on": "2026-11-18",
                                                          "loss_reason": "retirement",
                                                          "confirmed": "1", "csrf_token": token})
    assert response.status_code == 302
    page = client.get("/admin/members/1").get_data(as_text=True)
    assert "資格喪失を登録しました（3名）" in page and "資格喪失" in page
    with app.app_context():
        assert _count(app, RevocationEntry) == 2
    after = client.get("/api/v1/trust-list")
    assert after.headers["ETag"] != before


def test_staff_invite_link_from_the_admin_page(client, as_staff):
    token = as_staff("admin")
    html = client.post("/admin/staff", data={"email": "new.clerk@example.jp", "role": "clerk",
                                             "insurer": "06138093", "csrf_token": token}).get_data(as_text=True)
    link = re.search(r'<code id="invite-link">([^<]+)</code>', html).group(1)
    path, _, fragment = link.split("localhost:5000", 1)[1].partition("#token=")
    assert path == "/admin/invite" and len(fragment) >= 40      # the token only in the fragment
    assert client.get(path).status_code == 200
    found = client.post("/auth/staff/invite", json={"token": fragment}, headers={"X-CSRFToken": token})
    assert found.get_json()["email"] == "new.clerk@example.jp"
    wrong = client.post("/auth/staff/invite", json={"token": fragment + "x"}, headers={"X-CSRFToken": token})
    assert wrong.status_code == 400 and wrong.get_json()["error"] == "invalid_invitation"


def test_staff_sessions_expire_when_idle(client, app, as_staff, clock):
    as_staff("clerk")
    assert client.get("/admin/").status_code == 200
    clock.advance(app.config["STAFF_IDLE_MINUTES"] * 60 + 1)
    assert client.get("/admin/").status_code == 302


def test_session_cookie_is_httponly_and_samesite(client, as_staff):
    as_staff("clerk")
    cookie = client.get("/admin/").headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_cookies_are_secure(make_app):
    app = make_app(ENV="production", SECRET_KEY="x" * 32, REVOCATION_SECRET="00" * 32, ACTIVATION_SECRET="11" * 32,
                   AUTO_BOOTSTRAP=False)
    assert app.config["SESSION_COOKIE_SECURE"] is True


def search(client, token, q):
    return client.post("/admin/", data={"q": q, "csrf_token": token}).get_data(as_text=True)


def test_search_by_symbol_number_name_and_kana(client, as_staff):
    token = as_staff("clerk")
    for q in ("1234 5678", "1234-5678-01", "𠮷田", "ヨシダ", "91"):
        html = search(client, token, q)
        assert 'id="results"' in html, q
    assert "𠮷田 花子" in search(client, token, "1234-5678-01")
    assert "髙橋" not in search(client, token, "ヨシダ")
    assert 'id="results"' not in client.get("/admin/?q=ヨシダ").get_data(as_text=True)   # GET never searches


CSV = ("insurer_number,symbol,number,branch,relationship,name,name_kana,sex,birth_date,"
       "acquired_on,copay_ratio,copay_from,mynumber_last4\n"
       "06138093,88,123,00,1,髙﨑 一郎,タカサキ イチロウ,1,1990-07-07,R2.4.1,30,2024-04-01,\n")


def test_admin_csv_upload_dry_run_then_import(client, app, as_staff):
    import io
    token = as_staff("admin")
    before = _count(app, Member)

    def upload(dry_run):
        data = {"csrf_token": token, "encoding": "auto",
                "file": (io.BytesIO(CSV.encode("cp932")), "members.csv")}
        if dry_run:
            data["dry_run"] = "1"
        return client.post("/admin/import", data=data, content_type="multipart/form-data")

    dry = upload(True)
    assert dry.status_code == 200 and "確認結果" in dry.get_data(as_text=True)
    assert _count(app, Member) == before
    done = upload(False).get_data(as_text=True)
    assert "取込完了" in done and "新規 <strong>1</strong>" in done
    assert _count(app, Member) == before + 1
    again = upload(False).get_data(as_text=True)
    assert "新規 <strong>0</strong>" in again and "変更なし <strong>1</strong>" in again


def test_admin_csv_upload_reports_every_error_and_writes_nothing(client, app, as_staff):
    import io
    token = as_staff("admin")
    bad = CSV + "06138093,88,124,00,1,x,カナ,9,2099-01-01,2020-01-01,30,,\n"
    before = _count(app, Member)
    response = client.post("/admin/import", content_type="multipart/form-data",
                           data={"csrf_token": token, "encoding": "utf-8",
                                 "file": (io.BytesIO(bad.encode()), "members.csv")})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "何も登録していません" in html
    assert "row 3, sex" in html and "row 3, birth_date" in html
    assert _count(app, Member) == before


def test_admin_pages_are_never_cached(client, as_staff):
    as_staff("clerk")
    for url in ("/admin/", "/admin/members/1", "/admin/audit"):
        assert client.get(url).headers["Cache-Control"] == "no-store", url


def test_the_sign_in_redirect_drops_the_query(client):
    response = client.get("/admin/?q=𠮷田")
    assert "q=" not in response.headers["Location"] and "%F0" not in response.headers["Location"]


def test_an_insured_person_cannot_become_a_dependent(client, app, as_staff):
    token = as_staff("clerk")
    form = client.get("/admin/members/1/edit").get_data(as_text=True)
    values = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form))
    values.pop("limit_consent")
    values.update(relationship="2", sex="1", copay_ratio="30", csrf_token=token)
    response = client.post("/admin/members/1/edit", data=values)
    assert response.status_code == 400
    assert "本人を家族に変更することはできません" in response.get_data(as_text=True)


def test_a_write_that_loses_a_race_answers_409_without_personal_data_in_the_log(
        client, app, as_staff, caplog, monkeypatch):
    from server.register import members
    token = as_staff("clerk")
    monkeypatch.setattr(members, "_check_unique", lambda *args, **kwargs: None)  # the race window
    duplicate = {**NEW_MEMBER, "symbol": "1234", "number": "5678", "branch": "01",
                 "relationship": "2", "name": "𠮷田 二重", "mynumber_last4": "9753", "csrf_token": token}
    with caplog.at_level("DEBUG"):
        response = client.post("/admin/members/new", data=duplicate)
    assert response.status_code == 409
    assert "同時に同じ内容が登録されました" in response.get_data(as_text=True)
    assert "IntegrityError" in caplog.text
    assert "二重" not in caplog.text and "9753" not in caplog.text and "5678" not in caplog.text


def test_a_loss_without_a_readable_date_changes_nothing(client, app, as_staff):
    token = as_staff("clerk")
    response = client.post("/admin/members/1/loss", data={"lost_on": "そのうち", "loss_reason": "retirement",
                                                          "csrf_token": token}, follow_redirects=True)
    assert "資格喪失年月日: 日付を入力してください" in response.get_data(as_text=True)
    assert _count(app, RevocationEntry) == 0


def test_search_text_with_control_characters_is_searched_without_them(client, as_staff):
    """NUL and other controls in the search box are dropped (PostgreSQL refuses NUL in text)."""
    token = as_staff("clerk")
    response = client.post("/admin/", data={"q": "𠮷田\x00\x07", "csrf_token": token})
    assert response.status_code == 200 and "𠮷田 太郎" in response.get_data(as_text=True)
