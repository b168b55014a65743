"""axe-core over the screens no other browser test photographs (the photographed ones are
checked by ``keep_screenshot``): every admin page as an admin and as an operator, a form sent
back with errors, a member's record, the clinic's day log, the member app's activation screen.
A serious or critical violation fails (tests/accessibility.py)."""
import re

import pytest
from playwright.sync_api import expect

from accessibility import check_accessibility

pytestmark = pytest.mark.browser

ADMIN_SCREENS = ["/admin/", "/admin/members/new", "/admin/audit", "/admin/import",
                 "/admin/import/losses", "/admin/keys", "/admin/staff"]


@pytest.fixture
def admin_page(live_server, page, staff_in_browser):
    staff_in_browser(live_server, page, role="admin")
    return page


@pytest.mark.parametrize("path", ADMIN_SCREENS)
def test_admin_screens(live_server, admin_page, path):
    admin_page.goto(live_server.url + path)
    expect(admin_page.locator("main")).to_be_visible()
    check_accessibility(admin_page, path)


def test_operator_insurers_screen(live_server, page, staff_in_browser):
    staff_in_browser(live_server, page, role="operator")
    page.goto(live_server.url + "/admin/insurers")
    expect(page.locator("main")).to_be_visible()
    check_accessibility(page, "/admin/insurers")


def test_search_results_member_record_and_its_forms(live_server, admin_page):
    admin_page.goto(live_server.url + "/admin/")
    admin_page.locator("[name=q]").fill("5678")
    admin_page.locator("[name=q]").press("Enter")
    expect(admin_page.locator("main table")).to_be_visible()
    check_accessibility(admin_page, "search results")
    admin_page.locator("main table a").first.click()
    expect(admin_page.locator("#eligibility-status")).to_be_visible()
    check_accessibility(admin_page, "member record")
    record = admin_page.url
    for form in ("edit", "dependents/new"):
        admin_page.goto(f"{record}/{form}")
        expect(admin_page.locator("main form")).to_be_visible()
        check_accessibility(admin_page, f"member record: {form}")


def test_a_form_sent_back_with_errors(live_server, admin_page):
    admin_page.goto(live_server.url + "/admin/members/new")
    admin_page.locator("[name=number]").fill("x")
    admin_page.get_by_role("button", name=re.compile("保存")).click()
    expect(admin_page.locator("main")).to_contain_text("番号")
    check_accessibility(admin_page, "member form with errors")


def test_clinic_day_log_and_member_activation(live_server, page):
    page.goto(live_server.url + "/clinic/")
    expect(page.locator("h1")).to_be_visible()
    check_accessibility(page, "clinic idle")
    page.goto(live_server.url + "/app/activate")
    expect(page.locator("h1, h2").first).to_be_visible()
    check_accessibility(page, "member activation")


def test_the_check_fails_on_a_serious_violation(page):
    """The oracle itself: a button with no name and grey-on-white text are caught."""
    page.set_content('<html lang="ja"><title>t</title><main><h1>見出し</h1>'
                     '<button></button><p style="color:#aaa">薄い文字</p></main></html>')
    with pytest.raises(AssertionError) as caught:
        check_accessibility(page, "a bad page")
    assert "button-name" in str(caught.value) and "color-contrast" in str(caught.value)


def test_the_check_fails_on_text_in_a_language_its_lang_does_not_say(page):
    page.set_content('<html lang="ja"><title>t</title><main><h1>見出し <small>Heading</small></h1>'
                     '<p lang="en">Name: <span>山田</span></p><code>insurer_number</code></main></html>')
    with pytest.raises(AssertionError) as caught:
        check_accessibility(page, "a mismarked page")
    assert '"Heading" in lang=ja' in str(caught.value) and '"山田" in lang=en' in str(caught.value)
    assert "insurer_number" not in str(caught.value)
