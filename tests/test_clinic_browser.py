"""The clinic verifier (web/clinic) in real Chromium against the live server: a QR in front
of Chromium's fake camera, a keyboard-wedge scanner typing full-width digits, offline after
one visit, the trust-list rules (pinned anchor, never older, stale, past grace, a device
clock behind the list), the transcription aid, the day log, and the service worker's update
offered, not forced."""
from __future__ import annotations

import re
import shutil
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import segno
from playwright.sync_api import expect

from server import clock
from server.documents import issuance
from server.extensions import db
from server.keys import publishing, store
from server.models import Member
from server.paths import WEB_ROOT
from server.register import members
from server.token_core import TrustList, sign_trust_list
from server.token_core.keys import generate_private_key, key_id_for
from server.views import clinic
from screenshots import keep_screenshot

pytestmark = pytest.mark.browser

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
TARO = ("5678", "00", "𠮷田 太郎")
HANAKO = ("5678", "01", "𠮷田 花子")
KAZUO = ("91", "00", "髙橋 和夫")      # 限度額区分 B04 (consented)


# -- helpers --------------------------------------------------------------------

def issue(live_server, member=TARO, *, lose: bool = False) -> str:
    """A token for a demo member; with ``lose`` the member then loses eligibility today."""
    number, branch, _ = member
    with live_server.app.app_context():
        found = db.session.scalar(db.select(Member).where(Member.number == number, Member.branch == branch))
        text = issuance.issue_token(found).text
        if lose:
            members.record_loss(found, clock.today(), "retirement")
    return text


def open_clinic(page, live_server, state: str = "ok"):
    page.goto(f"{live_server.url}/clinic/")
    expect(page.locator("#trust")).to_have_attribute("data-state", state)


def scan_with_reader(page, text: str):
    """What a USB scanner does with a Japanese IME on: full-width digits, then Enter."""
    page.keyboard.type(text.translate(FULL_WIDTH))
    page.keyboard.press("Enter")


def settle(page, expression: str, arg=None, ms: int = 10_000):
    """page.evaluate of a promise-valued expression (of ``arg``) that fails after ``ms``
    instead of hanging."""
    return page.evaluate(f"""arg => Promise.race([
        Promise.resolve().then(() => {expression}),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timed out: {expression}')), {ms}))])""", arg)


def eventually(check, seconds: float = 10):
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


def wait_for_service_worker(page):
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15_000)


def result(page):
    return page.locator("#result")


def field(page, name: str):
    return page.locator(f'#details dd[data-field="{name}"] .value')


def write_qr_y4m(text: str, path: Path, *, width=640, height=480, target=400) -> Path:
    """One Y4M frame (4:2:0) with the token's QR (error correction M, quiet zone white),
    about ``target`` pixels wide in the middle of the frame."""
    modules = np.array(list(segno.make_qr(text, error="m").matrix_iter(scale=1, border=4)), dtype=bool)
    scale = max(1, target // modules.shape[0])
    image = np.kron(modules, np.ones((scale, scale), dtype=bool))
    luma = np.full((height, width), 235, np.uint8)
    top, left = (height - image.shape[0]) // 2, (width - image.shape[1]) // 2
    luma[top:top + image.shape[0], left:left + image.shape[1]][image] = 16
    chroma = np.full((height // 2, width // 2), 128, np.uint8).tobytes()
    path.write_bytes(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode()
                     + b"FRAME\n" + luma.tobytes() + chroma + chroma)
    return path


@pytest.fixture
def camera_page(browser, tmp_path):
    """A page in a separate Chromium whose fake camera shows a given token's QR (the Y4M
    file is fixed at launch, so one launch per token)."""
    launched = []

    def open_with(text: str):
        y4m = write_qr_y4m(text, tmp_path / f"qr-{len(launched)}.y4m")
        camera_browser = browser.browser_type.launch(
            executable_path=shutil.which("chromium") or "/usr/bin/chromium", headless=True, args=[
                "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                f"--use-file-for-fake-video-capture={y4m}", "--disable-background-networking",
                "--no-first-run"])
        launched.append(camera_browser)
        context = camera_browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", permissions=["camera"])
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page
    yield open_with
    for camera_browser in launched:
        camera_browser.close()


def sign_list(private_key, *, issued_at: int, keys=(), insurers=None) -> str:
    trust_list = TrustList(issued_at=issued_at, expires_at=issued_at + 2 * 86400, grace=14 * 86400,
                           insurers=insurers or {"06138093": "偽の保険者"}, keys=tuple(keys), revocations={})
    return sign_trust_list(trust_list, private_key, key_id_for(private_key.public_key()))


def serve_trust_list(monkeypatch, document: str):
    """From now on the server's /api/v1/trust-list answers with ``document`` (as stored bytes)."""
    import gzip
    import hashlib
    body = document.encode()
    published = SimpleNamespace(document=document, document_gzip=gzip.compress(body),
                                etag=hashlib.sha256(body).hexdigest()[:32])
    monkeypatch.setattr(publishing, "current", lambda: published)


# -- camera -------------------------------------------------------------------------

def test_camera_qr_of_a_valid_token_shows_valid_and_the_name(live_server, camera_page):
    page = camera_page(issue(live_server))
    open_clinic(page, live_server)
    page.get_by_role("button", name="カメラで読み取る").click()
    expect(page.locator("#camera")).to_have_attribute("data-state", "on")
    expect(result(page)).to_have_attribute("data-verdict", "valid", timeout=15_000)
    expect(page.locator("#verdict")).to_have_text("有効")
    expect(field(page, "name")).to_have_text("𠮷田 太郎")
    expect(page.locator("#reminder")).to_have_text("氏名・生年月日をマイナ保険証（写真付き本人確認書類）と照合してください")


def test_camera_qr_of_a_revoked_member_shows_invalid_eligibility_lost(live_server, camera_page):
    page = camera_page(issue(live_server, lose=True))
    open_clinic(page, live_server)
    expect(page.locator("#trust-status-lists")).to_have_attribute("data-state", "ok")   # the lists
    page.get_by_role("button", name="カメラで読み取る").click()
    expect(result(page)).to_have_attribute("data-verdict", "invalid", timeout=15_000)
    expect(page.locator("#verdict")).to_have_text("無効")
    expect(page.locator("#verdict-reason")).to_have_text("資格喪失")
    # Whose token it was, for reference, but nothing to copy into a claim.
    expect(field(page, "name")).to_have_text("𠮷田 太郎")
    expect(page.locator("#details button.copy")).to_have_count(0)


def test_camera_stops_when_the_page_is_hidden_and_resumes_when_shown(live_server, camera_page):
    page = camera_page(issue(live_server))
    open_clinic(page, live_server)
    page.get_by_role("button", name="カメラで読み取る").click()
    expect(page.locator("#camera")).to_have_attribute("data-state", "on")
    live_tracks = "document.getElementById('camera-video').srcObject?.getTracks().filter(t => t.readyState === 'live').length ?? 0"
    assert page.evaluate(live_tracks) == 1
    page.evaluate("""() => {
        Object.defineProperty(document, 'hidden', {configurable: true, get: () => true});
        document.dispatchEvent(new Event('visibilitychange'));
    }""")
    expect(page.locator("#camera")).to_have_attribute("data-state", "off")
    assert page.evaluate(live_tracks) == 0
    page.evaluate("""() => {
        Object.defineProperty(document, 'hidden', {configurable: true, get: () => false});
        document.dispatchEvent(new Event('visibilitychange'));
    }""")
    expect(page.locator("#camera")).to_have_attribute("data-state", "on")


# -- keyboard-wedge scanner and paste ----------------------------------------------------

def test_reader_typing_full_width_digits_and_enter_verifies_without_a_click(live_server, page):
    text = issue(live_server)
    open_clinic(page, live_server)
    expect(page.locator("#scan-input")).to_be_focused()
    scan_with_reader(page, f" {text[:100]}　{text[100:]} ")     # stray spaces, ASCII and U+3000
    expect(result(page)).to_have_attribute("data-verdict", "valid")
    expect(field(page, "name")).to_have_text("𠮷田 太郎")
    expect(page.locator("#scan-input")).to_have_value("")
    expect(page.locator("#scan-input")).to_be_focused()


def test_reader_without_an_enter_suffix_verifies_when_typing_stops(live_server, page):
    text = issue(live_server, HANAKO)
    open_clinic(page, live_server)
    page.keyboard.type(text.translate(FULL_WIDTH))
    expect(result(page)).to_have_attribute("data-verdict", "valid")
    expect(field(page, "name")).to_have_text("𠮷田 花子")
    expect(field(page, "relationship")).to_have_text("家族")


def test_reader_typing_into_an_ime_composition_verifies_when_it_commits(live_server, page):
    """With the IME on, the digits sit in a composition and the reader's Enter only commits it."""
    text = issue(live_server).translate(FULL_WIDTH)
    open_clinic(page, live_server)
    cdp = page.context.new_cdp_session(page)
    for end in range(50, len(text) + 50, 50):
        composing = text[:end]
        cdp.send("Input.imeSetComposition", {"text": composing, "selectionStart": len(composing),
                                             "selectionEnd": len(composing)})
    page.wait_for_timeout(1800)                                         # longer than any typing pause
    expect(result(page)).to_have_attribute("data-verdict", "idle")      # nothing while composing
    cdp.send("Input.insertText", {"text": text})                          # the Enter: commit
    expect(result(page)).to_have_attribute("data-verdict", "valid")
    expect(field(page, "name")).to_have_text("𠮷田 太郎")


def test_a_new_code_replaces_the_result_and_next_patient_clears_it(live_server, page):
    taro, kazuo = issue(live_server), issue(live_server, KAZUO)
    open_clinic(page, live_server)
    scan_with_reader(page, taro)
    expect(field(page, "name")).to_have_text("𠮷田 太郎")
    page.locator("#lang-toggle").focus()     # focus left the input (its Enter would switch languages)…
    scan_with_reader(page, kazuo)            # …yet the reader's digits and Enter still land there
    expect(field(page, "name")).to_have_text("髙橋 和夫")
    page.get_by_role("button", name="次の方").click()
    expect(result(page)).to_have_attribute("data-verdict", "idle")
    expect(page.locator("#details-area")).to_be_hidden()
    expect(page.locator("#scan-input")).to_be_focused()


def test_paste_verifies_at_once(live_server, page):
    text = issue(live_server)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    open_clinic(page, live_server)
    settle(page, "navigator.clipboard.writeText(arg)", text)
    page.keyboard.press("ControlOrMeta+V")
    expect(result(page)).to_have_attribute("data-verdict", "valid")


def test_a_cut_off_scan_is_a_misread_to_scan_again_never_invalid(live_server, page):
    text = issue(live_server)
    open_clinic(page, live_server)
    scan_with_reader(page, text[:150])           # the scanner lost the end of the code
    expect(result(page)).to_have_attribute("data-verdict", "misread")
    expect(page.locator("#verdict")).to_have_text("読み取れませんでした")
    expect(page.locator("#verdict-reason")).to_have_text(
        "読み取った内容：資格パスのQRコードの一部（途中で切れているか、汚れ・破損があります）"
        "もう一度読み取ってください。")
    assert page.locator("#verdict").evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(163, 82, 0)"   # --amber, not --red
    expect(page.locator("#reminder")).to_be_hidden()     # nothing read to match against an ID
    keep_screenshot(page, "clinic-misread")
    expect(page.locator("#log-entries tr").first).to_contain_text("読み取れませんでした（資格パスのQRコードの一部")
    expect(page.locator("#log-entries")).not_to_contain_text("無効")
    scan_with_reader(page, "4901234567894")      # a product barcode's digits
    expect(page.locator("#verdict-reason")).to_contain_text("資格パスではない数字のコード（13桁）")


def test_a_url_qr_in_front_of_the_camera_is_a_misread_not_invalid(live_server, camera_page):
    page = camera_page("https://example.jp/clinic/appointments?id=42")
    open_clinic(page, live_server)
    page.get_by_role("button", name="カメラで読み取る").click()
    expect(result(page)).to_have_attribute("data-verdict", "misread", timeout=15_000)
    expect(page.locator("#verdict")).to_have_text("読み取れませんでした")
    expect(page.locator("#verdict-reason")).to_contain_text("読み取った内容：URLのQRコード")
    expect(page.locator("#log-entries tr").first).to_contain_text("URLのQRコード")


# -- the transcription aid ---------------------------------------------------------------

def test_valid_result_lists_the_claim_details_in_receipt_order_with_copy_buttons(live_server, page):
    text = issue(live_server, KAZUO)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    open_clinic(page, live_server)
    scan_with_reader(page, text)
    expect(result(page)).to_have_attribute("data-verdict", "valid")
    labels = page.locator("#details dt").all_inner_texts()
    assert labels == ["保険者番号", "保険者名称", "記号", "番号", "枝番", "本人・家族", "氏名", "生年月日",
                      "性別", "負担割合", "資格取得日", "限度額適用区分", "書類", "有効期限"]
    expect(field(page, "insurer_number")).to_have_text("06138093")
    expect(field(page, "insurer_name")).to_have_text("資格パス健康保険組合（デモ）")
    expect(field(page, "birth_date")).to_contain_text("昭和29年3月10日（1954年3月10日）")
    expect(field(page, "birth_date")).to_contain_text("歳")
    expect(field(page, "copay")).to_have_text("2割（令和6年4月1日（2024年4月1日）から）")
    expect(field(page, "limit_category")).to_have_text("B04 一般")
    expect(field(page, "kind")).to_have_text("資格情報のお知らせ（スマホ）")
    page.locator('#details dd[data-field="name"] button.copy').click()
    expect(page.locator('#details dd[data-field="name"] button.copy')).to_have_text("コピーしました")
    assert settle(page, "navigator.clipboard.readText()") == "髙橋 和夫"


def test_english_on_a_toggle_that_the_device_remembers(live_server, page):
    text = issue(live_server)
    open_clinic(page, live_server)
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    scan_with_reader(page, text)
    expect(page.locator("#verdict")).to_have_text("Valid")
    expect(page.locator("#details dt").first).to_have_text("Insurer number")
    page.reload()
    expect(page.locator("#trust-status")).to_have_text("Signature verified")
    expect(page.get_by_role("button", name="日本語")).to_be_visible()


# -- offline and the service worker ------------------------------------------------------

def test_after_one_visit_the_page_verifies_offline(live_server, page):
    text = issue(live_server)
    open_clinic(page, live_server)
    wait_for_service_worker(page)
    page.context.set_offline(True)
    page.reload()
    expect(page.locator("#trust")).to_have_attribute("data-state", "ok")
    expect(page.locator("#trust-refresh")).to_have_attribute("data-outcome", "offline")
    expect(page.locator("#trust-age")).to_contain_text("発行から")
    scan_with_reader(page, text)
    expect(result(page)).to_have_attribute("data-verdict", "valid")
    expect(field(page, "name")).to_have_text("𠮷田 太郎")


def test_a_new_version_is_offered_not_forced(live_server, page, monkeypatch):
    open_clinic(page, live_server)
    wait_for_service_worker(page)
    [old_cache] = settle(page, "caches.keys()")
    monkeypatch.setattr(clinic.offline_app, "build_id", lambda: "next-release")
    settle(page, "navigator.serviceWorker.getRegistration().then(r => r.update())")
    expect(page.locator("#update-banner")).to_be_visible(timeout=15_000)
    expect(page.locator("#update-banner")).to_contain_text("新しいバージョンがあります")
    # Installed and waiting: this page still runs the old version from the old cache.
    assert sorted(settle(page, "caches.keys()")) == sorted([old_cache, "shikaku-clinic-next-release"])
    page.get_by_role("button", name="あとで").click()
    expect(page.locator("#update-banner")).to_be_hidden()
    page.reload()                         # a reload alone does not switch versions either…
    expect(page.locator("#update-banner")).to_be_visible()
    with page.expect_event("load"):       # …accepting the offer does
        page.get_by_role("button", name="更新する").click()
    expect(page.locator("#trust")).to_have_attribute("data-state", "ok")
    eventually(lambda: settle(page, "caches.keys()") == ["shikaku-clinic-next-release"])   # old one deleted


# -- the trust list's rules ---------------------------------------------------------------

def test_a_trust_list_signed_by_another_key_is_refused_and_the_saved_one_kept(live_server, page, monkeypatch):
    text = issue(live_server)
    open_clinic(page, live_server)
    impostor = generate_private_key()
    serve_trust_list(monkeypatch, sign_list(impostor, issued_at=int(time.time()) + 60))
    page.reload()
    expect(page.locator("#trust-refresh")).to_have_attribute("data-outcome", "refused")
    expect(page.locator("#trust-refresh")).to_contain_text("拒否しました")
    expect(page.locator("#trust")).to_have_attribute("data-state", "ok")
    page.locator("#trust-insurer-details summary").click()
    expect(page.locator("#trust-insurers li")).to_have_text(["06138093 資格パス健康保険組合（デモ）",
                                                             "06270888 なにわ商事健康保険組合（デモ）"])
    page.locator("#scan-input").focus()
    scan_with_reader(page, text)      # the saved list still has the insurer's key
    expect(result(page)).to_have_attribute("data-verdict", "valid")


def test_a_trust_list_older_than_the_saved_one_is_refused(live_server, page, monkeypatch):
    text = issue(live_server)
    open_clinic(page, live_server)
    with live_server.app.app_context():
        saved_iat = publishing.current().issued_at
        older = sign_list(store.anchor().private_key, issued_at=saved_iat - 3600,
                          insurers={"06138093": "資格パス健康保険組合（デモ）"})
    serve_trust_list(monkeypatch, older)
    page.reload()
    expect(page.locator("#trust-refresh")).to_have_attribute("data-outcome", "refused")
    expect(page.locator("#trust-refresh")).to_contain_text("保存済みのリストより古い")
    scan_with_reader(page, text)      # accepting the older list (no keys) would give 不明な発行鍵
    expect(result(page)).to_have_attribute("data-verdict", "valid")


def test_a_national_list_counts_its_insurers_and_lists_them_on_demand(live_server, page, monkeypatch):
    """3,000 insurers: a count, and a collapsed list that shows a page of matches at a time."""
    insurers = {f"{39_000_000 + i:08d}": f"保険者{i:04d}" for i in range(3000)}
    insurers["06138093"] = "資格パス健康保険組合（デモ）"
    with live_server.app.app_context():
        document = sign_list(store.anchor().private_key, issued_at=int(time.time()), insurers=insurers)
    serve_trust_list(monkeypatch, document)
    open_clinic(page, live_server)
    expect(page.locator("#trust-insurer-count")).to_have_text("3,001保険者")
    expect(page.locator("#trust-insurers li")).to_have_count(0)          # nothing built while closed
    page.locator("#trust-insurer-details summary").click()
    expect(page.locator("#trust-insurers li")).to_have_count(50)
    expect(page.locator("#trust-insurers-more")).to_have_text("ほか2951件（検索で絞り込んでください）")
    page.locator("#trust-insurer-search").fill("デモ")
    expect(page.locator("#trust-insurers li")).to_have_text(["06138093 資格パス健康保険組合（デモ）"])
    expect(page.locator("#trust-insurers-more")).to_be_hidden()
    page.locator("#trust-insurer-search").fill("3900299")
    expect(page.locator("#trust-insurers li")).to_have_text(["39002990 保険者2990", "39002991 保険者2991",
        "39002992 保険者2992", "39002993 保険者2993", "39002994 保険者2994", "39002995 保険者2995",
        "39002996 保険者2996", "39002997 保険者2997", "39002998 保険者2998", "39002999 保険者2999"])
    page.locator("#trust-insurer-search").fill("該当なし")
    expect(page.locator("#trust-insurers-more")).to_have_text("該当する保険者はありません")


def test_first_visit_with_an_impostor_anchor_in_the_config_has_no_list(live_server, page):
    from server.token_core.keys import public_jwk
    impostor = public_jwk(generate_private_key().public_key())

    def swap_anchor(route):
        config = route.fetch().json()
        route.fulfill(json={**config, "anchor": impostor})
    page.route("**/clinic/config.json", swap_anchor)
    open_clinic(page, live_server, state="error")
    scan_with_reader(page, issue(live_server))
    expect(result(page)).to_have_attribute("data-verdict", "resync")
    expect(page.locator("#verdict")).to_have_text("要再同期")


def test_past_its_expiry_the_list_warns_on_every_result(live_server, page):
    text = issue(live_server)
    page.clock.set_fixed_time(datetime.now(timezone.utc) + timedelta(days=3))   # exp is iat + 2 days
    open_clinic(page, live_server, state="stale")
    scan_with_reader(page, text)
    expect(result(page)).to_have_attribute("data-verdict", "valid")
    expect(page.locator('#result-warnings li[data-warning="trust_list_stale"]')).to_contain_text("信頼リストが古い")
    scan_with_reader(page, text[:-20])
    expect(result(page)).to_have_attribute("data-verdict", "misread")
    expect(page.locator('#result-warnings li[data-warning="trust_list_stale"]')).to_be_visible()


def test_past_expiry_and_grace_the_verdict_is_resync_never_valid(live_server, page):
    text = issue(live_server)
    page.clock.set_fixed_time(datetime.now(timezone.utc) + timedelta(days=20))  # exp 2 d + grace 14 d
    open_clinic(page, live_server, state="expired")
    expect(page.locator("#trust-age")).to_contain_text("要再同期")
    scan_with_reader(page, text)
    expect(result(page)).to_have_attribute("data-verdict", "resync")
    expect(page.locator("#verdict")).to_have_text("要再同期")
    expect(page.locator("#details-area")).to_be_hidden()


def test_a_device_clock_before_the_list_is_flagged_and_never_valid(live_server, page):
    text = issue(live_server)
    page.clock.set_fixed_time(datetime.now(timezone.utc) - timedelta(days=1))
    open_clinic(page, live_server, state="clock")
    scan_with_reader(page, text)
    expect(result(page)).to_have_attribute("data-verdict", "clock")
    expect(page.locator("#verdict")).to_have_text("端末時刻異常")
    expect(page.locator('#result-warnings li[data-warning="clock_suspect"]')).to_contain_text("端末時刻異常")
    expect(page.locator("#verdict")).not_to_have_text("有効")


# -- the day log ----------------------------------------------------------------------

def test_day_log_lists_exports_csv_with_bom_and_clears(live_server, page):
    taro, hanako = issue(live_server), issue(live_server, HANAKO)
    open_clinic(page, live_server)
    scan_with_reader(page, taro)
    expect(field(page, "name")).to_have_text("𠮷田 太郎")
    scan_with_reader(page, hanako)
    expect(field(page, "name")).to_have_text("𠮷田 花子")
    rows = page.locator("#log-entries tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("𠮷田 花子")      # newest first
    expect(page.locator("#log")).to_contain_text("どのサーバーにも送信されません")

    with page.expect_download() as download:
        page.get_by_role("button", name="CSVで書き出す").click()
    data = Path(download.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("日時,判定,理由,警告,入力,保険者番号,保険者名称,記号,番号,枝番")
    assert len(lines) == 3 and "𠮷田 太郎" in lines[1] and "𠮷田 花子" in lines[2]
    assert ",有効," in lines[1]

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="記録をすべて消去").click()
    expect(rows).to_have_count(0)
    expect(page.locator("#log-empty")).to_be_visible()


def test_day_log_copies_as_a_table_for_a_spreadsheet(live_server, page):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    open_clinic(page, live_server)
    scan_with_reader(page, issue(live_server))
    expect(page.locator("#log-entries tr")).to_have_count(1)
    page.get_by_role("button", name="表としてコピー").click()
    expect(page.locator("#log-copy")).to_have_text("コピーしました")
    header, row = settle(page, "navigator.clipboard.readText()").splitlines()
    assert header.split("\t")[:3] == ["日時", "判定", "理由"]
    assert "𠮷田 太郎" in row.split("\t") and "有効" in row.split("\t")


def test_day_log_entries_older_than_the_configured_days_are_deleted(live_server, page):
    live_server.app.config["CLINIC_LOG_RETENTION_DAYS"] = 2
    open_clinic(page, live_server)
    page.clock.set_fixed_time(datetime.now(timezone.utc) - timedelta(days=3))
    page.reload()
    scan_with_reader(page, "8801" + "0" * 10)
    expect(page.locator("#log-entries tr")).to_have_count(1)
    page.clock.set_fixed_time(datetime.now(timezone.utc))
    page.reload()
    expect(page.locator("#log-retention")).to_have_text("2日より古い記録は自動的に削除されます。")
    expect(page.locator("#log-empty")).to_be_visible()
    expect(page.locator("#log-entries tr")).to_have_count(0)


# -- what the server ships ---------------------------------------------------------------

def test_config_json_pins_the_servers_anchor_and_names_the_trust_list(live_server):
    client = live_server.app.test_client()
    config = client.get("/clinic/config.json").get_json()
    with live_server.app.app_context():
        assert config["anchor"] == publishing.anchor_jwk()
    assert config["trust_list_url"] == f"{live_server.url}/api/v1/trust-list"
    assert config["log_retention_days"] == 30 and config["skew_seconds"] == 300
    assert "d" not in config["anchor"]


def test_service_worker_is_served_for_the_clinic_scope_with_a_build_id(live_server):
    client = live_server.app.test_client()
    with client.get("/clinic/sw.js") as response:
        body = response.get_data(as_text=True)
        assert response.headers["Service-Worker-Allowed"] == "/clinic/"
        assert response.headers["Cache-Control"] == "no-cache"
    assert "__BUILD__" not in body and re.search(r"const BUILD = '[0-9a-f]{12}';", body)


def test_the_precache_list_holds_every_module_the_page_and_its_worker_load():
    """Follow the static imports from the page (through the import map) and the worker's
    importScripts: every file must be precached, or the page breaks offline."""
    html = (WEB_ROOT / "clinic" / "index.html").read_text(encoding="utf-8")
    import_map = {"cborg": "/vendor/cborg/cborg.js"}
    assert '{"imports": {"cborg": "/vendor/cborg/cborg.js"}}' in html
    entry_points = re.findall(r'<script type="module" src="([^"]+)"', html)
    needed, todo = set(), list(entry_points) + ["/clinic/js/qr-worker.js"]
    while todo:
        url = todo.pop()
        if url in needed:
            continue
        needed.add(url)
        source = clinic.offline_app.file_for(url).read_text(encoding="utf-8")
        source = re.sub(r"/\*.*?\*/|^\s*//.*$", "", source, flags=re.S | re.M)
        specifiers = re.findall(r"^\s*(?:import|export)\b[^'\"]*?\bfrom\s+['\"]([^'\"]+)['\"]", source, re.M)
        specifiers += re.findall(r"^\s*import\s+['\"]([^'\"]+)['\"]", source, re.M)
        specifiers += re.findall(r"importScripts\(['\"]([^'\"]+)['\"]\)", source)
        specifiers += re.findall(r"new URL\('(\./[^']+)', import\.meta\.url\)", source)
        for spec in specifiers:
            resolved = import_map.get(spec) or _resolve(url, spec)
            todo.append(resolved)
    precached = set(clinic.offline_app.precache_paths())
    assert needed - precached == set()
    assert {"/vendor/jsqr/dist/jsQR.js", "/shared/verifier.js", "/vendor/cborg/cborg.js"} <= precached
    for path in precached - {"/clinic/config.json"}:
        assert clinic.offline_app.file_for(path).is_file(), path


def _resolve(base: str, spec: str) -> str:
    if spec.startswith("/"):
        return spec
    parts = base.rsplit("/", 1)[0].split("/")
    for piece in spec.split("/"):
        if piece == "..":
            parts.pop()
        elif piece != ".":
            parts.append(piece)
    return "/".join(parts)


# -- a scan is never lost -------------------------------------------------------------------

def scan_outside_any_field(page, text: str, *, ime: bool):
    """A USB scanner's keys while the focus is on no text field: real key events, half-width
    digits — or with an IME on, "Process" keys that name the physical digit key (in the scan
    box the IME composes full-width digits instead) — then Enter."""
    if not ime:
        page.keyboard.type(text)
        page.keyboard.press("Enter")
        return
    if page.evaluate("document.activeElement?.id") == "scan-input":   # a text field: the IME composes
        scan_with_reader(page, text)
        return
    cdp = page.context.new_cdp_session(page)
    for ch in text:
        for kind in ("rawKeyDown", "keyUp"):
            cdp.send("Input.dispatchKeyEvent", {"type": kind, "key": "Process", "code": f"Digit{ch}",
                                                "windowsVirtualKeyCode": 229})
    for kind in ("rawKeyDown", "keyUp"):
        cdp.send("Input.dispatchKeyEvent", {"type": kind, "key": "Enter", "code": "Enter",
                                            "windowsVirtualKeyCode": 13})
    cdp.detach()


@pytest.mark.parametrize("tapped", ["#trust h2", "#trust-insurer-details summary", "#log-copy", "#verdict"])
def test_a_scanner_burst_is_taken_wherever_the_focus_is(live_server, page, tapped):
    text = issue(live_server)
    open_clinic(page, live_server)
    for scans, ime in ((1, False), (2, True)):
        page.locator(tapped).click()
        opened = page.locator("#trust-insurer-details").evaluate("e => e.open")
        scan_outside_any_field(page, text, ime=ime)
        expect(page.locator("#log-entries tr")).to_have_count(scans)
        expect(result(page)).to_have_attribute("data-verdict", "valid")
        # the burst's Enter pressed nothing: the list stayed as the tap left it
        assert page.locator("#trust-insurer-details").evaluate("e => e.open") == opened
        page.locator("#next-patient").click()


def test_typing_in_the_insurer_search_is_not_a_scan(live_server, page):
    open_clinic(page, live_server)
    page.locator("#trust-insurer-details summary").click()
    search = page.locator("#trust-insurer-details input")
    search.click()
    page.keyboard.type("06138093")
    page.keyboard.press("Enter")
    expect(search).to_have_value("06138093")
    page.wait_for_timeout(400)
    expect(result(page)).to_have_attribute("data-verdict", "idle")
