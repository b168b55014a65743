"""CSV member import: encodings, all or nothing, idempotency, 本人/家族 consistency, the CLI.

The demo register (conftest `app`) holds insurer 06138093 with 記号 1234: 番号 5678
(本人 00 𠮷田 太郎, 家族 01 and 02) and 番号 91 (本人 00 髙橋 和夫, 限度額 B04).
The clock is frozen on 2026-11-18.
"""
from __future__ import annotations

import json
from datetime import date

import pytest

from server.cli import main as shikaku
from server.extensions import db
from server.models import AuditEntry, Insurer, Member, RevocationEntry
from server.register.csv_import import import_members

HEADER = ("insurer_number,symbol,number,branch,relationship,name,name_kana,sex,birth_date,"
          "acquired_on,copay_ratio,copay_from,mynumber_last4")
JA_HEADER = ("保険者番号,記号,番号,枝番,本人家族区分,氏名,フリガナ,性別,生年月日,資格取得年月日,"
             "負担割合,負担割合開始日,マイナンバー下4桁")
# New household 記号 77 番号 770077: 本人 and a 家族.
INSURED = "06138093,77,770077,00,1,山田 太郎,ヤマダ タロウ,1,1985-01-02,2020-04-01,3,,5678"
DEPENDENT = "06138093,77,770077,01,2,山田 花子,ヤマダ ハナコ,2,H1.10.1,2020-04-01,3,,1234"
# The demo 本人, exactly as registered.
YOSHIDA = "06138093,1234,5678,00,1,𠮷田 太郎,ヨシダ タロウ,1,1980-05-15,2015-04-01,30,2015-04-01,4821"
# The demo 本人 with 限度額 B04 (consented), without the optional columns.
TAKAHASHI = "06138093,1234,91,00,1,髙橋 和夫,タカハシ カズオ,1,1954-03-10,1999-10-01,20,2024-04-01,2208"


def csv_bytes(*rows: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return "\r\n".join((header, *rows)).encode(encoding) + b"\r\n"


@pytest.fixture
def run_import(app):
    """Call import_members inside an app context."""
    def run(data: bytes, **options):
        with app.app_context():
            return import_members(data, **options)
    return run


@pytest.fixture
def counts(app):
    """(members, audit entries, revocation entries) in the register now."""
    def count():
        with app.app_context():
            return tuple(db.session.scalar(db.select(db.func.count()).select_from(model))
                         for model in (Member, AuditEntry, RevocationEntry))
    return count


@pytest.fixture
def member(app):
    """A member's details as a dict (looked up by 記号・番号・枝番 in 06138093)."""
    def find(symbol: str, number: str, branch: str) -> dict | None:
        with app.app_context():
            m = db.session.scalar(db.select(Member).join(Insurer).where(
                Insurer.number == "06138093", Member.symbol == symbol,
                Member.number == number, Member.branch == branch))
            if m is None:
                return None
            return {"id": m.id, "name": m.name, "name_kana": m.name_kana,
                    "birth_date": m.birth_date, "insured_person_id": m.insured_person_id,
                    "mynumber_last4": m.mynumber_last4, "lost_on": m.eligibility.lost_on,
                    "loss_reason": m.eligibility.loss_reason,
                    "limit_category": m.limit_category, "acquired_on": m.eligibility.acquired_on}
    return find


def _import(runner, path: str, *options: str):
    return runner.invoke(shikaku, ["members", "import", path, *options])


# -- encodings ---------------------------------------------------------------------------

def test_cp932_file_with_kanji_variant_and_wareki_dates(runner, csv_file, member):
    row = "06138093,88,123,00,1,髙﨑 一郎,タカサキ イチロウ,1,平成元年10月1日,H30.4.1,3割,,2468"
    result = _import(runner, csv_file(csv_bytes(row, encoding="cp932")))
    assert result.exit_code == 0, result.output
    assert "新規 1件" in result.output and "cp932" in result.output
    found = member("88", "123", "00")
    assert found["name"] == "髙﨑 一郎"
    assert found["birth_date"] == date(1989, 10, 1)
    assert found["acquired_on"] == date(2018, 4, 1)


def test_utf8_with_bom_detected_and_forced(run_import, member):
    data = b"\xef\xbb\xbf" + csv_bytes(INSURED)
    report = run_import(data, dry_run=True)
    assert report.ok and report.encoding == "utf-8-sig" and report.created == 1
    report = run_import(data, encoding="utf-8")
    assert report.ok and report.created == 1
    assert member("77", "770077", "00")["name"] == "山田 太郎"


def test_plain_utf8_is_detected(run_import):
    report = run_import(csv_bytes(INSURED), dry_run=True)
    assert report.ok and report.encoding == "utf-8"


def test_undecodable_bytes_name_the_row(run_import, counts):
    before = counts()
    data = csv_bytes(INSURED, DEPENDENT, encoding="cp932")   # not UTF-8
    report = run_import(data, encoding="utf-8")
    assert [(e.row, e.column) for e in report.errors] == [(2, "")]
    assert "UTF-8" in report.errors[0].ja
    broken = csv_bytes(INSURED).replace(b"770077", b"77\x80077") + DEPENDENT.encode() + b"\r\n"
    report = run_import(broken)                               # 0x80 is not CP932 either
    assert report.encoding == "cp932" and [e.row for e in report.errors] == [2]
    assert counts() == before


def test_unknown_encoding_is_a_usage_error(run_import):
    with pytest.raises(ValueError):
        run_import(csv_bytes(INSURED), encoding="latin-1")


# -- the header ----------------------------------------------------------------------------

def test_japanese_headers_are_accepted(run_import, member):
    report = run_import(csv_bytes(DEPENDENT, INSURED, header=JA_HEADER))
    assert report.ok and report.created == 2
    assert member("77", "770077", "01")["name"] == "山田 花子"


def test_unknown_column_is_refused_by_name(runner, csv_file, counts):
    before = counts()
    result = _import(runner, csv_file(csv_bytes(INSURED + ",blue", header=HEADER + ",colour")))
    assert result.exit_code == 1
    assert "row 1, colour: 不明な列です / unknown column" in result.output
    assert counts() == before


def test_missing_required_column_is_refused(run_import):
    header = HEADER.replace(",name_kana", "")
    row = INSURED.replace(",ヤマダ タロウ", "")
    report = run_import(csv_bytes(row, header=header))
    assert [(e.row, e.column) for e in report.errors] == [(1, "name_kana")]
    assert "フリガナ" in report.errors[0].ja


def test_a_file_without_a_header_row_does_not_echo_its_first_row(run_import):
    report = run_import(csv_bytes(DEPENDENT, header=INSURED))
    assert [(e.row, e.column) for e in report.errors] == [(1, "")]
    assert "山田" not in str(report.errors[0]) and "770077" not in str(report.errors[0])


# -- all or nothing ----------------------------------------------------------------------------

def test_bad_rows_in_the_middle_list_every_error_and_write_nothing(runner, csv_file, counts):
    before = counts()
    rows = [
        INSURED,                                                             # row 2: fine
        "06138094,77,880088,00,1,佐藤 一,さとう はじめ!,1,1990-01-01,2020-04-01,3,,1111",  # row 3
        DEPENDENT,                                                           # row 4: fine
        "06138093,77,990099,00,1,鈴木 二郎,スズキ ジロウ,4,H31.5.1,2020-04-01,3,,2222",   # row 5
    ]
    result = _import(runner, csv_file(csv_bytes(*rows)))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("row 3, insurer_number: 検証番号")
    assert lines[1].startswith("row 3, name_kana: カタカナで入力してください / katakana only")
    assert lines[2].startswith("row 5, sex: ")
    assert lines[3].startswith("row 5, birth_date: 日付として読めません")
    assert "エラー 4件" in lines[4] and "nothing was written" in lines[4]
    assert counts() == before


def test_a_row_with_too_few_cells_is_an_error(run_import):
    report = run_import(csv_bytes(INSURED, "06138093,77,770077,01,2"))
    assert [(e.row, e.column) for e in report.errors] == [(3, "")]


def test_row_numbers_are_lines_in_the_file(run_import):
    quoted = INSURED.replace("山田 太郎", '"山田\n太郎"')      # a quoted newline: 2 lines
    report = run_import(csv_bytes(quoted, "", DEPENDENT.replace("ハナコ", "hanako")))
    assert [(e.row, e.column) for e in report.errors][-1] == (5, "name_kana")


# -- idempotency and updates ---------------------------------------------------------------------

def test_reimporting_the_same_file_changes_nothing(run_import, counts):
    data = csv_bytes(INSURED, DEPENDENT, YOSHIDA)
    first = run_import(data)
    assert (first.created, first.updated, first.unchanged) == (2, 0, 1)
    after_first = counts()
    second = run_import(data)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 3)
    assert counts() == after_first


def test_creates_write_one_audit_entry_each_with_the_member(app, run_import, member):
    run_import(csv_bytes(INSURED, DEPENDENT), actor="staff:9")
    insured, dependent = member("77", "770077", "00"), member("77", "770077", "01")
    assert dependent["insured_person_id"] == insured["id"]
    with app.app_context():
        entries = db.session.scalars(db.select(AuditEntry).where(
            AuditEntry.action == "member.create").order_by(AuditEntry.target_id)).all()
    assert [(e.target_id, e.actor, e.before_json) for e in entries] == [
        (insured["id"], "staff:9", None), (dependent["id"], "staff:9", None)]
    after = json.loads(entries[1].after_json)
    assert after["insured_person_id"] == insured["id"] and after["birth_date"] == "1989-10-01"


def test_a_changed_row_updates_with_one_audit_entry(app, run_import, member, counts):
    members, entries, revocations = counts()
    row = YOSHIDA.replace("ヨシダ タロウ", "ヨシダ タロー").replace(",4821", ",4822")
    report = run_import(csv_bytes(row))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    assert report.changes[0].fields == ("name_kana", "mynumber_last4")
    assert member("1234", "5678", "00")["name_kana"] == "ヨシダ タロー"
    assert counts() == (members, entries + 1, revocations)
    with app.app_context():
        entry = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.action == "member.update" and entry.actor == "cli"
    before, after = json.loads(entry.before_json), json.loads(entry.after_json)
    assert {k for k in after if after[k] != before[k]} == {"name_kana", "mynumber_last4"}
    assert run_import(csv_bytes(row)).unchanged == 1


def test_an_update_that_rewrites_ratio_history_is_refused(run_import, counts):
    before = counts()
    row = YOSHIDA.replace(",30,2015-04-01,", ",20,2010-04-01,").replace("2015-04-01", "2009-04-01")
    report = run_import(csv_bytes(INSURED, row))
    assert [(e.row, e.column) for e in report.errors] == [(3, "copay_from")]
    assert counts() == before


def test_optional_columns_left_out_keep_the_register_values(run_import, member):
    row = TAKAHASHI
    report = run_import(csv_bytes(row))
    assert report.unchanged == 1
    assert member("1234", "91", "00")["limit_category"] == "B04"
    report = run_import(csv_bytes(row + ",,0", header=HEADER + ",limit_category,limit_consent"))
    assert report.changes[0].fields == ("limit_category", "limit_consent")


def test_an_insurer_not_in_the_register_is_refused(run_import):
    report = run_import(csv_bytes(INSURED.replace("06138093", "01130012")))
    assert [(e.row, e.column, e.ja) for e in report.errors] == [
        (2, "insurer_number", "登録されていない保険者です")]


def test_reading_the_whole_insurer_plans_the_same(monkeypatch, run_import):
    """Large files read the insurer's members in one pass instead of household by household."""
    data = csv_bytes(INSURED, YOSHIDA.replace("ヨシダ タロウ", "ヨシダ タロー"), TAKAHASHI)
    by_household = run_import(data, dry_run=True)
    monkeypatch.setattr("server.register.csv_import.FEW_HOUSEHOLDS", 0)
    assert run_import(data, dry_run=True) == by_household
    assert [c.action for c in by_household.changes] == ["create", "update", "unchanged"]


# -- dry run -------------------------------------------------------------------------------------

def test_dry_run_reports_rows_and_fields_and_writes_nothing(runner, csv_file, counts):
    before = counts()
    changed = YOSHIDA.replace("ヨシダ タロウ", "ヨシダ タロー")
    unchanged = "06138093,1234,5678,01,2,𠮷田 花子,ヨシダ ハナコ,2,1982-08-20,2015-04-01,30,2015-04-01,1937"
    result = _import(runner, csv_file(csv_bytes(INSURED, changed, unchanged)), "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "row 2: 新規 create",
        "row 3: 更新 update (name_kana)",
        "row 4: 変更なし unchanged",
        "ドライラン（書き込みなし）: 新規 1件・更新 1件・変更なし 1件（文字コード utf-8） / "
        "dry run, nothing written: 1 to create, 1 to update, 1 unchanged"]
    assert counts() == before
    for value in ("山田", "ヨシダ", "770077", "5678"):
        assert value not in result.output


def test_dry_run_finds_the_same_errors(run_import):
    report = run_import(csv_bytes(DEPENDENT), dry_run=True)
    assert report.dry_run and [(e.row, e.column) for e in report.errors] == [(2, "relationship")]


# -- 本人 / 家族 -----------------------------------------------------------------------------------

def test_a_dependent_before_its_insured_person_in_the_file(run_import, member):
    report = run_import(csv_bytes(DEPENDENT, INSURED))
    assert report.ok and report.created == 2
    assert member("77", "770077", "01")["insured_person_id"] == member("77", "770077", "00")["id"]


def test_a_dependent_of_a_registered_insured_person(run_import, member):
    row = "06138093,1234,5678,03,2,𠮷田 蓮,ヨシダ レン,1,2024-02-29,2024-03-01,2,,"
    assert run_import(csv_bytes(row)).created == 1
    assert member("1234", "5678", "03")["insured_person_id"] == member("1234", "5678", "00")["id"]


def test_a_dependent_without_an_insured_person_fails(run_import, counts):
    before = counts()
    report = run_import(csv_bytes(DEPENDENT))
    [error] = report.errors
    assert (error.row, error.column) == (2, "relationship") and "本人" in error.ja
    assert counts() == before


def test_a_second_insured_person_fails(run_import):
    second = INSURED.replace(",00,1,", ",02,1,")
    report = run_import(csv_bytes(INSURED, second))
    assert [(e.row, e.column) for e in report.errors] == [(3, "relationship")]
    assert "row 2" in report.errors[0].en
    registered = YOSHIDA.replace(",00,1,", ",05,1,")        # 1234/5678 has its 本人 at 00
    report = run_import(csv_bytes(registered))
    assert [(e.row, e.column) for e in report.errors] == [(2, "relationship")]


def test_duplicate_keys_fail_naming_both_rows(runner, csv_file):
    again = INSURED.replace("山田 太郎", "山田 一郎")
    result = _import(runner, csv_file(csv_bytes(INSURED, DEPENDENT, again)))
    assert result.exit_code == 1
    assert "row 4, branch: 2行目と保険者番号・記号・番号・枝番が重複しています" in result.output
    assert "same 保険者番号・記号・番号・枝番 as row 2" in result.output


def test_relationship_cannot_change_by_import(run_import):
    row = YOSHIDA.replace(",00,1,", ",00,2,")
    report = run_import(csv_bytes(row))
    assert [(e.row, e.column) for e in report.errors] == [(2, "relationship")]


# -- loss of eligibility ---------------------------------------------------------------------------

@pytest.mark.token_version(1)        # counts revocation ids (version 1)
def test_a_loss_date_records_the_loss_and_revokes(app, run_import, member, counts, phone_tokens):
    members, entries, revocations = counts()
    header = HEADER + ",lost_on"
    report = run_import(csv_bytes(YOSHIDA + ",R8.10.31", header=header))
    assert (report.updated, report.changes[0].fields) == (1, ("lost_on",))
    insured, dependent = member("1234", "5678", "00"), member("1234", "5678", "01")
    assert insured["lost_on"] == date(2026, 10, 31) and insured["loss_reason"] == "other"
    # as register.record_loss: the 家族 lose eligibility with their 本人, each revoked
    assert (dependent["lost_on"], dependent["loss_reason"]) == (date(2026, 10, 31),
                                                               "insured_person_lost")
    assert counts() == (members, entries + 3, revocations + 3)
    with app.app_context():
        actions = db.session.scalars(db.select(AuditEntry.action).where(
            AuditEntry.id > entries)).all()
    assert actions == ["member.loss"] * 3
    again = run_import(csv_bytes(YOSHIDA + ",R8.10.31", header=header))
    assert (again.updated, again.unchanged) == (0, 1)
    assert counts() == (members, entries + 3, revocations + 3)


def test_a_loss_cannot_be_undone_by_import(run_import):
    header = HEADER + ",lost_on"
    run_import(csv_bytes(YOSHIDA + ",2026-10-31", header=header))
    report = run_import(csv_bytes(YOSHIDA + ",", header=header))
    assert [(e.row, e.column) for e in report.errors] == [(2, "lost_on")]


def test_dependents_of_an_insured_person_losing_eligibility_need_the_loss_too(
        run_import, member, counts):
    before = counts()
    header = HEADER + ",lost_on"
    hanako = "06138093,1234,5678,01,2,𠮷田 花子,ヨシダ ハナコ,2,1982-08-20,2015-04-01,30,2015-04-01,1937"
    report = run_import(csv_bytes(YOSHIDA + ",2026-10-31", hanako + ",", header=header))
    assert [(e.row, e.column) for e in report.errors] == [(3, "lost_on")]
    assert counts() == before
    report = run_import(csv_bytes(YOSHIDA + ",2026-10-31", hanako + ",2026-10-31", header=header))
    assert (report.updated, report.unchanged) == (2, 0)
    assert member("1234", "5678", "02")["lost_on"] == date(2026, 10, 31)   # not in the file


def test_no_new_dependents_for_an_insured_person_who_lost_eligibility(run_import, counts):
    before = counts()
    header = HEADER + ",lost_on"
    report = run_import(csv_bytes(INSURED + ",2026-10-31", DEPENDENT + ",2026-10-31",
                                  header=header))
    assert [(e.row, e.column) for e in report.errors] == [(3, "relationship")]
    assert counts() == before


# -- My Number, the CLI ---------------------------------------------------------------------------

def test_a_full_my_number_is_refused_and_never_echoed(runner, csv_file, counts):
    before = counts()
    row = INSURED.replace(",5678", ",123456789018")
    result = _import(runner, csv_file(csv_bytes(row)))
    assert result.exit_code == 1
    assert "row 2, mynumber_last4: マイナンバーは下4桁だけを登録します" in result.output
    assert "123456789018" not in result.output and "9018" not in result.output
    assert counts() == before


def test_cli_exit_codes(runner, csv_file, tmp_path):
    assert _import(runner, csv_file(csv_bytes(INSURED))).exit_code == 0
    assert _import(runner, csv_file(csv_bytes(DEPENDENT.replace("ハナコ", "x")))).exit_code == 1
    missing = _import(runner, str(tmp_path / "nowhere.csv"))
    assert missing.exit_code == 2 and "nowhere.csv" in missing.output
    unknown = _import(runner, csv_file(csv_bytes(INSURED)), "--encoding", "latin-1")
    assert unknown.exit_code == 2


def test_cli_summary_is_japanese_first(runner, csv_file):
    result = _import(runner, csv_file(csv_bytes(INSURED, DEPENDENT, YOSHIDA)))
    assert result.output.strip() == (
        "取り込みました: 新規 2件・更新 0件・変更なし 1件（文字コード utf-8） / "
        "imported: 2 created, 0 updated, 1 unchanged (encoding utf-8)")


# -- the bulk write (COPY on PostgreSQL, executemany INSERT on SQLite) -----------------------------

def _cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


#: What COPY's text format would get wrong if a value were not escaped: a backslash before N
#: (\N is NULL), the end-of-data marker \., a trailing backslash, quotes, commas, 𠮷 (4 bytes).
ODD_NAME = '𠮷田 \\N "太郎" O\'Brien, C:\\tmp\\. \\'


def test_new_members_round_trip_exactly(app, run_import, member, clock):
    from server.models import CopayRatio, Eligibility
    from server.token_core.claims import Copay, Relationship, Sex
    header = HEADER + ",lost_on,limit_category,limit_consent"
    odd = f"06138093,77,770077,00,1,{_cell(ODD_NAME)},ヤマダ タロウ,1,1985-01-02,2020-04-01,3,,,,,0"
    full = ("06138093,77,770077,01,2,山田 花子,ヤマダ ハナコ,2,H1.10.1,2020-04-01,20,2024-04-01,"
            "0042,2026-10-31,a03,1")
    report = run_import(csv_bytes(odd, full, header=header), actor="staff:9 o'neil\\x")
    assert (report.created, report.errors) == (2, ())
    insured, dependent = member("77", "770077", "00"), member("77", "770077", "01")
    with app.app_context():
        rows = {m.id: m for m in db.session.scalars(db.select(Member).where(
            Member.id.in_([insured["id"], dependent["id"]])))}
        a, b = rows[insured["id"]], rows[dependent["id"]]
        assert (a.name, a.name_kana, a.relationship, a.sex, a.birth_date) == (
            ODD_NAME, "ヤマダ タロウ", Relationship.INSURED, Sex.MALE, date(1985, 1, 2))
        assert (a.mynumber_last4, a.limit_category, a.limit_consent, a.limit_consent_at,
                a.insured_person_id, a.webauthn_handle) == (None, None, False, None, None, None)
        assert (a.created_at, a.updated_at) == (clock.now, clock.now)
        assert (b.name, b.relationship, b.sex, b.birth_date, b.mynumber_last4) == (
            "山田 花子", Relationship.DEPENDENT, Sex.FEMALE, date(1989, 10, 1), "0042")
        assert (b.insured_person_id, b.limit_category, b.limit_consent, b.limit_consent_at) == (
            a.id, "A03", True, clock.now)
        periods = {e.member_id: e for e in db.session.scalars(db.select(Eligibility).where(
            Eligibility.member_id.in_(rows)))}
        assert (periods[a.id].acquired_on, periods[a.id].lost_on, periods[a.id].loss_reason) == (
            date(2020, 4, 1), None, None)
        assert periods[b.id].lost_on == date(2026, 10, 31)
        seeds = [periods[i].revocation_seed for i in rows]
        assert all(isinstance(s, bytes) and len(s) == 16 for s in seeds) and seeds[0] != seeds[1]
        ratios = {c.member_id: (c.ratio, c.effective_from) for c in db.session.scalars(
            db.select(CopayRatio).where(CopayRatio.member_id.in_(rows)))}
        assert ratios == {a.id: (Copay.THIRTY, date(2020, 4, 1)),
                          b.id: (Copay.TWENTY, date(2024, 4, 1))}
        entries = db.session.scalars(db.select(AuditEntry).where(
            AuditEntry.action == "member.create", AuditEntry.target_id.in_(rows))).all()
        assert {e.actor for e in entries} == {"staff:9 o'neil\\x"}
        after = {e.target_id: json.loads(e.after_json) for e in entries}
        assert after[a.id]["name"] == ODD_NAME and after[a.id]["mynumber_last4"] is None
        assert after[b.id]["limit_category"] == "A03" and after[b.id]["lost_on"] == "2026-10-31"
    again = run_import(csv_bytes(odd, full, header=header))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_ids_after_a_bulk_write_do_not_collide(app, run_import, member):
    """The new members' ids come from the table's own sequence (PostgreSQL), so the next
    ordinary insert does not collide with them."""
    from server.register import members
    from server.register.validation import validate_member
    run_import(csv_bytes(INSURED, DEPENDENT))
    with app.app_context():
        data = validate_member(dict(zip(HEADER.split(","), YOSHIDA.replace(
            "1234,5678", "1234,777").split(","))), today=date(2026, 11, 18))
        created = members.create_member(data).id
        ids = db.session.scalars(db.select(Member.id)).all()
    assert len(ids) == len(set(ids)) and created > member("77", "770077", "01")["id"]


@pytest.mark.parametrize("table, column", [
    ("member", "name"), ("eligibility", "acquired_on"), ("copay_ratio", "effective_from"),
    ("audit_entry", "action")])
def test_a_constraint_failing_mid_write_leaves_nothing(app, monkeypatch, run_import, counts,
                                                       member, table, column):
    """The last row written to ``table`` breaks a NOT NULL constraint, after the rows before
    it (and, for the later tables, every new member) are already written: the import reports
    it and the transaction leaves nothing behind, including the update planned after it."""
    from server.models import CopayRatio, Eligibility
    from server.register import csv_import
    from server.token_core.claims import Relationship

    def broken(rows):
        return [*rows[:-1], {**rows[-1], column: None}]
    if table == "member":      # the 家族 (the second batch: the 本人 are already written)
        real_members = csv_import._insert_members
        monkeypatch.setattr(csv_import, "_insert_members", lambda values: real_members(
            broken(values) if values[0]["relationship"] is Relationship.DEPENDENT else values))
    else:
        real_insert = csv_import._insert
        monkeypatch.setattr(csv_import, "_insert", lambda t, rows: real_insert(
            t, broken(rows) if t.name == table else rows))

    def tables():
        with app.app_context():
            return counts() + tuple(db.session.scalar(db.select(db.func.count()).select_from(m))
                                    for m in (Eligibility, CopayRatio))
    before = tables()
    changed = YOSHIDA.replace("ヨシダ タロウ", "ヨシダ タロー")
    report = run_import(csv_bytes(INSURED, DEPENDENT, changed))
    assert [(e.row, e.column) for e in report.errors] == [(0, "")]
    assert "the register changed during the import" in report.errors[0].en
    assert (report.created, report.updated) == (0, 0)
    assert tables() == before
    assert member("77", "770077", "00") is None
    assert member("1234", "5678", "00")["name_kana"] == "ヨシダ タロウ"
    monkeypatch.undo()
    report = run_import(csv_bytes(INSURED, DEPENDENT, changed))     # the session is usable
    assert (report.created, report.updated) == (2, 1)


def test_the_cycle_collector_is_as_it_was_after_an_import(run_import):
    """An import pauses Python's cyclic collector and turns it back on, also when it raises,
    and leaves it off when it was off."""
    import gc
    assert gc.isenabled()
    assert run_import(csv_bytes(INSURED)).created == 1
    assert gc.isenabled()
    with pytest.raises(ValueError):
        run_import(csv_bytes(INSURED), encoding="latin-1")
    assert gc.isenabled()
    gc.disable()
    try:
        run_import(csv_bytes(INSURED), dry_run=True)
        assert not gc.isenabled()
    finally:
        gc.enable()
