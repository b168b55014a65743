"""The clinic verifier at a busy reception desk (issue 12), in real Chromium at 1024×768:
次の方 always on screen (a fixed button, and Escape), one Tab from the camera button, and after it
the page at the top with focus in the scan box; the screen reader hears the verdict and the name
only, and is not told the idle trust panel again every 30 s; a focus ring of at least 3:1 (here,
in the member app and in the insurer admin); reference labels of a refused code at 4.5:1; and the page reflows at
200 % text size without sideways scrolling or a cut 有効 banner."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from screenshots import keep_screenshot
from test_clinic_browser import HANAKO, KAZUO, TARO, field, issue, open_clinic, result

pytestmark = pytest.mark.browser

DESK = {"width": 1024, "height": 768}

# WCAG relative luminance and contrast, and the colour actually painted behind an element
# (the nearest ancestor with a background, its opacity and every ancestor's multiplied in).
CONTRAST_JS = """
const rgba = (text) => { const m = text.match(/[\\d.]+/g).map(Number); return [m[0], m[1], m[2], m[3] ?? 1]; };
const lum = ([r, g, b]) => { const c = [r, g, b].map((v) => { v /= 255;
  return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
  return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]; };
const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
const backdrop = (el) => { for (let e = el; e; e = e.parentElement) {
    const c = rgba(getComputedStyle(e).backgroundColor); if (c[3] > 0) return c; } return [255, 255, 255, 1]; };
const opacity = (el) => { let o = 1; for (let e = el; e; e = e.parentElement) o *= Number(getComputedStyle(e).opacity); return o; };
const over = (fg, bg, alpha) => fg.slice(0, 3).map((v, i) => v * alpha + bg[i] * (1 - alpha));
"""


def focus_ring_ratio(page, selector: str) -> float:
    """The focused element's outline against what lies behind it (the outline is offset outside
    the element, so that is its parent's background)."""
    page.locator(selector).focus()
    return page.evaluate(f"""sel => {{ {CONTRAST_JS}
        const el = document.querySelector(sel);
        if (!el.matches(':focus-visible')) throw new Error('no focus ring on ' + sel);
        const style = getComputedStyle(el);
        if (style.outlineStyle === 'none' || parseFloat(style.outlineWidth) < 2) throw new Error('no outline on ' + sel);
        return ratio(rgba(style.outlineColor), backdrop(el.parentElement)); }}""", selector)


def scan_with_reader(page, text: str):
    """A reader's scan in the scan box, all at once and then Enter (typing it key by key can
    stall past the reader pause on a busy machine, which is test_clinic_browser's concern)."""
    page.locator("#scan-input").fill(text)
    page.keyboard.press("Enter")


def verdict_box(page):
    return page.evaluate("""() => { const r = document.getElementById('verdict').getBoundingClientRect();
        return {top: r.top, bottom: r.bottom, left: r.left, right: r.right,
                width: innerWidth, height: innerHeight}; }""")


def inside_viewport(box) -> bool:
    return (box["top"] >= -1 and box["left"] >= -1                     # (sub-pixel rounding)
            and box["bottom"] <= box["height"] + 1 and box["right"] <= box["width"] + 1)


def scroll_to_bottom(page):
    page.evaluate("() => document.scrollingElement.scrollTo(0, document.scrollingElement.scrollHeight)")
    assert page.evaluate("() => document.scrollingElement.scrollTop") > 0


# -- 次の方 in one action ----------------------------------------------------------------

def test_next_patient_is_on_screen_at_once_and_one_tab_from_the_camera_button(live_server, page):
    page.set_viewport_size(DESK)
    text = issue(live_server, KAZUO)           # 15 fields, 14 with a コピー button
    open_clinic(page, live_server)
    scan_with_reader(page, text)
    expect(result(page)).to_have_attribute("data-verdict", "valid")
    expect(page.locator("#details button.copy")).to_have_count(14)
    keep_screenshot(page, "clinic-valid")
    next_button = page.get_by_role("button", name="次の方")
    expect(next_button).to_be_in_viewport(ratio=1)        # without scrolling
    expect(next_button).to_have_attribute("aria-keyshortcuts", "Escape")
    scroll_to_bottom(page)
    expect(next_button).to_be_in_viewport(ratio=1)        # and wherever the page is scrolled
    page.locator("#camera-toggle").focus()
    page.keyboard.press("Tab")
    expect(next_button).to_be_focused()                    # before the copy buttons, not after 13


def test_next_patient_returns_to_the_top_with_focus_in_the_scan_box(live_server, page):
    page.set_viewport_size(DESK)
    taro, hanako = issue(live_server), issue(live_server, HANAKO)
    open_clinic(page, live_server)
    scan_with_reader(page, taro)
    expect(field(page, "name")).to_have_text("𠮷田 太郎")
    scroll_to_bottom(page)
    page.get_by_role("button", name="次の方").click()
    expect(result(page)).to_have_attribute("data-verdict", "idle")
    assert page.evaluate("() => document.scrollingElement.scrollTop") == 0
    expect(page.locator("#scan-input")).to_be_focused()
    expect(page.locator("#scan-input")).to_be_in_viewport(ratio=1)
    keep_screenshot(page, "clinic-after-next")

    scan_with_reader(page, hanako)                         # the next verdict is in sight
    expect(field(page, "name")).to_have_text("𠮷田 花子")
    assert inside_viewport(verdict_box(page))


def test_escape_is_next_patient_from_anywhere_but_a_search_box(live_server, page):
    page.set_viewport_size(DESK)
    open_clinic(page, live_server)
    scan_with_reader(page, issue(live_server))
    expect(result(page)).to_have_attribute("data-verdict", "valid")
    page.locator('#details dd[data-field="number"] button.copy').focus()
    scroll_to_bottom(page)
    page.keyboard.press("Escape")
    expect(result(page)).to_have_attribute("data-verdict", "idle")
    assert page.evaluate("() => document.scrollingElement.scrollTop") == 0
    expect(page.locator("#scan-input")).to_be_focused()

    scan_with_reader(page, issue(live_server))
    expect(result(page)).to_have_attribute("data-verdict", "valid")
    page.locator("#trust-insurer-details summary").click()
    page.locator("#trust-insurer-search").fill("0613")
    page.keyboard.press("Escape")                          # clears the search, keeps the patient
    expect(result(page)).to_have_attribute("data-verdict", "valid")


# -- what a screen reader hears ---------------------------------------------------------------

def assertive_text(page) -> str:
    regions = page.locator('[aria-live="assertive"], [role="alert"]')
    expect(regions).to_have_count(1)
    return regions.first.text_content()


def test_the_live_region_says_the_verdict_and_the_name_only(live_server, page):
    page.set_viewport_size(DESK)
    taro, lost = issue(live_server), issue(live_server, HANAKO, lose=True)
    open_clinic(page, live_server)
    assert assertive_text(page) == ""
    scan_with_reader(page, taro)
    expect(result(page)).to_have_attribute("data-verdict", "valid")
    assert assertive_text(page) == "有効 𠮷田 太郎"
    assert page.locator("#result").get_attribute("aria-live") is None   # not the whole panel
    scan_with_reader(page, lost)
    expect(result(page)).to_have_attribute("data-verdict", "invalid")
    assert assertive_text(page) == "無効（資格喪失） 𠮷田 花子"
    keep_screenshot(page, "clinic-lost")
    page.keyboard.press("Escape")
    assert assertive_text(page) == ""
    scan_with_reader(page, taro[:150])
    expect(result(page)).to_have_attribute("data-verdict", "misread")
    assert assertive_text(page) == "読み取れませんでした"


def test_the_idle_polite_regions_are_not_rewritten_every_30_seconds(live_server, page):
    page.clock.install()
    open_clinic(page, live_server)
    page.evaluate("""() => { window.__liveWrites = [];
        const observer = new MutationObserver((records) => { for (const r of records) {
          const region = (r.target.nodeType === 1 ? r.target : r.target.parentElement).closest('[aria-live]');
          window.__liveWrites.push(region.id || region.tagName); } });
        for (const el of document.querySelectorAll('[aria-live], [role="status"], [role="alert"]')) {
          observer.observe(el, {childList: true, characterData: true, subtree: true}); } }""")
    expect(page.locator('[aria-live="polite"]')).not_to_have_count(0)
    page.clock.run_for(95_000)                                       # three 30-second ticks
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.__liveWrites") == []


# -- contrast ---------------------------------------------------------------------------------

def test_the_focus_ring_reaches_3_to_1_in_the_clinic(live_server, page):
    page.set_viewport_size(DESK)
    open_clinic(page, live_server)
    page.keyboard.press("Tab")                             # keyboard use: :focus-visible rings
    scan_with_reader(page, issue(live_server))
    expect(result(page)).to_have_attribute("data-verdict", "valid")
    for selector in ("#scan-input", "#camera-toggle", "#lang-toggle", "#next-patient",
                     '#details dd[data-field="name"] button.copy', "#log-export",
                     "#trust-insurer-details summary"):
        assert focus_ring_ratio(page, selector) >= 3, selector


def test_the_focus_ring_reaches_3_to_1_in_the_member_app(live_server, page):
    page.goto(f"{live_server.url}/app/")
    page.keyboard.press("Tab")
    expect(page.locator("#lang-toggle")).to_be_visible()
    assert focus_ring_ratio(page, "#lang-toggle") >= 3            # in the blue header
    button = page.locator("main button:visible").first
    button.evaluate("el => el.id ||= 'first-main-button'")
    assert focus_ring_ratio(page, f"#{button.get_attribute('id')}") >= 3


def test_the_focus_ring_reaches_3_to_1_in_the_insurer_admin(live_server, page, staff_in_browser):
    staff_in_browser(live_server, page, role="admin")
    page.goto(f"{live_server.url}/admin/")
    page.keyboard.press("Tab")
    for selector in (".bar a.brand", ".bar nav a", ".bar button", "main a, main button, main input:not([type=hidden])"):
        page.locator(selector).first.evaluate("el => el.setAttribute('data-ring', '')")
        assert focus_ring_ratio(page, "[data-ring]") >= 3, selector
        page.locator("[data-ring]").evaluate("el => el.removeAttribute('data-ring')")


def test_the_reference_labels_of_a_refused_code_reach_4_5_to_1(live_server, page):
    page.set_viewport_size(DESK)
    lost = issue(live_server, TARO, lose=True)
    open_clinic(page, live_server)
    scan_with_reader(page, lost)
    expect(result(page)).to_have_attribute("data-verdict", "invalid")
    expect(page.locator("#details-area")).to_have_attribute("data-reference", "true")
    ratios = page.evaluate(f"""() => {{ {CONTRAST_JS}
        return [...document.querySelectorAll('#details dt, #details dd .value, #details-heading')].map((el) => {{
          const bg = backdrop(el);
          return [el.textContent, ratio(over(rgba(getComputedStyle(el).color), bg, opacity(el)), bg)]; }}); }}""")
    assert len(ratios) == 5 and [label for label, _ in ratios[1:]] == ["氏名", "𠮷田 太郎", "生年月日", ratios[4][0]]
    for label, value in ratios:
        assert value >= 4.5, (label, value)


# -- 200 % -------------------------------------------------------------------------------------

def no_sideways_scroll(page) -> bool:
    return page.evaluate("() => document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth")


@pytest.mark.parametrize("how", ["root-font-200", "zoom-200"])
def test_the_page_reflows_at_200_percent(live_server, page, how):
    if how == "zoom-200":
        page.set_viewport_size({"width": 512, "height": 384})   # 1024×768 at 200 % zoom
    else:
        page.set_viewport_size(DESK)
    open_clinic(page, live_server)
    if how == "root-font-200":
        page.evaluate("() => { document.documentElement.style.fontSize = '200%'; }")
    assert no_sideways_scroll(page)
    scan_with_reader(page, issue(live_server, KAZUO))
    expect(result(page)).to_have_attribute("data-verdict", "valid")
    assert no_sideways_scroll(page), page.evaluate("() => [document.scrollingElement.scrollWidth, innerWidth]")
    assert inside_viewport(verdict_box(page)), verdict_box(page)
    expect(page.get_by_role("button", name="次の方")).to_be_in_viewport(ratio=1)
    keep_screenshot(page, f"clinic-{how}")
    scroll_to_bottom(page)                                          # the day log below, too
    assert no_sideways_scroll(page)


# -- the day-log CSV, downloaded -----------------------------------------------------------------

OLD_RECORD = {   # what DayLog.entry wrote before 性別, 資格取得日 and 限度額区分 were kept
    "source": "keyboard", "verdict": "valid", "status": "valid", "warnings": [],
    "insurer_number": "06138093", "insurer_name": "資格パス健康保険組合（デモ）", "symbol": "1234",
    "number": "5678", "branch": "01", "relationship": 2, "name": "𠮷田 花子", "birth_date": "1982-08-20",
    "copay_ratio": 30, "kind": 1}


def test_the_downloaded_csv_keeps_leading_zeros_for_excel_and_has_the_new_columns(live_server, page):
    open_clinic(page, live_server)
    put_old_record = """record => new Promise((resolve, reject) => {
        const open = indexedDB.open('shikaku-clinic');
        open.onsuccess = () => { const tx = open.result.transaction('log', 'readwrite');
          tx.objectStore('log').put({...record, at: Date.now() - 60000});
          tx.oncomplete = () => { open.result.close(); resolve(); }; tx.onerror = () => reject(tx.error); };
        open.onerror = () => reject(open.error); })"""
    page.evaluate(put_old_record, OLD_RECORD)
    scan_with_reader(page, issue(live_server, KAZUO))
    expect(page.locator("#log-entries tr")).to_have_count(2)
    with page.expect_download() as download:
        page.get_by_role("button", name="CSVで書き出す").click()
    data = download.value.path().read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data.endswith(b"\r\n")
    lines = data[3:].decode("utf-8").split("\r\n")
    assert len(lines) == 4 and lines[3] == "" and not any("\n" in line for line in lines)
    header, old, new = (line.split(",") for line in lines[:3])
    assert header[5:] == ["保険者番号", "保険者名称", "記号", "番号", "枝番", "本人・家族", "氏名",
                          "生年月日（和暦）", "生年月日（西暦）", "性別", "負担割合", "資格取得日",
                          "限度額適用区分", "書類"]
    assert len(old) == len(new) == len(header)
    assert new[5:] == ['"=""06138093"""', "資格パス健康保険組合（デモ）", '"=""1234"""', '"=""91"""', '"=""00"""',
                       "本人", "髙橋 和夫", "昭和29年3月10日", "1954年3月10日", "男", "2割",
                       "平成11年10月1日（1999年10月1日）", "B04 一般", "資格情報のお知らせ（スマホ）"]
    assert old[9:19] == ['"=""01"""', "家族", "𠮷田 花子", "昭和57年8月20日", "1982年8月20日", "", "3割", "", "", "資格情報のお知らせ（スマホ）"]
