"""Search finds what a clerk types: 異体字, kana of either kind and width, spaces optional,
full-width 記号・番号; the folded keys are kept on every write path, filled by migration 0015
for the rows that existed, and answered by an index; `shikaku members search` prints JSON."""
import importlib
import io
import json
import re

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from server.cli import main as shikaku
from server.extensions import db
from server.models import Insurer, Member


def fold(text):
    from server.register.search_keys import fold
    return fold(text)


def find_members(q):
    from server.register.search_keys import find_members
    return find_members(q)


@pytest.mark.parametrize("typed, stored", [
    ("吉田", "𠮷田"), ("山崎", "山﨑"), ("高橋", "髙橋"), ("斉藤", "齋藤"), ("斉藤", "齊藤"),
    ("斎藤", "齋藤"), ("渡辺", "渡邊"), ("渡辺", "渡邉"), ("沢田", "澤田"), ("浜田", "濱田"),
    ("島田", "嶋田"), ("広田", "廣田"), ("国分", "國分"), ("桜井", "櫻井"), ("竜崎", "龍﨑"),
    ("よしだ", "ヨシダ"), ("ﾖｼﾀﾞ", "ヨシダ"), ("ヨシダ タロウ", "よしだ　たろう"), ("ＡＢ１２", "ab12"),
])
def test_what_a_clerk_types_folds_to_the_stored_name(typed, stored):
    assert fold(typed) == fold(stored)


def test_folding_drops_spaces_and_variation_selectors_and_keeps_other_names_apart():
    assert fold("𠮷田\u3000太郎") == fold("吉田太郎") == "吉田太郎"
    assert fold("葛\U000E0100西") == fold("葛西")                  # an IVS is dropped
    assert fold("高橋") != fold("髙島")
    assert fold("") == "" and fold(None) == ""


def _search(client, token, q):
    html = client.post("/admin/", data={"q": q, "csrf_token": token}).get_data(as_text=True)
    body = html.split('id="results"', 1)[1] if 'id="results"' in html else ""
    return body


@pytest.mark.parametrize("typed, found", [
    ("吉田", "𠮷田 太郎"), ("𠮷田", "𠮷田 花子"), ("吉田太郎", "𠮷田 太郎"), ("吉田　花子", "𠮷田 花子"),
    ("よしだ", "𠮷田 陽菜"), ("ﾖｼﾀﾞ ﾋﾅ", "𠮷田 陽菜"), ("高橋", "髙橋 和夫"), ("たかはし", "髙橋 和夫"),
    ("山崎", "山﨑 健"), ("斉藤", "齋藤 美咲"), ("斎藤 蓮", "齋藤 蓮"),
    ("１２３４　５６７８", "𠮷田 太郎"), ("１２３４－５６７８－０２", "𠮷田 陽菜"), ("９１", "髙橋 和夫"),
])
def test_the_admin_search_finds_what_a_clerk_types(client, as_staff, typed, found):
    token = as_staff("clerk")
    assert found in _search(client, token, typed), typed


def test_names_match_from_the_start_first_then_anywhere_and_stay_in_scope(app, client, as_staff):
    token = as_staff("clerk")
    assert "髙橋" not in _search(client, token, "よしだ")
    assert "髙橋 和夫" in _search(client, token, "はし")          # nothing starts so: contains
    assert "𠮷田 太郎" in _search(client, token, "田")
    with app.app_context():                                      # 田中 starts with 田: only 田中
        from datetime import date
        from server.register import members
        from server.register.validation import validate_member
        members.create_member(validate_member(
            {"insurer_number": "06138093", "symbol": "9", "number": "1", "branch": "00",
             "relationship": "1", "name": "田中 一", "name_kana": "タナカ ハジメ", "sex": "1",
             "birth_date": "1970-01-01", "acquired_on": "2020-04-01", "copay_ratio": "30"},
            today=date(2026, 12, 1)))
        assert [m.name for m in find_members("田")] == ["田中 一"]
        assert [m.name for m in find_members("%")] == []            # LIKE's wildcards are text
    other = as_staff("clerk", insurers=["06270888"])             # なにわ商事 only
    assert "𠮷田" not in _search(client, other, "吉田")
    assert "山﨑 健" in _search(client, other, "山崎")


def test_every_write_path_keeps_the_keys(app, client, as_staff, csv_file, runner):
    """Form enrol, a dependent, an edit, the CSV import (bulk insert and correction)."""
    token = as_staff("admin")
    form = {"csrf_token": token, "insurer_number": "06138093", "symbol": "55", "number": "700",
            "branch": "00", "relationship": "1", "name": "濱田 一", "name_kana": "ﾊﾏﾀﾞ ﾊｼﾞﾒ",
            "sex": "1", "birth_date": "1970-01-02", "acquired_on": "2020-04-01",
            "copay_ratio": "30", "copay_from": "", "mynumber_last4": "", "limit_category": ""}
    assert client.post("/admin/members/new", data=form).status_code == 302
    with app.app_context():
        insured = find_members("浜田")[0]
        assert (insured.name_key, insured.kana_key) == ("浜田一", "はまだはじめ")
        insured_id = insured.id
    dependent = {**form, "branch": "01", "relationship": "2", "name": "濱田 櫻", "name_kana": "ハマダ サクラ",
                 "sex": "2", "birth_date": "2001-03-03"}
    assert client.post(f"/admin/members/{insured_id}/dependents/new", data=dependent).status_code == 302
    assert client.post(f"/admin/members/{insured_id}/edit",
                       data={**form, "name": "澤田 一", "name_kana": "サワダ ハジメ"}).status_code == 302
    csv = ("insurer_number,symbol,number,branch,relationship,name,name_kana,sex,birth_date,"
           "acquired_on,copay_ratio,copay_from,mynumber_last4\n"
           "06138093,88,123,00,1,髙﨑 一郎,ﾀｶｻｷ ｲﾁﾛｳ,1,1990-07-07,R2.4.1,30,2024-04-01,\n"
           "06138093,1234,91,00,1,髙橋 和男,タカハシ カズオ,1,1954-03-10,1999-10-01,20,2024-04-01,2208\n")
    result = runner.invoke(shikaku, ["members", "import", csv_file(csv.encode())])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert [m.name for m in find_members("さくら")] == ["濱田 櫻"]     # no name starts so: contains
        assert [m.name for m in find_members("浜田桜")] == [m.name for m in find_members("はまだ さくら")] == ["濱田 櫻"]
        assert [m.name for m in find_members("沢田")] == ["澤田 一"]
        assert find_members("浜田一") == []                     # the old key went with the old name
        assert [m.name for m in find_members("高崎")] == ["髙﨑 一郎"]
        assert [m.name for m in find_members("たかさき いちろう")] == ["髙﨑 一郎"]
        assert [m.name for m in find_members("高橋和男")] == ["髙橋 和男"]   # a CSV correction
        stale = db.session.scalars(db.select(Member)).all()
        assert all((m.name_key, m.kana_key) == (fold(m.name), fold(m.name_kana)) for m in stale)


def test_cli_search_prints_matches_as_json(runner):
    result = runner.invoke(shikaku, ["members", "search", "ﾖｼﾀﾞ"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [(r["insurer_number"], r["symbol"], r["number"], r["branch"], r["name"]) for r in rows] == [
        ("06138093", "1234", "5678", "00", "𠮷田 太郎"), ("06138093", "1234", "5678", "01", "𠮷田 花子"),
        ("06138093", "1234", "5678", "02", "𠮷田 陽菜")]
    assert set(rows[0]) == {"id", "insurer_number", "symbol", "number", "branch", "name",
                            "name_kana", "birth_date", "status", "lost_on"}
    assert rows[0]["birth_date"] == "1980-05-15" and rows[0]["status"] == "active"
    assert rows[0]["name_kana"] == "ヨシダ タロウ"


def test_cli_search_by_insurer_and_its_errors(runner):
    mine = json.loads(runner.invoke(shikaku, ["members", "search", "斉藤", "--insurer", "06270888"]).output)
    assert [r["name"] for r in mine] == ["齋藤 美咲", "齋藤 蓮"]
    other = runner.invoke(shikaku, ["members", "search", "斉藤", "--insurer", "06138093"])
    assert other.exit_code == 0 and json.loads(other.output) == []
    unknown = runner.invoke(shikaku, ["members", "search", "斉藤", "--insurer", "99999999"])
    assert unknown.exit_code == 2 and "登録されていない保険者です" in unknown.output
    assert json.loads(runner.invoke(shikaku, ["members", "search", "  "]).output) == []


def test_the_search_uses_the_key_indexes(app):
    """The name search is an index range on either database (no scan of a million rows)."""
    with app.app_context():
        key = fold("よしだ")
        from server.register import search_keys
        query = db.select(Member.id).where(search_keys.name_matches("よしだ"))
        sql = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
        with db.engine.connect() as connection:
            if db.engine.dialect.name == "postgresql":
                connection.execute(sa.text("SET enable_seqscan = off"))
                plan = "\n".join(connection.execute(sa.text("EXPLAIN " + sql)).scalars())
            else:
                plan = "\n".join(str(row[-1]) for row in
                                 connection.execute(sa.text("EXPLAIN QUERY PLAN " + sql)))
        assert "ix_member_name_key" in plan and "ix_member_kana_key" in plan, plan
        assert key in sql


def test_migration_0015_fills_the_keys_of_existing_members_batch_by_batch(make_app, database_url):
    app = make_app(AUTO_BOOTSTRAP=False)
    directory = app.extensions["migrate"].directory
    with app.app_context():
        if database_url:                         # the PostgreSQL copy comes migrated: start over
            from flask_migrate import downgrade
            downgrade(directory=directory, revision="base")
        upgrade(directory=directory, revision="0014")
        with db.engine.begin() as connection:
            connection.execute(sa.text("INSERT INTO insurer (number, name) VALUES ('06138093', 'テスト')"))
            insurer_id = connection.execute(sa.text("SELECT id FROM insurer")).scalar_one()
            names = [("𠮷田 太郎", "ﾖｼﾀﾞ ﾀﾛｳ"), ("髙橋 和夫", "タカハシ カズオ"), ("山﨑 健", "ヤマサキ ケン"),
                     ("齋藤 美咲", "サイトウ ミサキ"), ("渡邉 一", "ワタナベ ハジメ")]
            for i, (name, kana) in enumerate(names):
                connection.execute(sa.text(
                    "INSERT INTO member (insurer_id, symbol, number, branch, relationship, name, "
                    "name_kana, sex, birth_date, limit_consent) VALUES (:insurer, '1', :number, '00', 1, "
                    ":name, :kana, 1, '1980-01-01', false)"),
                    {"insurer": insurer_id, "number": str(100 + i), "name": name, "kana": kana})
        upgrade(directory=directory)
        keys = db.session.execute(db.select(Member.name_key, Member.kana_key).order_by(Member.id)).all()
        assert [tuple(k) for k in keys] == [("吉田太郎", "よしだたろう"), ("高橋和夫", "たかはしかずお"),
                                            ("山崎健", "やまさきけん"), ("斉藤美咲", "さいとうみさき"),
                                            ("渡辺一", "わたなべはじめ")]
        migration = importlib.import_module("server.migrations.versions.0015_member_search_key")
        with db.engine.begin() as connection:          # in batches: 2 + 2 + 1 rows
            connection.execute(sa.text("UPDATE member SET name_key = '', kana_key = ''"))
            assert migration.fill_keys(connection, batch=2) == 5
        db.session.rollback()
        assert [m.name for m in find_members("渡辺")] == ["渡邉 一"]
        db.session.remove()
