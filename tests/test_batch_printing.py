"""Batch printing of the 資格情報のお知らせ (search results, one CSV import, everyone enrolled
on a day) as one print job, from the admin pages and `shikaku print notices`; the English
notice; the members' optional postal address (郵便番号・住所・宛名) in the register, the
forms and the CSV import."""
from __future__ import annotations

import logging
import re
from datetime import date

import pytest
from pins import TEST_PIN

from server import clock as server_clock
from server.auth import sessions
from server.documents import activation_codes, printing
from server.extensions import db
from server.models import ActivationCode, AuditEntry, Member
from server.register.csv_import import import_members
from server.register.validation import ValidationError, validate_member
from server.cli import main as shikaku

from conftest import NOW

HEADER = ("保険者番号,記号,番号,枝番,本人家族区分,氏名,フリガナ,性別,生年月日,資格取得年月日,"
          "負担割合,負担割合開始日,マイナンバー下4桁")
ADDRESS_HEADER = HEADER + ",郵便番号,住所1,住所2,宛名"
# Five new members in four households, deliberately not in 記号・番号・枝番 order.
ROWS = [
    "06138093,88,300,00,1,木村 一郎,キムラ イチロウ,1,1970-01-02,2026-11-01,3,,1111",
    "06138093,88,100,01,2,佐藤 次郎,サトウ ジロウ,1,2001-03-04,2026-11-01,3,,2222",
    "06138093,88,100,00,1,佐藤 太郎,サトウ タロウ,1,1975-05-06,2026-11-01,3,,3333",
    "06138093,12,900,00,1,加藤 三郎,カトウ サブロウ,1,1980-07-08,2026-11-01,3,,4444",
    "06138093,88,200,00,1,伊藤 四郎,イトウ シロウ,1,1990-09-10,2026-11-01,3,,5555",
]
# insurer, 記号, 番号, 枝番 order
PRINT_ORDER = ["加藤 三郎", "佐藤 太郎", "佐藤 次郎", "伊藤 四郎", "木村 一郎"]
ADDRESS = "１６０－００２３,東京都新宿区西新宿二丁目8番1号,都庁第一本庁舎10階,"


def _csv(*rows: str, header: str = HEADER) -> bytes:
    return "\r\n".join((header, *rows)).encode() + b"\r\n"


@pytest.fixture
def imported(app):
    """Import ROWS; returns the import batch's id."""
    with app.app_context():
        report = import_members(_csv(*ROWS))
        assert report.ok and report.created == 5
        return report.batch_id


def _codes(html: str) -> list[str]:
    return re.findall(r'id="activation-code(?:-\d+)?">([^<]+)<', html)


def _names(html: str) -> list[str]:
    return re.findall(r'<td[^>]*class="name"[^>]*>([^<]+?)(?: <small>|</td>)', html)


def _live_codes(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(ActivationCode.id)).where(
            ActivationCode.used_at.is_(None), ActivationCode.invalidated_at.is_(None)))


def _member(number: str, branch: str = "00") -> Member:
    return db.session.scalar(db.select(Member).where(Member.number == number, Member.branch == branch))


# -- the postal address: validation, form, CSV ------------------------------------------------

BASE = {"insurer_number": "06138093", "symbol": "1", "number": "2", "branch": "00",
        "relationship": "1", "name": "山田 太郎", "name_kana": "ヤマダ タロウ", "sex": "1",
        "birth_date": "1980-01-01", "acquired_on": "2020-04-01", "copay_ratio": "3"}
TODAY = date(2026, 11, 18)


@pytest.mark.parametrize("written", ["160-0023", "1600023", "１６０－００２３", "〒160-0023", "１６０ー００２３"])
def test_postal_codes_are_folded_to_nnn_nnnn(written):
    data = validate_member({**BASE, "postal_code": written, "address1": "東京都新宿区西新宿2-8-1"},
                           today=TODAY)
    assert data.postal_code == "160-0023" and data.address1 == "東京都新宿区西新宿2-8-1"
    assert data.addressee is None and data.address2 is None


@pytest.mark.parametrize("fields, field, ja", [
    ({"postal_code": "160-002", "address1": "東京都"}, "postal_code", "7桁の数字で入力してください"),
    ({"postal_code": "16O-0023", "address1": "東京都"}, "postal_code", "7桁の数字で入力してください"),
    ({"postal_code": "160-00234", "address1": "東京都"}, "postal_code", "7桁の数字で入力してください"),
    ({"address1": "東京都新宿区"}, "postal_code", "郵便番号も入力してください"),
    ({"postal_code": "160-0023"}, "address1", "住所1も入力してください"),
    ({"postal_code": "160-0023", "address1": "東京都\u202e新宿区"}, "address1", "制御文字"),
    ({"postal_code": "160-0023", "address1": "東" * 101}, "address1", "100文字以内"),
    ({"postal_code": "160-0023", "address1": "東京都", "addressee": "山田\x00"}, "addressee", "制御文字"),
])
def test_a_bad_address_is_a_field_error_in_japanese_and_english(fields, field, ja):
    with pytest.raises(ValidationError) as error:
        validate_member({**BASE, **fields}, today=TODAY)
    [problem] = error.value.errors
    assert problem.field == field and ja in problem.ja and problem.en
    assert "160" not in str(error.value) and "東京" not in str(error.value)   # never the value


def test_the_member_form_saves_the_address_and_audits_which_fields_not_the_values(
        app, client, as_staff, caplog):
    token = as_staff("clerk")
    with app.app_context():
        member_id = _member("5678").id
    form = client.get(f"/admin/members/{member_id}/edit").get_data(as_text=True)
    assert 'name="postal_code"' in form and "郵便番号" in form and "宛名" in form
    values = dict(re.findall(r'<input id="(\w+)" name="\w+" value="([^"]*)"', form))
    values |= {"relationship": "1", "sex": "1", "copay_ratio": "30", "csrf_token": token,
               "postal_code": "１６０－００２３", "address1": "東京都新宿区西新宿二丁目8番1号",
               "address2": "都庁第一本庁舎10階", "addressee": ""}
    with caplog.at_level(logging.DEBUG):
        response = client.post(f"/admin/members/{member_id}/edit", data=values)
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(f"/admin/members/{member_id}").get_data(as_text=True)
    assert "〒160-0023 東京都新宿区西新宿二丁目8番1号 都庁第一本庁舎10階" in page
    with app.app_context():
        m = db.session.get(Member, member_id)
        assert (m.postal_code, m.address2, m.addressee) == ("160-0023", "都庁第一本庁舎10階", None)
        entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "member.address"))
        assert "postal_code" in entry.after_json and "160" not in entry.after_json
        assert "新宿" not in entry.after_json
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "新宿" not in logged and "160-0023" not in logged

    bad = client.post(f"/admin/members/{member_id}/edit", data={**values, "postal_code": "16-0023"})
    assert bad.status_code == 400
    shown = bad.get_data(as_text=True)
    assert '<a href="#postal_code">郵便番号</a>: 7桁の数字で入力してください' in shown
    assert re.search(r'<input id="postal_code"[^>]* aria-invalid="true" aria-describedby="postal_code-error" autofocus', shown)
    with app.app_context():
        assert db.session.get(Member, member_id).postal_code == "160-0023"   # unchanged


def test_csv_import_reads_the_address_columns(app):
    with app.app_context():
        report = import_members(_csv(ROWS[0] + "," + ADDRESS, header=ADDRESS_HEADER))
        assert report.ok and report.created == 1
        m = _member("300")
        assert (m.postal_code, m.address1, m.address2, m.addressee) == (
            "160-0023", "東京都新宿区西新宿二丁目8番1号", "都庁第一本庁舎10階", None)
        # the same file again: nothing changes; a file without the columns keeps the address
        assert import_members(_csv(ROWS[0] + "," + ADDRESS, header=ADDRESS_HEADER)).unchanged == 1
        assert import_members(_csv(ROWS[0])).unchanged == 1
        assert _member("300").postal_code == "160-0023"
        # a changed address is an update of those fields
        moved = ROWS[0] + ",100-0001,東京都千代田区千代田1-1,,木村 家"
        report = import_members(_csv(moved, header=ADDRESS_HEADER), dry_run=True)
        assert report.updated == 1 and report.changes[0].fields == ("postal_code", "address1", "address2", "addressee")
        assert import_members(_csv(moved, header=ADDRESS_HEADER)).updated == 1
        db.session.expire_all()
        m = _member("300")
        assert (m.postal_code, m.address2, m.addressee) == ("100-0001", None, "木村 家")


def test_csv_import_refuses_a_bad_postal_code_by_row_and_column_and_writes_nothing(app):
    from server.models import ImportBatch
    with app.app_context():
        rows = [ROWS[0] + "," + ADDRESS, ROWS[1] + ",12-34567,東京都,,"]
        report = import_members(_csv(*rows, header=ADDRESS_HEADER))
        [error] = report.errors
        assert (error.row, error.column) == (3, "郵便番号") and "7桁の数字" in error.ja
        assert "12-34567" not in str(error)
        assert _member("300") is None and db.session.scalar(db.select(db.func.count(ImportBatch.id))) == 0


def test_an_import_records_its_batch_of_members(app, imported):
    with app.app_context():
        members = printing.members_of_import(imported)
        assert [m.name for m in members] == PRINT_ORDER
        assert printing.members_of_import(imported + 1) is None
        # a dry run records no batch; a re-import is a new batch naming the same members
        assert import_members(_csv(*ROWS), dry_run=True).batch_id is None
        again = import_members(_csv(*ROWS[:2]))
        assert again.unchanged == 2 and again.batch_id == imported + 1
        assert {m.name for m in printing.members_of_import(again.batch_id)} == {"木村 一郎", "佐藤 次郎"}


# -- batches from the admin pages ---------------------------------------------------------

def test_an_import_batch_prints_n_notices_with_n_new_codes_in_member_order(
        app, client, as_staff, imported):
    token = as_staff("admin")
    page = client.get("/admin/import").get_data(as_text=True)
    assert 'name="batch" value="%d"' % imported in page and "取込の履歴" in page
    response = client.post("/admin/notices", data={"csrf_token": token, "selection": "import",
                                                   "batch": str(imported)})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert html.count('<article class="sheet a4"') == 5
    assert _names(html) == PRINT_ORDER
    codes = _codes(html)
    assert len(codes) == 5 == len(set(codes)) and _live_codes(app) == 5
    births = {"加藤 三郎": date(1980, 7, 8), "佐藤 太郎": date(1975, 5, 6), "佐藤 次郎": date(2001, 3, 4),
              "伊藤 四郎": date(1990, 9, 10), "木村 一郎": date(1970, 1, 2)}
    with app.app_context():
        for name, code in zip(PRINT_ORDER, codes):         # each notice carries its member's code
            record = activation_codes.check(code, births[name], TEST_PIN)
            assert db.session.get(Member, record.member_id).name == name
    assert "5件" in html and "1つの印刷ジョブ" in html


def test_printing_a_batch_again_replaces_every_code(app, client, as_staff, imported):
    token = as_staff("clerk")
    form = {"csrf_token": token, "selection": "import", "batch": str(imported)}
    first = _codes(client.post("/admin/notices", data=form).get_data(as_text=True))
    second = _codes(client.post("/admin/notices", data=form).get_data(as_text=True))
    assert not set(first) & set(second) and _live_codes(app) == 5


def test_search_results_print_all(app, client, as_staff):
    token = as_staff("clerk")
    results = client.post("/admin/", data={"csrf_token": token, "q": "1234 5678"}).get_data(as_text=True)
    assert 'id="print-results"' in results and 'name="q" value="1234 5678"' in results
    html = client.post("/admin/notices", data={"csrf_token": token, "selection": "search",
                                               "q": "1234 5678"}).get_data(as_text=True)
    assert _names(html) == ["𠮷田 太郎", "𠮷田 花子", "𠮷田 陽菜"] and len(set(_codes(html))) == 3


def test_everyone_enrolled_on_a_day(app, client, as_staff, clock, imported):
    clock.advance(86400)
    with app.app_context():
        assert import_members(_csv("06138093,55,1,00,1,後藤 五郎,ゴトウ ゴロウ,1,1999-01-01,2026-11-01,3,,6666")).ok
    token = as_staff("clerk")
    html = client.post("/admin/notices", data={"csrf_token": token, "selection": "enrolled",
                                               "day": "R8.11.18"}).get_data(as_text=True)
    assert _names(html) == PRINT_ORDER                       # the 18th; 後藤 came on the 19th
    html = client.post("/admin/notices", data={"csrf_token": token, "selection": "enrolled",
                                               "day": "2026-11-19", "lang": "en"}).get_data(as_text=True)
    assert _names(html) == ["後藤 五郎"] and 'lang="en"' in html
    bad = client.post("/admin/notices", data={"csrf_token": token, "selection": "enrolled", "day": "11/40"})
    assert bad.status_code == 302
    assert "登録日: 日付を入力してください" in client.get("/admin/").get_data(as_text=True)


def test_members_who_lost_eligibility_are_skipped(app, client, as_staff, imported):
    from server.register import members as register
    with app.app_context():
        register.record_loss(_member("200"), date(2026, 11, 10), "retirement")
    token = as_staff("clerk")
    html = client.post("/admin/notices", data={"csrf_token": token, "selection": "import",
                                               "batch": str(imported)}).get_data(as_text=True)
    assert "伊藤 四郎" not in _names(html) and len(_codes(html)) == 4
    assert "資格喪失の1名は発行していません" in html


def test_staff_print_only_their_insurers_members(app, client, as_staff, imported):
    token = as_staff("admin", insurers=["06270888"])
    other = client.post("/admin/notices", data={"csrf_token": token, "selection": "import",
                                                "batch": str(imported)})
    assert other.status_code == 404 and _live_codes(app) == 0      # as if there were no such import
    assert 'name="batch"' not in client.get("/admin/import").get_data(as_text=True)
    html = client.post("/admin/notices", data={"csrf_token": token, "selection": "enrolled",
                                               "day": "2026-11-18"}).get_data(as_text=True)
    assert "木村" not in html and "𠮷田" not in html and "該当する加入者がいません" in html
    assert client.post("/admin/notices", data={"csrf_token": token, "selection": "import",
                                               "batch": "999"}).status_code == 404


def test_a_batch_is_all_or_nothing(app, imported, monkeypatch):
    with app.app_context():
        earlier = activation_codes.issue(_member("100", "01"))
    before = _live_codes(app)
    real, calls = sessions.end_all, []

    def failing(*args, **kwargs):      # the third member's code fails half-way
        calls.append(args)
        if len(calls) == 3:
            raise RuntimeError("database went away")
        return real(*args, **kwargs)
    monkeypatch.setattr(sessions, "end_all", failing)
    with app.app_context():
        with pytest.raises(RuntimeError):
            printing.batch_notices(printing.members_of_import(imported), server_clock.now())
    monkeypatch.undo()
    assert _live_codes(app) == before == 1
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ActivationCode.id))) == 1
        activation_codes.check(earlier.code, date(2001, 3, 4), TEST_PIN)   # still works


# -- the English notice ---------------------------------------------------------------------

def test_english_notice_has_the_same_fields_and_code(app, client, as_staff):
    token = as_staff("clerk")
    with app.app_context():
        member_id = _member("5678").id
    assert 'name="lang"' in client.get(f"/admin/members/{member_id}").get_data(as_text=True)
    html = client.post(f"/admin/members/{member_id}/notice",
                       data={"csrf_token": token, "lang": "en"}).get_data(as_text=True)
    assert 'lang="en"' in html and "Notice of Your Health Insurance Eligibility" in html
    assert "15 May 1980 (昭和55年5月15日)" in html                   # 西暦, 和暦 beside
    assert "1 April 2015 (平成27年4月1日)" in html
    assert "Male, 46 years" in html and "Insured person (本人)" in html
    assert "30% (from 1 April 2015)" in html and "＊＊＊＊ ＊＊＊＊ 4821" in html
    assert "the separate letter with your activation PIN" in html
    assert "資格パス健康保険組合（デモ）" in html and "06138093" in html
    [code] = _codes(html)
    assert re.search(r'aria-label="利用開始用QRコード', html)
    with app.app_context():
        activation_codes.check(code, date(1980, 5, 15), TEST_PIN)
    ja = client.post(f"/admin/members/{member_id}/notice", data={"csrf_token": token}).get_data(as_text=True)
    assert "Notice of Your" not in ja and "昭和55年5月15日（1980-05-15）" in ja


# -- the address on the notice -----------------------------------------------------------

def test_the_notice_prints_the_address_block_and_a_dependent_gets_the_insured_persons(
        app, client, as_staff):
    with app.app_context():
        taro = _member("5678")
        taro.postal_code, taro.address1, taro.address2 = "160-0023", "東京都新宿区西新宿2-8-1", None
        db.session.commit()
        taro_id, hanako_id = taro.id, _member("5678", "01").id
    token = as_staff("clerk")
    html = client.post(f"/admin/members/{taro_id}/notice", data={"csrf_token": token}).get_data(as_text=True)
    block = re.search(r'id="address-window"[^>]*>(.*?)</div>', html, re.S).group(1)
    assert "〒160-0023" in block and "東京都新宿区西新宿2-8-1" in block and "𠮷田 太郎 様" in block
    assert "5678" not in block                          # 記号・番号 never show through the window
    html = client.post(f"/admin/members/{hanako_id}/notice", data={"csrf_token": token}).get_data(as_text=True)
    block = re.search(r'id="address-window"[^>]*>(.*?)</div>', html, re.S).group(1)
    assert "〒160-0023" in block and "𠮷田 太郎 様" in block   # sent to the household's 本人
    assert "𠮷田 花子 様" in html
    with app.app_context():
        taro = db.session.get(Member, taro_id)
        taro.postal_code = taro.address1 = None
        db.session.commit()
    html = client.post(f"/admin/members/{taro_id}/notice", data={"csrf_token": token}).get_data(as_text=True)
    assert "address-window" not in html and "𠮷田 太郎 様" in html


# -- the CLI --------------------------------------------------------------------------------

def test_cli_prints_an_import_batch_to_one_html_file(app, runner, imported, tmp_path):
    out = tmp_path / "notices.html"
    result = runner.invoke(shikaku, ["print", "notices", "--import-batch", str(imported), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "5件のお知らせ" in result.output and "木村" not in result.output
    html = out.read_text(encoding="utf-8")
    assert html.count('<article class="sheet a4"') == 5 and _names(html) == PRINT_ORDER
    assert len(set(_codes(html))) == 5 and _live_codes(app) == 5
    assert "<style>" in html and "break-after: page" in html and "toolbar" not in html.split("<body")[1][:200]
    assert "&gt;" not in html.split("</style>")[0] and 'rel="stylesheet"' not in html   # styles inside, unescaped


def test_cli_enrolled_on_search_and_english(app, runner, imported, tmp_path):
    out = tmp_path / "en.html"
    result = runner.invoke(shikaku, ["print", "notices", "--enrolled-on", "2026-11-18", "--insurer",
                                 "06138093", "--lang", "en", "--out", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert _names(html) == PRINT_ORDER and html.count('class="sheet a4 notice-en" lang="en"') == 5
    result = runner.invoke(shikaku, ["print", "notices", "--search", "1234 5678", "--out", str(out)])
    assert result.exit_code == 0 and _names(out.read_text(encoding="utf-8")) == ["𠮷田 太郎", "𠮷田 花子", "𠮷田 陽菜"]


@pytest.mark.parametrize("args, message", [
    (["--out", "x.html"], "どれか1つ"),
    (["--search", "a", "--enrolled-on", "2026-11-18", "--out", "x.html"], "どれか1つ"),
    (["--enrolled-on", "11/40", "--out", "x.html"], "日付として読めません"),
    (["--import-batch", "999", "--out", "x.html"], "CSV取込はありません"),
    (["--enrolled-on", "2026-11-18", "--insurer", "99999999", "--out", "x.html"], "登録されていない保険者"),
])
def test_cli_usage_errors_issue_nothing(app, runner, args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(shikaku, ["print", "notices", *args])
    assert result.exit_code == 2 and message in result.output
    assert _live_codes(app) == 0 and not (tmp_path / "x.html").exists()


def test_a_selection_over_the_print_job_limit_is_refused_and_issues_nothing(app, client, as_staff):
    app.config["PRINT_BATCH_LIMIT"] = 2
    token = as_staff("clerk")
    refused = client.post("/admin/notices", data={"csrf_token": token, "selection": "search", "q": "1234 5678"})
    assert refused.status_code == 302
    page = client.get("/admin/").get_data(as_text=True)
    assert "一度に印刷できるのは2件までです（3件）" in page and "shikaku print notices" in page
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ActivationCode)) == 0


# -- the PIN sheets of a batch (暗証番号のお知らせ, sent apart) ---------------------------------

BIRTHS = {"加藤 三郎": date(1980, 7, 8), "佐藤 太郎": date(1975, 5, 6), "佐藤 次郎": date(2001, 3, 4),
          "伊藤 四郎": date(1990, 9, 10), "木村 一郎": date(1970, 1, 2)}


@pytest.fixture
def counted_pins(monkeypatch):
    """Each PIN issued from here on is a different one: 100001, 100002, …"""
    issued = iter(range(100001, 200000))
    monkeypatch.setattr(activation_codes, "_new_pin", lambda: str(next(issued)))


def _pin_sheets(html: str) -> list[tuple[str, str]]:
    """(name, PIN) of each sheet, in print order."""
    return [(name, pin.replace(" ", "")) for name, pin in re.findall(
        r'<p class="to">([^<]+) 様</p>.*?id="activation-pin-\d+">([^<]+)<', html, re.S)]


def test_the_pin_sheets_of_a_batch_one_per_member_each_with_a_new_pin(app, client, as_staff, imported, counted_pins):
    token = as_staff("clerk")
    form = {"csrf_token": token, "selection": "import", "batch": str(imported)}
    codes = dict(zip(PRINT_ORDER, _codes(client.post("/admin/notices", data=form).get_data(as_text=True))))
    with app.app_context():                  # one member's code is used up: no sheet for them
        used = activation_codes.check(codes["伊藤 四郎"], BIRTHS["伊藤 四郎"], "100004")
        used.used_at = NOW
        db.session.commit()
    response = client.post("/admin/notices", data={**form, "kind": "pins"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    sheets = _pin_sheets(html)
    assert [name for name, _ in sheets] == [n for n in PRINT_ORDER if n != "伊藤 四郎"]
    assert len({pin for _, pin in sheets}) == 4 and "使える利用開始コードのない1名" in html
    assert "break-after: page" not in html and 'class="pin-batch"' in html      # the rule is in print.css
    with app.app_context():
        for name, pin in sheets:             # each sheet's PIN opens its member's code; the old one no longer
            assert db.session.get(Member, activation_codes.check(codes[name], BIRTHS[name], pin).member_id).name == name
            with pytest.raises(activation_codes.ActivationError):
                activation_codes.check(codes[name], BIRTHS[name], str(100001 + PRINT_ORDER.index(name)))


def test_pin_sheets_are_all_or_nothing(app, imported, counted_pins, monkeypatch):
    with app.app_context():
        members = printing.in_print_order(printing.members_of_import(imported))
        printing.batch_notices(members, server_clock.now())
        before = {m.id: activation_codes.live_code(m).pin_hash for m in members}
    real, calls = activation_codes.audit.record, []

    def failing(*args, **kwargs):          # the third sheet fails half-way
        calls.append(args)
        if len(calls) == 3:
            raise RuntimeError("database went away")
        return real(*args, **kwargs)
    monkeypatch.setattr(activation_codes.audit, "record", failing)
    with app.app_context():
        with pytest.raises(RuntimeError):
            activation_codes.reissue_pins(printing.in_print_order(printing.members_of_import(imported)))
        assert {m.id: activation_codes.live_code(m).pin_hash for m in members} == before


def test_cli_prints_the_pin_sheets_of_an_import(app, runner, imported, tmp_path, counted_pins):
    runner.invoke(shikaku, ["print", "notices", "--import-batch", str(imported), "--out", str(tmp_path / "n.html")])
    out = tmp_path / "pins.html"
    result = runner.invoke(shikaku, ["print", "pins", "--import-batch", str(imported), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "5件の暗証番号のお知らせ" in result.output and "100006" not in result.output
    html = out.read_text(encoding="utf-8")
    assert [name for name, _ in _pin_sheets(html)] == PRINT_ORDER
    assert "<style>" in html and ".pin-batch .pin-sheet { break-after: page" in html
    usage = runner.invoke(shikaku, ["print", "pins", "--out", str(out)])
    assert usage.exit_code == 2
