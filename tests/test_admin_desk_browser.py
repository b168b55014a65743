"""The insurer's front desk in real Chromium: search finds what a clerk types, a loss asks
first and says who and what else ends, the audit trail reads as Japanese sentences, a wrong
form field is marked for assistive technology and focused, and the activation code's
expiry on the admin page is the one printed on the notice."""
import re
from datetime import date

import pytest
from playwright.sync_api import expect

from server.extensions import db
from server.models import Member
from screenshots import keep_screenshot

pytestmark = pytest.mark.browser


def _member_id(app, number="5678", branch="00") -> int:
    with app.app_context():
        return db.session.scalar(db.select(Member.id).where(Member.number == number,
                                                            Member.branch == branch))


def _search(page, typed):
    page.get_by_role("searchbox").fill(typed)
    page.get_by_role("button", name="検索 Search", exact=True).click()
    return page.locator("#results tbody")


def test_search_finds_what_a_clerk_types(live_server, page, staff_in_browser):
    staff_in_browser(live_server, page)
    page.goto(live_server.url + "/admin/")
    for typed, found, rows in (("吉田", "𠮷田 太郎", 3), ("山崎", "山﨑 健", 1), ("ﾀｶﾊｼ", "髙橋 和夫", 1),
                               ("斉藤", "齋藤 美咲", 2), ("よしだ はなこ", "𠮷田 花子", 1),
                               ("１２３４　５６７８", "𠮷田 陽菜", 3)):
        results = _search(page, typed)
        expect(results).to_contain_text(found)
        expect(results.locator("tr")).to_have_count(rows)


def test_a_loss_asks_first_and_names_the_dependents_and_cards_that_end(live_server, page,
                                                                        staff_in_browser):
    from server.documents.cards import issue_card
    app = live_server.app
    insured_id = _member_id(app)
    with app.app_context():
        issue_card(db.session.get(Member, _member_id(app, branch="01")))   # 𠮷田 花子's card
        db.session.commit()
    staff_in_browser(live_server, page)
    page.goto(f"{live_server.url}/admin/members/{insured_id}")
    page.locator("#loss-form [name=lost_on]").fill(date.today().isoformat())
    page.locator("#loss-form [name=loss_reason]").select_option("retirement")
    page.locator("#loss-form button").click()

    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("資格喪失を登録しますか")
    expect(dialog.locator("#loss-dependents li")).to_have_text([re.compile("𠮷田 花子"),
                                                                 re.compile("𠮷田 陽菜")])
    expect(dialog.locator("#loss-cards li")).to_have_count(1)
    expect(dialog.locator("#loss-cards")).to_contain_text("𠮷田 花子さんの資格確認書")
    expect(dialog).to_contain_text("退職")
    assert page.evaluate("document.querySelector('#loss-confirm').matches(':modal')")
    expect(page.locator("#loss-confirm-cancel")).to_be_focused()
    keep_screenshot(page, "admin-loss-confirmation")

    page.locator("#loss-confirm-cancel").click()                   # cancel: nothing happens
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.locator("#eligibility-status")).to_contain_text("資格有効")
    with app.app_context():
        household = db.session.scalars(db.select(Member).where(Member.number == "5678")).all()
        assert [m.eligibility.lost_on for m in household] == [None, None, None]
        assert [c.status for m in household for c in m.cards] == ["active"]

    page.locator("#loss-form [name=lost_on]").fill(date.today().isoformat())
    page.locator("#loss-form button").click()
    expect(page.locator("#loss-confirm:modal")).to_be_visible()
    page.keyboard.press("Escape")                                   # Escape cancels as well
    expect(page.locator("#loss-confirm")).not_to_be_visible()
    with app.app_context():
        assert db.session.get(Member, insured_id).eligibility.lost_on is None

    page.goto(f"{live_server.url}/admin/members/{insured_id}")
    page.locator("#loss-form [name=lost_on]").fill(date.today().isoformat())
    page.locator("#loss-form button").click()
    page.locator("#loss-confirm-yes").click()
    expect(page.locator(".flash")).to_contain_text("資格喪失を登録しました（3名）")
    with app.app_context():
        household = db.session.scalars(db.select(Member).where(Member.number == "5678")).all()
        assert {m.eligibility.lost_on for m in household} == {date.today()}
        assert [c.status for m in household for c in m.cards] == ["withdrawn"]


def test_the_audit_trail_reads_as_japanese_sentences(live_server, page, staff_in_browser):
    app = live_server.app
    insured_id = _member_id(app)
    staff_in_browser(live_server, page)
    page.goto(f"{live_server.url}/admin/members/{insured_id}")
    page.locator("#loss-form [name=lost_on]").fill("2026-11-30")
    page.locator("#loss-form [name=loss_reason]").select_option("retirement")
    page.locator("#loss-form button").click()
    page.locator("#loss-confirm-yes").click()
    expect(page.locator(".flash")).to_contain_text("資格喪失を登録しました")

    page.get_by_role("link", name=re.compile("監査記録")).click()
    sentences = page.locator("#audit .audit-sentence")
    loss = sentences.filter(has_text="𠮷田 太郎さん（記号 1234・番号 5678・枝番 00）の資格喪失を登録しました")
    expect(loss).to_have_count(1)
    text = loss.inner_text()
    assert re.match(r"令和\d+年\d+月\d+日 \d{2}:\d{2}（\d{4}-\d{2}-\d{2}）、clerk-\w+@example\.jp（担当者）が", text), text
    assert "資格喪失日 令和8年11月30日（2026-11-30）・事由 退職" in text
    expect(sentences.filter(has_text="𠮷田 花子さん（記号 1234・番号 5678・枝番 01）の資格喪失を登録しました")
           ).to_have_count(1)
    table = page.locator("#audit").inner_text()
    assert "member.loss" not in table and not re.search(r"\b1[7-9]\d{8}\b", table)   # no codes, no Unix time
    keep_screenshot(page, "admin-audit-sentences")


def test_a_wrong_form_field_is_marked_described_and_focused(live_server, page, staff_in_browser):
    staff_in_browser(live_server, page)
    page.goto(f"{live_server.url}/admin/members/new")
    for name, value in (("symbol", "88"), ("number", "2001"), ("name", "澤田 一"), ("name_kana", "sawada"),
                        ("birth_date", "そのうち"), ("acquired_on", "2024-04-01")):
        page.locator(f"[name={name}]").fill(value)
    page.locator("[name=sex]").select_option("1")
    page.get_by_role("button", name=re.compile("保存")).click()

    expect(page.locator("#form-errors")).to_be_visible()
    for name in ("name_kana", "birth_date"):
        field = page.locator(f"#{name}")
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_attribute("aria-describedby", f"{name}-error")
    expect(page.locator("#name_kana-error")).to_contain_text("カタカナで入力してください")
    expect(page.locator("#birth_date-error")).to_be_visible()
    expect(page.locator("#name_kana")).to_have_accessible_description(re.compile("カタカナで入力してください"))
    expect(page.locator("#name_kana")).to_be_focused()                 # the first wrong field
    for name in ("symbol", "number", "name", "acquired_on"):
        expect(page.locator(f"#{name}")).not_to_have_attribute("aria-invalid", "true")


def test_the_code_expiry_on_the_admin_page_is_the_one_on_the_notice(live_server, page, staff_in_browser):
    insured_id = _member_id(live_server.app)
    staff_in_browser(live_server, page)
    member_url = f"{live_server.url}/admin/members/{insured_id}"
    page.goto(member_url)
    with page.expect_popup() as popup:
        page.locator("#print-notice").click()
    notice = popup.value
    notice.wait_for_load_state()
    printed = notice.locator(".expiry").inner_text()
    wareki, iso = re.search(r"(令和\S+?日)まで（(\d{4}-\d{2}-\d{2})）", printed).groups()
    page.goto(member_url)
    codes = page.locator("table").filter(has_text="発行日時")
    shown = codes.locator("tbody tr").first.locator("td").nth(1).inner_text()     # 有効期限
    assert shown == f"{wareki}（{iso}）まで", (shown, printed)
