"""The strict Content-Security-Policy in real Chromium (server/views/headers.py): the home page,
the staff sign-in page and a printed card keep their styles and scripts with no violation, and
a page of this very origin cannot frame a signed-in admin page."""
import re

import pytest
from playwright.sync_api import Error, expect
from screenshots import keep_screenshot

from server.extensions import db
from server.models import Member

pytestmark = pytest.mark.browser

#: Every violation the page sees, whatever the console says (init scripts ignore the CSP).
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
  e => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


@pytest.fixture
def watched(page):
    """The page, with the console's Content Security Policy messages in ``page.csp``."""
    page.csp = []
    page.on("console", lambda message: "Content Security Policy" in message.text
            and page.csp.append(message.text))
    page.add_init_script(RECORD_VIOLATIONS)
    return page


def _no_violation(page):
    assert page.csp == []
    assert page.evaluate("window.__violations") == []




def _member_id(live_server) -> int:
    with live_server.app.app_context():
        return db.session.scalar(db.select(Member.id).where(Member.number == "5678",
                                                            Member.branch == "00"))


def test_home_and_sign_in_pages_keep_their_style_and_script(live_server, watched):
    page = watched
    page.goto(live_server.url + "/")
    assert page.evaluate("getComputedStyle(document.body).maxWidth") == "640px"   # home.css
    keep_screenshot(page, "home")
    _no_violation(page)

    page.goto(live_server.url + "/admin/login")
    expect(page.locator("header.bar")).to_have_css("display", "flex")              # admin.css
    keep_screenshot(page, "admin-login")
    page.get_by_role("button", name=re.compile("パスキーでサインイン")).click()      # sign-in.js
    expect(page.locator("#passkey-status")).not_to_be_empty()
    _no_violation(page)


def test_printed_card_keeps_its_page_size_and_print_button(live_server, watched, staff_in_browser):
    page = watched
    staff_in_browser(live_server, page)
    page.goto(live_server.url + "/admin/")
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    with page.expect_navigation():
        page.evaluate("""([action, token]) => {
            const form = document.createElement('form');
            form.method = 'post'; form.action = action;
            const input = Object.assign(document.createElement('input'),
                                        {type: 'hidden', name: 'csrf_token', value: token});
            form.append(input); document.body.append(form); form.submit();
        }""", [f"/admin/members/{_member_id(live_server)}/cards", token])
    assert re.search(r"/admin/cards/\d+/print$", page.url)
    expect(page.locator(".card-sheet")).to_contain_text("資格確認書")
    keep_screenshot(page, "card")
    # the print button calls window.print() from print.js, not from an inline onclick
    page.evaluate("window.print = () => { window.__printed = true; }")
    page.locator(".print-button").click()
    assert page.evaluate("window.__printed") is True
    # the card-sized @page (card-page.css) still sets the paper size
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    width, height = (float(v) / 72 * 25.4 for v in
                     re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", pdf).groups())
    assert 85 <= width <= 92 and 53.5 <= height <= 56
    _no_violation(page)


def test_a_same_origin_page_cannot_frame_a_signed_in_admin_page(live_server, watched, staff_in_browser):
    page = watched
    staff_in_browser(live_server, page)
    member_url = f"/admin/members/{_member_id(live_server)}"
    page.goto(live_server.url + member_url)
    expect(page.locator("#loss-form")).to_be_visible()                  # signed in, the form is there

    page.goto(live_server.url + "/")
    _no_violation(page)
    page.evaluate("""url => new Promise(resolve => {
        const frame = document.createElement('iframe');
        frame.src = url;
        frame.addEventListener('load', resolve);
        document.body.replaceChildren(frame);
    })""", member_url)
    framed = page.evaluate("""() => {
        const doc = document.querySelector('iframe').contentDocument;   // null: not this origin
        return doc === null ? null : doc.documentElement.outerHTML;
    }""")
    assert framed is None or "loss-form" not in framed
    assert any("frame-ancestors" in message for message in page.csp), page.csp
    [child] = page.main_frame.child_frames
    assert "loss-form" not in (_content(child) or "")


def _content(frame) -> str | None:
    try:
        return frame.content()
    except Error:              # an error page Playwright cannot read: nothing of ours in it
        return None
