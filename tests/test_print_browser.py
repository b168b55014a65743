"""The printed notices in real Chromium with print media emulated: a batch is one print job
with a page per member, the address block sits in a 長形3号 envelope's window, no text is
smaller than 8 pt, and the English notice carries the same scannable code."""
from __future__ import annotations

import re
from io import BytesIO

import pytest
from screenshots import keep_screenshot
from test_printing import _browser_post, _pdf_pages

from server.extensions import db
from server.models import Member

MM = 96 / 25.4                   # CSS pixels per millimetre
PT8 = 8 * 96 / 72                # 8 pt in CSS pixels (10.67)
PAGE_TOP, PAGE_LEFT = 12, 14     # the @page margins (mm): where the printed sheet's box starts
# The window of a 長形3号 window envelope on the A4 sheet folded in three (print.css):
# 20 mm from the left, 90 mm wide; 12–14 mm from the top, 45 mm high (taken at its narrowest).
WINDOW = {"left": 20, "right": 110, "top": 14, "bottom": 57}
# Where the window may be (12 or 14 mm from the top): nothing else may be printed there.
WINDOW_REACH = {"left": 20, "right": 110, "top": 12, "bottom": 59}


def _address(app, number="5678", branch="00"):
    with app.app_context():
        member = db.session.scalar(db.select(Member).where(Member.number == number,
                                                           Member.branch == branch))
        member.postal_code, member.address1 = "160-0023", "東京都新宿区西新宿二丁目8番1号"
        member.address2 = "都庁第一本庁舎10階"
        db.session.commit()
        return member.id


def _as_paper(page):
    """Print media, on a viewport as wide as the A4 page box (210 − 2 × 14 mm), so the layout
    is the printed one."""
    page.set_viewport_size({"width": round((210 - 2 * PAGE_LEFT) * MM), "height": 1100})
    page.emulate_media(media="print")


SMALL_TEXT = """() => {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const sizes = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (!node.textContent.trim()) continue;
        const element = node.parentElement;
        if (!element.getClientRects().length) continue;            // not rendered (display: none)
        const style = getComputedStyle(element);
        if (style.visibility !== 'visible') continue;
        sizes.push([element.tagName.toLowerCase() + '.' + element.className,
                    parseFloat(style.fontSize)]);
    }
    return sizes;
}"""


def _fonts(page) -> list:
    sizes = page.evaluate(SMALL_TEXT)
    assert len(sizes) > 60                       # the whole sheet was measured
    return sizes


def _too_small(sizes) -> list:
    return sorted({(where, round(px / 96 * 72, 2)) for where, px in sizes if px < PT8 - 0.01})


def test_a_batch_is_one_print_job_with_a_page_per_member(live_server, page, staff_in_browser):
    _address(live_server.app)
    staff_in_browser(live_server, page)
    _browser_post(live_server, page, "/admin/notices", {"selection": "search", "q": "1234 5678"})
    _as_paper(page)
    sheets = page.locator("article.sheet.a4")
    assert sheets.count() == 3
    breaks = page.evaluate("""() => [...document.querySelectorAll('article.sheet.a4')]
        .map(a => getComputedStyle(a).breakAfter)""")
    assert breaks == ["page", "page", "auto"]
    codes = page.locator("p.code").all_inner_texts()
    assert len(set(codes)) == 3 and all(re.fullmatch(r"\d{4}(-\d{4}){4}", c) for c in codes)
    names = page.locator("td.name").all_inner_texts()
    assert [n.split(" （")[0].split("（")[0].strip() for n in names] == ["𠮷田 太郎", "𠮷田 花子", "𠮷田 陽菜"]
    assert _too_small(_fonts(page)) == []
    keep_screenshot(page, "batch-print")
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    assert _pdf_pages(pdf) == 3                  # one sheet each, nothing spilling over


def test_the_address_block_sits_in_the_window_of_a_naga3_envelope(live_server, page, staff_in_browser):
    member_id = _address(live_server.app)
    staff_in_browser(live_server, page)
    _browser_post(live_server, page, f"/admin/members/{member_id}/notice")
    _as_paper(page)
    box = page.evaluate("""() => {
        const sheet = document.querySelector('article.sheet.a4').getBoundingClientRect();
        const block = document.getElementById('address-window');
        const range = document.createRange();
        range.selectNodeContents(block);
        const text = [...range.getClientRects()];          // where the ink is, line by line
        return {sheet: [sheet.left, sheet.top], block: block.getBoundingClientRect().toJSON(),
                ink: [Math.min(...text.map(r => r.left)), Math.min(...text.map(r => r.top)),
                      Math.max(...text.map(r => r.right)), Math.max(...text.map(r => r.bottom))],
                lines: block.innerText.split('\\n').filter(Boolean)};
    }""")
    assert box["sheet"] == [0, 0]                # the sheet's box is the page box in print
    left, top, right, bottom = box["ink"]
    on_paper = {"left": left / MM + PAGE_LEFT, "top": top / MM + PAGE_TOP,
                "right": right / MM + PAGE_LEFT, "bottom": bottom / MM + PAGE_TOP}
    assert WINDOW["left"] + 2 <= on_paper["left"] and on_paper["right"] <= WINDOW["right"] - 2, on_paper
    assert WINDOW["top"] + 2 <= on_paper["top"] and on_paper["bottom"] <= WINDOW["bottom"] - 2, on_paper
    block = box["block"]
    assert block["x"] / MM + PAGE_LEFT == pytest.approx(24, abs=0.2)
    assert block["y"] / MM + PAGE_TOP == pytest.approx(17, abs=0.2)
    assert box["lines"] == ["〒160-0023", "東京都新宿区西新宿二丁目8番1号", "都庁第一本庁舎10階", "𠮷田 太郎 様"]
    # nothing else on the sheet shows through the window (記号・番号 stay below it)
    others = page.evaluate("""() => [...document.querySelectorAll('article.sheet.a4 *')]
        .filter(e => !e.closest('#address-window') && !e.contains(document.getElementById('address-window'))
                     && e.childElementCount === 0 && e.textContent.trim())
        .map(e => e.getBoundingClientRect().toJSON())""")
    for rect in others:
        w = WINDOW_REACH
        overlaps = (rect["left"] / MM + PAGE_LEFT < w["right"] and rect["right"] / MM + PAGE_LEFT > w["left"]
                    and rect["top"] / MM + PAGE_TOP < w["bottom"] and rect["bottom"] / MM + PAGE_TOP > w["top"])
        assert not overlaps, rect
    assert _pdf_pages(page.pdf(format="A4", prefer_css_page_size=True)) == 1


def test_no_text_on_the_printed_notice_is_below_8pt(live_server, page, staff_in_browser):
    staff_in_browser(live_server, page)
    with live_server.app.app_context():
        member_id = db.session.scalar(db.select(Member.id).where(Member.number == "5678",
                                                                 Member.branch == "00"))
    _browser_post(live_server, page, f"/admin/members/{member_id}/notice")
    _as_paper(page)
    assert _too_small(_fonts(page)) == []


def test_the_english_notice_in_print(live_server, page, staff_in_browser):
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image
    member_id = _address(live_server.app)
    staff_in_browser(live_server, page)
    _browser_post(live_server, page, f"/admin/members/{member_id}/notice", {"lang": "en"})
    _as_paper(page)
    sheet = page.locator("article.sheet.a4")
    assert sheet.get_attribute("lang") == "en"
    text = sheet.inner_text()
    assert "Notice of Your Health Insurance Eligibility" in text
    assert "15 May 1980 (昭和55年5月15日)" in text and "Activation code" in text
    assert page.locator("#address-window").inner_text().startswith("〒160-0023")
    assert _too_small(_fonts(page)) == []
    code = page.locator("#activation-code").inner_text()
    png = page.locator("#activation-qr").screenshot(scale="device")
    [found] = zxingcpp.read_barcodes(Image.open(BytesIO(png)).convert("L"))
    assert found.text == f"{live_server.url}/app/activate#code={code.replace('-', '')}"
    keep_screenshot(page, "notice-en")
    assert _pdf_pages(page.pdf(format="A4", prefer_css_page_size=True)) == 1
