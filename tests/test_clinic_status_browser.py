"""The clinic verifier (web/clinic) with version-2 tokens, in real Chromium against the live
server issuing them: the status lists downloaded once as a snapshot (with a progress bar),
kept up to date by deltas in the background, kept in IndexedDB for offline use, and adopted
only together with the trust list whose root they reach (a tampered delta changes nothing)."""
from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect
from screenshots import keep_screenshot

from server import clock
from server.documents import issuance
from server.extensions import db
from server.models import Member
from server.register import members

pytestmark = pytest.mark.browser

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
TARO = ("5678", "00")
MISAKI = ("3001", "00")      # another member of the same insurer, not TARO's dependent


@pytest.fixture
def traffic(page):
    """Every status file the page fetched: [(kind, url, bytes)] (kind: snapshot|delta)."""
    seen = []

    def on_response(response):
        for kind in ("snapshot", "delta"):
            if response.url.endswith(f".{kind}") and response.ok:
                seen.append((kind, response.url, len(response.body())))
    page.on("response", on_response)
    return seen


def _member(number, branch):
    return db.session.scalar(db.select(Member).where(Member.number == number, Member.branch == branch))


def issue(live_server, member) -> str:
    with live_server.app.app_context():
        text = issuance.issue_token(_member(*member)).text
    assert text.startswith("8802")           # format version 2
    return text


def lose(live_server, member) -> None:
    with live_server.app.app_context():
        members.record_loss(_member(*member), clock.today(), "retirement")


def open_clinic(page, live_server):
    page.goto(f"{live_server.url}/clinic/")
    synced(page)


def synced(page):
    expect(page.locator("#trust")).to_have_attribute("data-state", "ok")
    expect(page.locator("#trust-status-lists")).to_have_attribute("data-state", "ok")


def scan(page, text: str):
    page.locator("#scan-input").focus()
    page.keyboard.type(text.translate(FULL_WIDTH))
    page.keyboard.press("Enter")


def expect_verdict(page, verdict: str, headline: str, reason: str | None = None):
    expect(page.locator("#result")).to_have_attribute("data-verdict", verdict)
    expect(page.locator("#verdict")).to_have_text(headline)
    if reason:
        expect(page.locator("#verdict-reason")).to_have_text(reason)
    page.locator("#next-patient").click()


def back_online(page):
    """Offline, then online again: the page refreshes its lists in the background."""
    page.context.set_offline(True)
    page.wait_for_timeout(100)
    page.context.set_offline(False)


def sync_of(page) -> tuple[str, int, int]:
    how, size, ms = page.locator("#trust-refresh").get_attribute("data-sync").split()
    return how, int(size), int(ms)


def seq_shown(page) -> str:
    return page.locator("#trust-status-lists").inner_text()


# -- (a) first visit ------------------------------------------------------------------------------

def test_first_visit_downloads_the_snapshot_with_a_progress_bar_and_a_v2_token_is_valid(live_server, page, traffic):
    text = issue(live_server, TARO)
    # What the progress bar showed, recorded as it changes.
    page.add_init_script("""
        window.__progress = [];
        new MutationObserver(() => {
          const box = document.getElementById('trust-download');
          const bar = document.getElementById('trust-progress');
          if (box && !box.hidden) window.__progress.push({max: bar.max, value: bar.getAttribute('value') === null ? null : bar.value});
        }).observe(document, {subtree: true, attributes: true, childList: true, characterData: true});""")
    held = []
    page.route("**/*.snapshot", lambda route: held.append(route))
    page.goto(f"{live_server.url}/clinic/")
    # While the snapshot is on its way, the bar shows (indeterminate) and nothing is adopted.
    expect(page.locator("#trust-download")).to_be_visible()
    expect(page.locator("#trust-download")).to_contain_text("失効情報をダウンロードしています")
    assert page.locator("#trust-progress").get_attribute("value") is None
    keep_screenshot(page, "clinic-status-downloading")
    expect(page.locator("#trust-details")).to_be_hidden()
    assert len(held) == 1
    page.unroute("**/*.snapshot")
    held[0].fallback()
    synced(page)
    expect(page.locator("#trust-download")).to_be_hidden()
    how, size, ms = sync_of(page)
    assert how == "snapshot" and [k for k, *_ in traffic] == ["snapshot"] and size == traffic[0][2]
    # The bar knew the size from Content-Length and reached it.
    progress = page.evaluate("window.__progress")
    assert {"max": size, "value": size} in progress, progress
    print(f"\nfirst visit: snapshot {size} bytes, synced in {ms} ms")
    scan(page, text)
    expect(page.locator("#result")).to_have_attribute("data-verdict", "valid")
    expect(page.locator("#verdict")).to_have_text("有効")
    # How old the lists are: the list's iat and the last sync, in 和暦 with the time.
    expect(page.locator("#trust-age")).to_contain_text("発行から")
    expect(page.locator("#trust-age")).to_contain_text("同期")
    expect(page.locator("#trust-synced")).to_contain_text("令和")
    expect(page.locator("#trust-issued")).to_contain_text("令和")
    expect(page.locator("#trust-insurer-count")).to_have_text("2保険者")
    keep_screenshot(page, "clinic-status-trust-panel")
    page.locator("#lang-toggle").click()
    expect(page.locator("#trust-synced")).to_contain_text("ago")
    expect(page.locator("#trust-status-lists")).to_contain_text("sequence")
    keep_screenshot(page, "clinic-status-trust-panel-en")


# -- (b) a loss reaches the clinic as a delta -----------------------------------------------------

def test_a_loss_reaches_the_clinic_as_a_small_delta_in_the_background(live_server, page, traffic):
    taro, misaki = issue(live_server, TARO), issue(live_server, MISAKI)
    open_clinic(page, live_server)
    scan(page, taro)
    expect_verdict(page, "valid", "有効")
    before = seq_shown(page)
    lose(live_server, TARO)
    back_online(page)
    expect(page.locator("#trust-status-lists")).not_to_have_text(before)
    how, size, ms = sync_of(page)
    assert how == "delta"
    assert [k for k, *_ in traffic] == ["snapshot", "delta"]      # the delta, not the snapshot again
    assert traffic[1][1].endswith(".delta") and traffic[1][2] == size
    print(f"\nsnapshot {traffic[0][2]} bytes; after one loss: delta {size} bytes, synced in {ms} ms")
    scan(page, taro)
    expect(page.locator("#result")).to_have_attribute("data-verdict", "invalid")
    expect(page.locator("#verdict")).to_have_text("無効")
    expect(page.locator("#verdict-reason")).to_have_text("資格喪失")
    keep_screenshot(page, "clinic-status-revoked")
    page.locator("#next-patient").click()
    scan(page, misaki)
    expect_verdict(page, "valid", "有効")


# -- (c) offline ------------------------------------------------------------------------------

def test_offline_after_a_reload_the_lists_come_from_indexeddb(live_server, page, traffic):
    taro, misaki = issue(live_server, TARO), issue(live_server, MISAKI)
    lose(live_server, TARO)
    open_clinic(page, live_server)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15_000)
    page.context.set_offline(True)
    page.reload()
    expect(page.locator("#trust")).to_have_attribute("data-state", "ok")
    expect(page.locator("#trust-refresh")).to_have_attribute("data-outcome", "offline")
    expect(page.locator("#trust-status-lists")).to_have_attribute("data-state", "ok")
    scan(page, taro)
    expect_verdict(page, "invalid", "無効", "資格喪失")
    scan(page, misaki)
    expect_verdict(page, "valid", "有効")
    assert [k for k, *_ in traffic] == ["snapshot"]


# -- (d) a tampered delta ---------------------------------------------------------------------

def tamper(route):
    """The real delta with its last byte changed (the zlib checksum, or the last flip)."""
    body = bytearray(route.fetch().body())
    body[-1] ^= 1
    route.fulfill(status=200, body=bytes(body), headers={"Content-Type": "application/octet-stream"})


def test_a_tampered_delta_is_refused_and_the_saved_pair_kept(live_server, page, traffic):
    taro, misaki = issue(live_server, TARO), issue(live_server, MISAKI)
    open_clinic(page, live_server)
    issued = page.locator("#trust-issued").inner_text()
    before = seq_shown(page)
    lose(live_server, TARO)
    page.route("**/*.delta", tamper)
    page.route("**/*.snapshot", lambda route: route.abort())      # and no snapshot to fall back on
    back_online(page)
    expect(page.locator("#trust-refresh")).to_have_attribute("data-outcome", "status")
    expect(page.locator("#trust-refresh")).to_contain_text("失効情報を取得できません")
    # The saved pair, both halves: the old list (not the new one with the old lists) and its lists.
    expect(page.locator("#trust-issued")).to_have_text(issued)
    expect(page.locator("#trust-status-lists")).to_have_text(before)
    scan(page, taro)
    expect_verdict(page, "valid", "有効")          # what the saved pair says (the loss is not in it)
    # Reloaded, the device still holds the old pair.
    page.reload()
    expect(page.locator("#trust-refresh")).to_have_attribute("data-outcome", "status")
    expect(page.locator("#trust-status-lists")).to_have_text(before)
    # With the snapshot available again, a refused delta falls back on it.
    page.unroute("**/*.snapshot")
    back_online(page)
    expect(page.locator("#trust-refresh")).to_have_attribute("data-outcome", "updated")
    assert sync_of(page)[0] == "snapshot"
    assert [k for k, *_ in traffic][0] == "snapshot" and [k for k, *_ in traffic][-2:] == ["delta", "snapshot"]
    scan(page, taro)
    expect_verdict(page, "invalid", "無効", "資格喪失")
    scan(page, misaki)
    expect_verdict(page, "valid", "有効")


# -- at scale -------------------------------------------------------------------------------------

def test_a_tenth_of_the_national_lists_sync_as_a_snapshot_then_a_delta(live_server, page, monkeypatch):
    """Synthetic lists of a tenth of the national population (300 insurers of 20,000 phone
    indexes, 0.3 % set; 60 card blocks of 35,000, 8 % set), served under a list signed by the
    anchor: the first sync, a day's delta (840 bits flipped in 120 lists), a reload that reads the
    pair back from IndexedDB; prints bytes and times (nothing asserted on time)."""
    import random

    from server.keys import store
    from server.token_core import TrustList, sign_trust_list
    from server.token_core import status_lists as sl
    from server.token_core.keys import key_id_for
    from server.token_core.trust_list import StatusRoot

    rng = random.Random(1)
    lists = {}
    for i in range(300):
        lists[sl.ListKey(1, 39_000_000 + i, 0)] = sl.StatusList.from_positions(20_000, rng.sample(range(20_000), 60))
    for block in range(60):
        lists[sl.ListKey(2, 700 + block, 0)] = sl.StatusList.from_positions(35_000, rng.sample(range(35_000), 2_800))
    day0 = sl.StatusState(lists)
    changed = dict(lists)
    for key in rng.sample(sorted(lists), 120):
        old = changed[key]
        flips = set(rng.sample(range(old.length), 7))
        changed[key] = sl.StatusList.from_positions(old.length, set(old.positions()) ^ flips)
    day1 = sl.StatusState(changed)
    snapshot, delta = sl.build_snapshot(day0), sl.build_delta(day0, day1)
    insurers = {f"{39_000_000 + i}": f"保険者{i:03d}" for i in range(300)}

    def signed(seq, state, issued_at):
        with live_server.app.app_context():
            key = store.anchor().private_key
            return sign_trust_list(TrustList(
                issued_at=issued_at, expires_at=issued_at + 2 * 86400, grace=14 * 86400, insurers=insurers,
                keys=(), revocations={}, status=StatusRoot(seq, state.root, "status/")), key, key_id_for(key.public_key()))

    now = int(time.time())
    served = {"list": signed(10, day0, now)}
    page.route("**/api/v1/trust-list", lambda route: route.fulfill(
        status=200, body=served["list"], headers={"Content-Type": "application/json", "ETag": f'"{hash(served["list"])}"'}))
    page.route("**/api/v1/status/10.snapshot", lambda route: route.fulfill(
        status=200, body=snapshot, headers={"Content-Type": "application/octet-stream", "Content-Length": str(len(snapshot))}))
    page.route("**/api/v1/status/10-11.delta", lambda route: route.fulfill(
        status=200, body=delta, headers={"Content-Type": "application/octet-stream"}))
    page.route("**/api/v1/status/11.snapshot", lambda route: route.abort())

    open_clinic(page, live_server)
    expect(page.locator("#trust-status-lists")).to_have_text("第10版・リスト360件")
    first = sync_of(page)
    assert first[:2] == ("snapshot", len(snapshot))
    served["list"] = signed(11, day1, now + 60)
    back_online(page)
    expect(page.locator("#trust-status-lists")).to_have_text("第11版・リスト360件")
    second = sync_of(page)
    assert second[:2] == ("delta", len(delta))
    stored = settle_stored_size(page)
    fetched = []
    page.on("request", lambda request: fetched.append(request.url) if "/status/" in request.url else None)
    started = time.monotonic()
    page.reload()
    expect(page.locator("#trust-status-lists")).to_have_text("第11版・リスト360件")
    reload_s = time.monotonic() - started
    expect(page.locator("#trust-refresh")).to_have_attribute("data-sync", re.compile("^none 0 "))
    assert fetched == []         # the pair came back from IndexedDB
    print(f"\n1/10 national (synthetic): snapshot {len(snapshot):,} B, first sync {first[2]} ms; "
          f"a day's delta {len(delta):,} B, sync {second[2]} ms (stored again: {stored:,} B); "
          f"reload to the lists on screen (from IndexedDB) {reload_s * 1000:.0f} ms")


def settle_stored_size(page) -> int:
    """The bytes of the status lists the device stores (IndexedDB)."""
    return page.evaluate("""() => new Promise((resolve, reject) => {
        const open = indexedDB.open('shikaku-clinic');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const get = open.result.transaction('trust').objectStore('trust').get('current');
          get.onsuccess = () => { resolve(get.result.status.snapshot.byteLength); open.result.close(); };
          get.onerror = () => reject(get.error);
        };
    })""")
