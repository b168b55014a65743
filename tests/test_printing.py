"""Printing: the 資格情報のお知らせ (A4, with a fresh activation code and its QR) and the
資格確認書 card (card-sized, with a long-lived signed token of kind `card`)."""
from __future__ import annotations

import re
from datetime import date
from io import BytesIO

import pytest
from pins import TEST_PIN
from screenshots import keep_screenshot

from server import clock as server_clock
from server.documents import activation_codes
from server.documents.activation_codes import ActivationError
from server.extensions import db
from server.keys import publishing
from server.models import ActivationCode, EligibilityCard, Member
from server.register.wareki import format_both
from server.token_core import DocumentKind, Status

BIRTH = date(1980, 5, 15)   # 𠮷田 太郎


# -- helpers -----------------------------------------------------------------

def _member_id(app, number="5678", branch="00") -> int:
    with app.app_context():
        return db.session.scalar(db.select(Member.id).where(Member.number == number,
                                                            Member.branch == branch))


def _code_count(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(ActivationCode.id)))


def _code_on(html: str) -> str:
    return re.search(r'id="activation-code">([^<]+)<', html).group(1)


def _text(html: str) -> str:
    """What a reader sees: tags and the inline SVG's path data stripped."""
    html = re.sub(r"<svg.*?</svg>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def _anonymous_csrf(client) -> str:
    html = client.get("/admin/login").get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def _decode_qr(png: bytes) -> str:
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image
    found = zxingcpp.read_barcodes(Image.open(BytesIO(png)).convert("L"))
    assert len(found) == 1, f"{len(found)} codes found"
    assert found[0].format == zxingcpp.BarcodeFormat.QRCode
    return found[0].text


def _pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def _browser_post(live_server, page, path: str, fields: dict | None = None) -> None:
    """Submit a form POST as the member page would (CSRF token from an admin page)."""
    page.goto(f"{live_server.url}/admin/login")     # signed in: lands on /admin/
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    with page.expect_navigation():
        page.evaluate("""([action, fields]) => {
            const form = document.createElement('form');
            form.method = 'post'; form.action = action;
            for (const [name, value] of Object.entries(fields)) {
                const input = document.createElement('input');
                input.type = 'hidden'; input.name = name; input.value = value;
                form.append(input);
            }
            document.body.append(form); form.submit();
        }""", [path, {"csrf_token": token, **(fields or {})}])


# -- the notice ----------------------------------------------------------------

def test_notice_shows_the_members_details_and_a_code_that_works(app, client, as_staff):
    token = as_staff("clerk")
    response = client.post(f"/admin/members/{_member_id(app)}/notice", data={"csrf_token": token})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    text = _text(html)
    assert "資格情報のお知らせ" in text and "𠮷田 太郎" in text
    assert "昭和55年5月15日" in text
    assert "このお知らせのみでは受診できません" in text
    assert "左を切り取ってご利用いただくことができます" in text
    assert "＊＊＊＊ ＊＊＊＊ 4821" in text
    assert "3割（平成27年4月1日開始）" in text
    assert not re.search(r"\d{12}", text.replace("-", " "))   # never a 12-digit My Number
    code = _code_on(html)
    assert re.fullmatch(r"\d{4}(-\d{4}){4}", code)
    with app.app_context():
        record = activation_codes.check(code, BIRTH, TEST_PIN)
        assert db.session.get(Member, record.member_id).name == "𠮷田 太郎"


def test_printing_again_replaces_the_previous_code(app, client, as_staff):
    token = as_staff("clerk")
    url = f"/admin/members/{_member_id(app)}/notice"
    first = _code_on(client.post(url, data={"csrf_token": token}).get_data(as_text=True))
    second = _code_on(client.post(url, data={"csrf_token": token}).get_data(as_text=True))
    assert first != second
    with app.app_context():
        with pytest.raises(ActivationError) as error:
            activation_codes.check(first, BIRTH, TEST_PIN)
        assert error.value.reason == "replaced"
        activation_codes.check(second, BIRTH, TEST_PIN)


def test_notice_without_a_my_number_on_file_says_so(app, client, as_staff):
    member_id = _member_id(app, branch="01")
    with app.app_context():
        db.session.get(Member, member_id).mynumber_last4 = None
        db.session.commit()
    token = as_staff("clerk")
    text = _text(client.post(f"/admin/members/{member_id}/notice",
                             data={"csrf_token": token}).get_data(as_text=True))
    assert "𠮷田 花子" in text and "＊＊＊＊" not in text
    assert "正確なマイナンバーを把握できていない" in text


def test_anonymous_users_cannot_print_a_notice(app, client):
    response = client.post(f"/admin/members/{_member_id(app)}/notice",
                           data={"csrf_token": _anonymous_csrf(client)})
    assert response.status_code in (302, 401)
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/admin/login")
    assert _code_count(app) == 0


def test_no_notice_for_a_member_who_lost_eligibility(app, client, as_staff):
    member_id = _member_id(app, number="91")
    with app.app_context():
        db.session.get(Member, member_id).eligibility.lost_on = server_clock.today()
        db.session.commit()
    token = as_staff("clerk")
    response = client.post(f"/admin/members/{member_id}/notice", data={"csrf_token": token})
    assert response.status_code == 409
    assert "資格を喪失しています" in response.get_data(as_text=True)
    assert _code_count(app) == 0


def test_no_card_for_a_member_who_lost_eligibility(app, client, as_staff):
    member_id = _member_id(app, number="91")
    with app.app_context():
        db.session.get(Member, member_id).eligibility.lost_on = server_clock.today()
        db.session.commit()
    token = as_staff("clerk")
    response = client.post(f"/admin/members/{member_id}/cards", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/members/{member_id}"
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(EligibilityCard.id))) == 0
    with client.session_transaction() as session:
        assert any("資格がありません" in message for _, message in session["_flashes"])


# -- in a real browser -----------------------------------------------------------

@pytest.mark.browser
def test_notice_qr_decodes_to_the_activation_url_and_prints_on_one_a4_page(live_server, page, staff_in_browser,
                                                                          known_pin):
    staff_in_browser(live_server, page)
    member_id = _member_id(live_server.app)
    _browser_post(live_server, page, f"/admin/members/{member_id}/notice")
    assert page.url.endswith(f"/admin/members/{member_id}/notice")
    code = page.locator("#activation-code").inner_text().strip()
    url = _decode_qr(page.locator("#activation-qr").screenshot())
    assert url == f"{live_server.url}/app/activate#code={code.replace('-', '')}"
    assert page.locator(".print-button").is_visible()
    page.emulate_media(media="print")
    assert not page.locator(".print-button").is_visible()
    pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
    assert pdf.startswith(b"%PDF") and _pdf_pages(pdf) == 1
    notice = page.locator("body").inner_text()
    assert "暗証番号" in notice and known_pin not in notice.replace(" ", "")   # said, never shown
    keep_screenshot(page, "notice")

    _browser_post(live_server, page, f"/admin/members/{member_id}/pin")     # its own sheet
    sheet = page.locator("#activation-pin").inner_text().replace(" ", "")
    assert sheet == known_pin and code not in page.locator("body").inner_text()
    page.emulate_media(media="print")
    assert _pdf_pages(page.pdf(format="A4", prefer_css_page_size=True)) == 1
    page.emulate_media(media="screen")
    keep_screenshot(page, "pin-sheet")




@pytest.mark.browser
def test_card_qr_carries_a_valid_card_token_until_the_card_is_withdrawn(live_server, page, staff_in_browser):
    staff_in_browser(live_server, page)
    member_id = _member_id(live_server.app)
    _browser_post(live_server, page, f"/admin/members/{member_id}/cards")
    assert re.search(r"/admin/cards/\d+/print$", page.url)
    card_url = page.url
    text = page.locator(".card-sheet").inner_text()
    assert "資格確認書" in text and "有効期限" in text and "交付年月日" in text and "𠮷田 太郎" in text
    token = _decode_qr(page.locator("#card-qr").screenshot())
    with live_server.app.app_context():
        result = publishing.verify_now(token, now=server_clock.now())
        assert result.status is Status.VALID
        assert result.claims.kind is DocumentKind.CARD and result.claims.name == "𠮷田 太郎"
        card = db.session.scalar(db.select(EligibilityCard).where(EligibilityCard.member_id == member_id))
        assert card.token == token
        assert format_both(card.valid_until) in text     # 有効期限 in 和暦 with 西暦

    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    box = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", pdf)
    width_mm, height_mm = (float(v) / 72 * 25.4 for v in box.groups())
    assert 85 <= width_mm <= 92 and 53.5 <= height_mm <= 56 and _pdf_pages(pdf) == 1

    with page.expect_navigation():
        page.locator("form.withdraw button").click()
    assert page.url.endswith(f"/admin/members/{member_id}")
    page.goto(card_url)
    assert "回収済み・使用不可" in page.locator(".card-sheet").inner_text()
    assert page.locator("#card-qr svg").count() == 0
    with live_server.app.app_context():
        result = publishing.verify_now(token, now=server_clock.now())
        assert result.status is Status.REVOKED
