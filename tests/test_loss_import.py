"""Losses in batches (資格喪失届, monthly 国保 files): `shikaku members lose`, the admin upload
and register/loss_import.py — dates and encodings as the member import, all or nothing,
idempotent, 本人 and 家族 in either order, the insurers a caller may touch.

The demo register (conftest `app`) holds insurer 06138093 with 記号 1234: 番号 5678
(本人 00 acquired 2015-04-01, 家族 01, 家族 02 acquired 2021-06-01) and 番号 91 (本人 00).
The clock is frozen on 2026-11-18.
"""
from __future__ import annotations

import io
from datetime import date

import pytest

from server.cli import main as shikaku
from server.extensions import db
from server.models import AuditEntry, Eligibility, Insurer, Member, RevocationEntry
from server.register import members as register
from server.register.insurer_numbers import check_digit
from server.register.loss_import import import_losses
from server.register.revocation_ids import revocation_id

HEADER = "insurer_number,symbol,number,branch,lost_on,reason"
TARO = "06138093,1234,5678,00"          # 本人 of 5678
HANAKO = "06138093,1234,5678,01"        # 家族
HINA = "06138093,1234,5678,02"          # 家族, acquired 2021-06-01
KAZUO = "06138093,1234,91,00"           # 本人, no 家族


def csv_bytes(*rows: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return "\r\n".join((header, *rows)).encode(encoding) + b"\r\n"


@pytest.fixture
def run(app):
    def run(data: bytes, **options):
        with app.app_context():
            return import_losses(data, **options)
    return run


@pytest.fixture
def counts(app):
    """Rows in the member, eligibility, revocation and audit tables now."""
    def count():
        with app.app_context():
            return tuple(db.session.scalar(db.select(db.func.count()).select_from(model))
                         for model in (Member, Eligibility, RevocationEntry, AuditEntry))
    return count


@pytest.fixture
def loss(app):
    """(lost_on, loss_reason) of a member by 番号・枝番."""
    def find(number: str, branch: str) -> tuple:
        with app.app_context():
            m = db.session.scalar(db.select(Member).where(Member.number == number,
                                                          Member.branch == branch))
            return m.eligibility.lost_on, m.eligibility.loss_reason
    return find


def _lose(runner, path: str, *options: str):
    return runner.invoke(shikaku, ["members", "lose", path, *options])


def _where(report) -> list[tuple[int, str]]:
    return [(e.row, e.column) for e in report.errors]


# -- valid files ---------------------------------------------------------------------------

@pytest.mark.token_version(1)        # counts revocation ids (version 1)
def test_cp932_file_with_wareki_and_iso_dates(runner, csv_file, loss, counts, phone_tokens):
    before = counts()
    data = csv_bytes(f"{KAZUO},令和8年10月31日,退職", f"{HANAKO},2026-10-15,被扶養者でなくなった",
                     encoding="cp932")
    result = _lose(runner, csv_file(data))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        "資格喪失を登録しました: 喪失 2人（ほか家族 0人）・変更なし 0件（文字コード cp932） / "
        "recorded: 2 lost (+0 dependents), 0 unchanged (encoding cp932)")
    assert loss("91", "00") == (date(2026, 10, 31), "retirement")
    assert loss("5678", "01") == (date(2026, 10, 15), "dependent_removed")
    assert loss("5678", "00") == (None, None)
    members, eligibilities, revocations, entries = before
    assert counts() == (members, eligibilities, revocations + 2, entries + 2)


def test_utf8_with_bom_short_wareki_and_the_default_reason(run, loss):
    report = run(b"\xef\xbb\xbf" + csv_bytes(f"{KAZUO},R8.11.30,"))
    assert report.ok and report.encoding == "utf-8-sig" and report.lost == 1
    assert loss("91", "00") == (date(2026, 11, 30), "other")


def test_japanese_headers_and_no_reason_column(run, loss):
    report = run(csv_bytes(f"{KAZUO},H31.4.30", header="保険者番号,記号,番号,枝番,資格喪失年月日"))
    assert report.ok and report.lost == 1
    assert loss("91", "00") == (date(2019, 4, 30), "other")


@pytest.mark.token_version(1)        # counts revocation ids (version 1)
def test_an_insured_persons_loss_reaches_the_dependents_and_the_trust_list(app, run, loss, counts,
                                                                          phone_tokens):
    members, eligibilities, revocations, entries = counts()
    report = run(csv_bytes(f"{TARO},2026-10-31,retirement"))
    assert (report.lost, report.dependents, report.unchanged) == (1, 2, 0)
    assert loss("5678", "00") == (date(2026, 10, 31), "retirement")
    assert loss("5678", "01") == loss("5678", "02") == (date(2026, 10, 31), "insured_person_lost")
    assert counts() == (members, eligibilities, revocations + 3, entries + 3)
    with app.app_context():
        from server.keys import publishing
        publishing.forget()
        published = publishing.current_trust_list().revocations
        household = db.session.scalars(db.select(Member).where(Member.number == "5678")).all()
        assert all(revocation_id(m.eligibility) in published for m in household)
        actions = db.session.execute(db.select(AuditEntry.action, AuditEntry.actor)
                                     .order_by(AuditEntry.id.desc()).limit(3)).all()
    assert actions == [("member.loss", "cli")] * 3


@pytest.mark.parametrize("order", ["insured first", "dependent first"])
def test_a_dependent_row_beside_its_insured_person_in_either_order(run, loss, order):
    rows = [f"{TARO},2026-10-31,retirement", f"{HANAKO},2026-10-31,"]
    if order == "dependent first":
        rows.reverse()
    report = run(csv_bytes(*rows))
    assert report.ok, report.errors
    assert (report.lost, report.dependents, report.unchanged) == (1, 2, 1)
    assert loss("5678", "01") == (date(2026, 10, 31), "insured_person_lost")


@pytest.mark.parametrize("order", ["insured first", "dependent first"])
def test_a_dependent_row_later_than_its_insured_person_fails(run, counts, order):
    before = counts()
    rows = [f"{TARO},2026-10-15,", f"{HANAKO},2026-10-31,"]
    if order == "dependent first":
        rows.reverse()
    report = run(csv_bytes(*rows))
    dependent_row = 3 if order == "insured first" else 2
    assert _where(report) == [(dependent_row, "lost_on")]
    assert "本人の資格喪失年月日より後です" in report.errors[0].ja
    assert counts() == before


@pytest.mark.parametrize("order", ["insured first", "dependent first"])
@pytest.mark.parametrize("dry_run", [True, False])
def test_a_dependent_leaving_before_the_insured_person_keeps_their_own_date(run, loss, order, dry_run):
    """家族 leaves on 10/15 (their own insurance), the 本人 retires on 10/31: both as filed."""
    rows = [f"{TARO},2026-10-31,retirement", f"{HANAKO},2026-10-15,"]
    if order == "dependent first":
        rows.reverse()
    report = run(csv_bytes(*rows), dry_run=dry_run)
    assert report.ok, report.errors
    assert (report.lost, report.dependents, report.unchanged) == (2, 1, 0)
    if not dry_run:
        assert loss("5678", "01") == (date(2026, 10, 15), "other")
        assert loss("5678", "02") == (date(2026, 10, 31), "insured_person_lost")
        assert loss("5678", "00") == (date(2026, 10, 31), "retirement")


# -- errors ----------------------------------------------------------------------------------

def test_every_error_names_its_line_and_column_and_nothing_is_written(app, runner, csv_file,
                                                                      counts):
    with app.app_context():
        register.record_loss(register.find("06138093", "1234", "5678", "01"), date(2026, 9, 30),
                             "dependent_removed")
    unregistered = "0613001" + str(check_digit("0613001"))     # valid, but not in the register
    before = counts()
    rows = [
        f"{KAZUO},2026-10-31,",                       # 2: fine on its own
        "06138093,1234,9999,00,2026-10-31,",          # 3: no such member
        "06138094,1234,5678,00,2026-10-31,",          # 4: check digit
        f"{TARO},2026-10-31,転職",                    # 5: unknown reason
        f"{HINA},2021-05-31,",                        # 6: before 資格取得日
        f"{TARO},2028-01-01,",                        # 7: more than a year ahead
        f"{TARO},そのうち,",                          # 8: not a date
        f"{HANAKO},2026-10-31,",                      # 9: already lost on another date
        f"{unregistered},1,2,00,2026-10-31,",         # 10: insurer not in the register
        f"{KAZUO},2026-11-01,",                       # 11: row 2's member with another date
        f"{TARO},2026-10-31,被扶養者でなくなった",     # 12: fine
        f"{TARO},2026-10-31,death",                   # 13: row 12's member, another reason
    ]
    result = _lose(runner, csv_file(csv_bytes(*rows)))
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert [line.split(":")[0] for line in lines[:-1]] == [
        "row 3, number", "row 4, insurer_number", "row 5, reason", "row 6, lost_on",
        "row 7, lost_on", "row 8, lost_on", "row 9, lost_on", "row 10, insurer_number",
        "row 11, lost_on", "row 13, reason"]
    assert lines[1] == ("row 4, insurer_number: 検証番号（最後の桁）が一致しません / "
                        "the check digit (last digit) does not match")
    assert "資格取得年月日より前にはできません" in lines[3]
    assert "1年より先の日付は登録できません" in lines[4]
    assert "すでに別の日付で資格喪失が登録されています" in lines[6]
    assert "2行目と同じ加入者で資格喪失年月日が異なります" in lines[8]
    assert lines[-1] == ("登録しませんでした: エラー 10件。何も書き込んでいません / "
                         "not recorded: 10 error(s); nothing was written")
    assert "9999" not in result.output and "5678" not in result.output    # never the values
    assert counts() == before


def test_the_same_date_with_another_recorded_reason_is_an_error(app, run):
    with app.app_context():
        register.record_loss(register.find("06138093", "1234", "91", "00"), date(2026, 10, 31),
                             "retirement")
    report = run(csv_bytes(f"{KAZUO},2026-10-31,死亡"))
    assert _where(report) == [(2, "reason")]
    assert run(csv_bytes(f"{KAZUO},2026-10-31,")).unchanged == 1      # no reason: agrees
    assert run(csv_bytes(f"{KAZUO},2026-10-31,退職")).unchanged == 1


def test_a_bad_header_or_encoding(run):
    report = run(csv_bytes(f"{KAZUO}", header="insurer_number,symbol,number,branch"))
    assert _where(report) == [(1, "lost_on")]
    report = run(csv_bytes(f"{KAZUO},2026-10-31,", header=HEADER + ",name"))
    assert _where(report) == [(1, "name")]
    report = run("保険者番号\r\n".encode("cp932"), encoding="utf-8")
    assert _where(report) == [(1, "")] and "UTF-8" in report.errors[0].ja
    with pytest.raises(ValueError):
        run(csv_bytes(f"{KAZUO},2026-10-31,"), encoding="latin-1")


def test_another_insurers_row_is_refused_when_the_caller_may_not_touch_it(run, loss, counts):
    before = counts()
    report = run(csv_bytes(f"{KAZUO},2026-10-31,"), allowed_insurers={"39130000"})
    assert _where(report) == [(2, "insurer_number")]
    assert report.errors[0].ja == "この保険者の資格は登録できません"
    assert counts() == before
    assert run(csv_bytes(f"{KAZUO},2026-10-31,"), allowed_insurers={"06138093"}).lost == 1
    assert loss("91", "00")[0] == date(2026, 10, 31)


# -- idempotency, dry run ------------------------------------------------------------------------

def test_rerunning_the_same_file_changes_nothing_and_says_so(runner, csv_file, counts):
    path = csv_file(csv_bytes(f"{HANAKO},2026-10-31,", f"{TARO},2026-10-31,", f"{KAZUO},R8.9.30,"))
    first = _lose(runner, path)
    assert first.exit_code == 0 and "喪失 2人（ほか家族 2人）・変更なし 1件" in first.output
    after = counts()
    again = _lose(runner, path)
    assert again.exit_code == 0
    assert again.output.startswith("変更はありません: 喪失 0人（ほか家族 0人）・変更なし 3件")
    assert "nothing changed: 0 lost (+0 dependents), 3 unchanged" in again.output
    assert counts() == after


def test_a_dry_run_reports_and_writes_nothing(runner, csv_file, counts, loss):
    before = counts()
    result = _lose(runner, csv_file(csv_bytes(f"{TARO},2026-10-31,", f"{HINA},2026-10-31,")),
                   "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines() == [
        "row 2: 喪失 lose", "row 3: 変更なし unchanged",
        "ドライラン（書き込みなし）: 喪失 1人（ほか家族 2人）・変更なし 1件（文字コード utf-8） / "
        "dry run, nothing written: 1 lost (+2 dependents), 1 unchanged (encoding utf-8)"]
    assert counts() == before and loss("5678", "00") == (None, None)
    bad = _lose(runner, csv_file(csv_bytes(f"{TARO},2014-01-01,")), "--dry-run")
    assert bad.exit_code == 1 and "row 2, lost_on" in bad.output


def test_cli_usage_errors(runner, csv_file, tmp_path):
    assert _lose(runner, str(tmp_path / "nowhere.csv")).exit_code == 2
    assert _lose(runner, csv_file(csv_bytes(f"{KAZUO},2026-10-31,")), "--encoding",
                 "latin-1").exit_code == 2


# -- the admin upload --------------------------------------------------------------------------

def _upload(client, data: bytes, token: str | None, dry_run: bool = False):
    form = {"encoding": "auto", "file": (io.BytesIO(data), "losses.csv")}
    if token:
        form["csrf_token"] = token
    if dry_run:
        form["dry_run"] = "1"
    return client.post("/admin/import/losses", data=form, content_type="multipart/form-data")


def test_the_admin_upload_needs_a_signed_in_admin_and_csrf(client, as_staff, counts):
    data = csv_bytes(f"{KAZUO},2026-10-31,")
    before = counts()
    anonymous = client.get("/admin/import/losses")
    assert anonymous.status_code == 302 and "/admin/login" in anonymous.headers["Location"]
    assert _upload(client, data, None).status_code in (302, 400)
    token = as_staff("clerk")
    assert client.get("/admin/import/losses").status_code == 403
    assert _upload(client, data, token).status_code == 403
    as_staff("admin")
    assert _upload(client, data, None).status_code == 400          # no CSRF token
    assert counts() == before


def test_the_admin_upload_dry_run_then_record(app, client, as_staff, counts, loss):
    token = as_staff("admin")
    page = client.get("/admin/import/losses").get_data(as_text=True)
    assert 'name="csrf_token"' in page and "資格喪失のCSV取込" in page
    data = csv_bytes(f"{TARO},令和8年10月31日,退職", encoding="cp932")
    before = counts()
    dry = _upload(client, data, token, dry_run=True)
    assert dry.status_code == 200 and "確認結果" in dry.get_data(as_text=True)
    assert "喪失 1人（ほか家族 2人）" in dry.get_data(as_text=True) and counts() == before
    done = _upload(client, data, token).get_data(as_text=True)
    assert "資格喪失を登録しました: 喪失 1人（ほか家族 2人）" in done
    assert loss("5678", "02") == (date(2026, 10, 31), "insured_person_lost")
    with app.app_context():
        actors = set(db.session.scalars(db.select(AuditEntry.actor).where(
            AuditEntry.action == "member.loss")))
    assert len(actors) == 1 and actors.pop().startswith("staff:")
    again = _upload(client, data, token).get_data(as_text=True)
    assert "変更はありません" in again


def test_the_admin_upload_lists_row_errors_in_a_table(client, as_staff, counts):
    token = as_staff("admin")
    before = counts()
    response = _upload(client, csv_bytes(f"{KAZUO},2026-10-31,", f"{TARO},2026-10-31,転職"), token)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="loss-errors"' in html
    assert "<td>3</td><td>reason</td>" in html and "何も書き込んでいません" in html
    assert counts() == before


def test_insurer_lookup_is_by_number(app, run):
    """A second insurer with the same 記号・番号 is another member."""
    with app.app_context():
        db.session.add(Insurer(number="39130000", name="東京都後期高齢者医療広域連合"))
        db.session.commit()
    report = run(csv_bytes("39130000,1234,91,00,2026-10-31,"))
    assert _where(report) == [(2, "number")]


# -- large files: set-wise, with the effects of one loss at a time ---------------------------

MEMBER_HEADER = ("insurer_number,symbol,number,branch,relationship,name,name_kana,sex,birth_date,"
                 "acquired_on,copay_ratio,copay_from,mynumber_last4")


@pytest.fixture
def households(app):
    """``households(first, n)``: n new households (本人 and 家族, 記号 88, 番号 first…) with
    what a loss takes back: a phone token each (a status index), and for the 本人 a
    資格確認書, an unused activation code and a signed-in session. Returns their loss rows."""
    from server.auth import sessions
    from server.documents import activation_codes, cards
    from server.documents.issuance import issue_token
    from server.register.csv_import import import_members

    def make(first: int, n: int) -> list[str]:
        numbers = [str(first + i) for i in range(n)]
        rows = [row for number in numbers for row in (
            f"06138093,88,{number},00,1,試験 太郎,シケン タロウ,1,1980-01-01,2020-04-01,3,,",
            f"06138093,88,{number},01,2,試験 花子,シケン ハナコ,2,1982-02-02,2020-04-01,3,,")]
        with app.app_context():
            assert import_members(csv_bytes(*rows, header=MEMBER_HEADER)).ok
            enrolled = db.session.scalars(db.select(Member).where(
                Member.symbol == "88", Member.number.in_(numbers))).all()
            for m in enrolled:
                issue_token(m)
                if m.branch == "00":
                    cards.issue_card(m)
                    activation_codes.issue(m)
                    with app.test_request_context():
                        sessions.start("member", m.id)
            db.session.commit()
        return [f"06138093,88,{number},00,2026-10-31,retirement" for number in numbers]
    return make


def _taken_back(app, number: str) -> list[tuple]:
    """What a loss did to household 88-``number``, member by member (ids left out)."""
    from server.models import ActivationCode, AuthSession, EligibilityCard, StatusSlot
    with app.app_context():
        out = []
        for m in db.session.scalars(db.select(Member).where(Member.symbol == "88", Member.number == number)
                                    .order_by(Member.branch)):
            e = m.eligibility
            out.append((
                m.branch, e.lost_on, e.loss_reason,
                db.session.scalar(db.select(StatusSlot.revoked_at).where(StatusSlot.eligibility_id == e.id)),
                [(c.status, c.withdraw_reason) for c in db.session.scalars(
                    db.select(EligibilityCard).where(EligibilityCard.member_id == m.id))],
                db.session.scalar(db.select(StatusSlot.revoked_at).join(
                    EligibilityCard, EligibilityCard.id == StatusSlot.card_id).where(
                    EligibilityCard.member_id == m.id)),
                [c.invalidated_at is not None for c in db.session.scalars(
                    db.select(ActivationCode).where(ActivationCode.member_id == m.id))],
                [s.end_reason for s in db.session.scalars(db.select(AuthSession).where(
                    AuthSession.owner_type == "member", AuthSession.owner_id == m.id))],
                sorted(db.session.scalars(db.select(AuditEntry.action).where(
                    AuditEntry.insurer_id == m.insurer_id,
                    AuditEntry.action.in_(("member.loss", "card.withdraw")),
                    ((AuditEntry.target_type == "member") & (AuditEntry.target_id == m.id))
                    | ((AuditEntry.target_type == "eligibilitycard") & AuditEntry.target_id.in_(
                        db.select(EligibilityCard.id).where(EligibilityCard.member_id == m.id)))))),
            ))
        return out


def test_a_file_has_the_effects_of_losses_recorded_one_at_a_time(app, run, households):
    by_hand, by_file = households(7000, 3), households(8000, 3)
    with app.app_context():
        for number in ("7000", "7001", "7002"):
            register.record_loss(register.find("06138093", "88", number, "00"), date(2026, 10, 31),
                                 "retirement")
    report = run(csv_bytes(*by_file))
    assert (report.lost, report.dependents) == (3, 3)
    for hand, file in zip(("7000", "7001", "7002"), ("8000", "8001", "8002")):
        expected = _taken_back(app, hand)
        assert _taken_back(app, file) == expected
        insured, dependent = expected
        # and each effect is there: the eligibility ended, the bits set, the card withdrawn,
        # the code and the session ended, the audit entries written
        assert insured[1:3] == (date(2026, 10, 31), "retirement") and insured[3] is not None
        assert insured[4:] == ([("withdrawn", "loss")], insured[5], [True], ["loss"],
                               ["card.withdraw", "member.loss"]) and insured[5] is not None
        assert dependent[2:4] == ("insured_person_lost", insured[3])


def test_the_statements_of_a_file_do_not_grow_with_its_rows(app, run, households):
    """Set-wise: a file of 40 losses (80 members) runs as many statements as one of 4."""
    from sqlalchemy import event
    small, large = households(5000, 4), households(6000, 40)

    def statements(rows: list[str]) -> int:
        seen = []
        with app.app_context():
            listen = lambda *args: seen.append(args[2])          # noqa: E731 (the SQL text)
            event.listen(db.engine, "before_cursor_execute", listen)
            try:
                report = import_losses(csv_bytes(*rows))
            finally:
                event.remove(db.engine, "before_cursor_execute", listen)
        assert report.ok and report.lost == len(rows)
        return len(seen)

    few, many = statements(small), statements(large)
    assert many <= few + 2, (few, many)
