"""The member app (web/app) in real Chromium, with a virtual authenticator against our
server: activation from the notice → passkey → わたしの資格情報 with a QR that a real
decoder reads and the token core verifies; sign-in again; user verification required;
wrong birth dates count and lock; offline after one visit; expiry; dependents; consent;
loss of eligibility."""
import io
import re
import time
from datetime import date

import pytest
import segno
import zxingcpp
from member_steps import activation_url, choose_birth_date, member_by_number
from PIL import Image
from pins import TEST_PIN
from playwright.sync_api import expect
from screenshots import keep_screenshot

from server.extensions import db
from server.keys import publishing
from server.models import ActivationCode
from server.register import members
from server.token_core import Status
from server.views import member_pages

pytestmark = pytest.mark.browser

# (era, year, month, day) in the picker for each demo member's birth date
TARO = ("5678", "00", ("showa", "55", "5", "15"))        # 𠮷田 太郎 1980-05-15 (本人)
HANAKO = ("5678", "01", ("showa", "57", "8", "20"))      # 𠮷田 花子 1982-08-20 (家族)
KAZUO = ("91", "00", ("gregorian", "1954", "3", "10"))   # 髙橋 和夫 1954-03-10, 限度額区分 B04


@pytest.fixture
def server(live_server, page):
    """The live server, with the member app browsed on a phone-sized screen."""
    page.set_viewport_size({"width": 390, "height": 844})
    return live_server


def _activate(page, server, who, *, birth=None):
    number, branch, own_birth = who
    page.goto(activation_url(server, number, branch))
    expect(page.locator("#activation-code")).to_have_value(re.compile(r"^\d{4}(-\d{4}){4}$"))
    choose_birth_date(page, birth or own_birth)
    page.locator("#activation-pin").fill(TEST_PIN)       # from the separate PIN sheet
    page.get_by_role("button", name="パスキーを作成").click()


def _qr_text(page) -> str:
    """Screenshot the QR as shown and decode it with zxing-cpp."""
    qr = page.locator("#qr svg")
    expect(qr).to_be_visible()
    barcodes = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.screenshot())))
    assert len(barcodes) == 1
    assert barcodes[0].format == zxingcpp.BarcodeFormat.QRCode
    return barcodes[0].text


def _verified(server, text: str):
    with server.app.app_context():
        return publishing.verify_now(text, now=int(time.time()))


def _wait_offline_ready(page):
    expect(page.locator("html")).to_have_attribute("data-offline-ready", "true", timeout=15_000)


def test_activation_shows_a_qr_that_verifies(server, page, authenticator):
    _activate(page, server, TARO)
    expect(page).to_have_url(f"{server.url}/app/")
    expect(page.locator("#qr-status")).to_have_text("有効")
    card = page.locator("#card")
    for text in ["𠮷田 太郎", "ヨシダ タロウ", "昭和55年5月15日（1980-05-15）", "06138093",
                 "資格パス健康保険組合（デモ）", "記号 1234", "番号 5678", "枝番 00", "本人",
                 "3割（平成27年4月1日（2015-04-01）から）", "4821", "男"]:
        expect(card).to_contain_text(text)
    expect(page.locator("#reminder")).to_have_text("受診時はマイナ保険証と一緒に提示してください")
    expect(page.locator("#qr-expires")).to_contain_text("令和")
    expect(page.locator("#qr-updated")).to_contain_text("令和")
    stored = authenticator.credentials()
    assert len(stored) == 1 and stored[0]["isResidentCredential"]

    # Large: about 80% of a phone's width; crisp edges.
    width = page.locator("#qr svg").bounding_box()["width"]
    assert 0.75 * 390 <= width <= 0.85 * 390
    assert page.locator("#qr svg").evaluate("e => getComputedStyle(e).shapeRendering") == "crispedges"

    text = _qr_text(page)
    result = _verified(server, text)
    assert result.status is Status.VALID, result.detail
    assert result.claims.name == "𠮷田 太郎"
    # Drawn on the phone (web/app/js/qr.js): the version segno makes at level M, no bigger.
    version = int(page.locator("#qr svg").get_attribute("data-version"))
    assert version == segno.make_qr(text, error="m").version <= 9
    assert result.claims.birth_date == date(1980, 5, 15)
    keep_screenshot(page, "card")




def _sign_out(page):
    page.get_by_role("button", name="サインアウト", exact=True).click()
    expect(page.locator("#sign-in-status")).to_contain_text("サインアウトしました")


def _stored_keys(page) -> list[str]:
    return page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('shikaku.'))")


def test_sign_out_then_sign_in_with_the_same_passkey(server, page, authenticator):
    _activate(page, server, TARO)
    expect(page.locator("#qr-status")).to_have_text("有効")
    assert any(k.startswith("shikaku.token.") for k in _stored_keys(page))
    _sign_out(page)
    assert _stored_keys(page) == []                     # what the device kept is gone
    keep_screenshot(page, "signed-out")
    assert page.request.get(f"{server.url}/api/v1/me").status == 401
    expect(page.locator("#activate-link")).to_have_attribute("href", "/app/activate")
    page.get_by_role("button", name="パスキーでサインイン").click()
    expect(page.locator("#qr-status")).to_have_text("有効")
    expect(page.locator("#card")).to_contain_text("𠮷田 太郎")
    assert len(authenticator.credentials()) == 1
    assert _verified(server, _qr_text(page)).status is Status.VALID


def test_a_passkey_without_user_verification_cannot_sign_in(server, page, authenticator):
    _activate(page, server, TARO)
    expect(page.locator("#qr-status")).to_have_text("有効")
    _sign_out(page)
    authenticator.user_verified(False)
    page.get_by_role("button", name="パスキーでサインイン").click()
    expect(page.locator("#sign-in-status")).to_contain_text("本人確認できませんでした")
    expect(page.locator("#card")).to_have_count(0)
    assert page.request.get(f"{server.url}/api/v1/me").status == 401


def _failed_attempts(server) -> tuple[int, str]:
    with server.app.app_context():
        record = db.session.scalar(db.select(ActivationCode).order_by(ActivationCode.id.desc()))
        return record.failed_attempts, record.state(int(time.time()), server.app.config["ACTIVATION_MAX_ATTEMPTS"])


def test_wrong_birth_dates_get_one_message_count_and_five_lock_the_code(server, page, authenticator):
    status = page.locator("#activation-status")
    button = page.get_by_role("button", name="パスキーを作成")
    _activate(page, server, TARO, birth=("showa", "55", "5", "16"))
    expect(status).to_have_text("コード・生年月日・暗証番号のいずれかが正しくありません。 あと4回まちがえると、このコードはロックされます。")
    assert _failed_attempts(server) == (1, "active")

    # A wrong code gets the very same message (no hint which was wrong).
    code_field = page.locator("#activation-code")
    good_code = code_field.input_value()
    code_field.fill("１２３４-５６７８-９０１２-３４５６-７８９０")
    choose_birth_date(page, TARO[2])
    button.click()
    expect(status).to_contain_text("コード・生年月日・暗証番号のいずれかが正しくありません。")   # and its own tries
    assert _failed_attempts(server) == (1, "active")

    code_field.fill(good_code)
    choose_birth_date(page, ("heisei", "2", "5", "15"))
    for attempt in range(2, 6):
        page.evaluate("document.getElementById('activation-status').textContent = ''")
        button.click()
        if attempt < 5:
            expect(status).to_have_text("コード・生年月日・暗証番号のいずれかが正しくありません。"
                                        f" あと{5 - attempt}回まちがえると、このコードはロックされます。")
        else:                                     # the last try says the code is locked now
            expect(status).to_contain_text("正しくありません。 このコードはロックされました。")
        assert _failed_attempts(server)[0] == attempt
    assert _failed_attempts(server) == (5, "locked")

    # Locked: even the right birth date now says to ask for a new notice.
    choose_birth_date(page, TARO[2])
    button.click()
    expect(status).to_contain_text("ロックされました")
    expect(status).to_contain_text("新しい「資格情報のお知らせ」の発行を依頼してください")
    expect(status).to_contain_text("保険者の電話番号: 0120-000-000")   # told with the right birth date
    assert authenticator.credentials() == []
    keep_screenshot(page, "activation-locked")


def test_an_impossible_date_in_an_era_is_refused_before_sending(server, page):
    page.goto(activation_url(server, *TARO[:2]))
    choose_birth_date(page, ("heisei", "31", "5", "1"))
    page.get_by_role("button", name="パスキーを作成").click()
    expect(page.locator("#activation-status")).to_have_text(
        "平成は平成元年1月8日（1989-01-08）から平成31年4月30日（2019-04-30）までです。")
    assert _failed_attempts(server) == (0, "active")


def test_offline_after_one_visit_the_card_and_qr_still_open(server, page, authenticator):
    _activate(page, server, TARO)
    expect(page.locator("#qr-status")).to_have_text("有効")
    _wait_offline_ready(page)
    page.wait_for_function(   # the family's tokens are fetched after the one shown
        "() => Object.keys(localStorage).filter(k => k.startsWith('shikaku.token.')).length === 3",
        timeout=10_000)
    page.context.set_offline(True)
    page.reload()
    expect(page.locator("#qr-status")).to_have_text("有効")
    expect(page.locator("#offline-note")).to_contain_text("最終更新")
    expect(page.locator("#qr-updated")).to_contain_text("令和")
    expect(page.locator("#net-status")).to_be_visible()
    keep_screenshot(page, "offline")
    result = _verified(server, _qr_text(page))
    assert result.status is Status.VALID and result.claims.name == "𠮷田 太郎"
    page.locator(".member-tab", has_text="𠮷田 陽菜").click()   # the family's cards too
    expect(page.locator(".card-name")).to_contain_text("𠮷田 陽菜")
    assert _verified(server, _qr_text(page)).claims.name == "𠮷田 陽菜"
    cached = page.evaluate("""async () => (await Promise.all((await caches.keys()).map(async (name) =>
        (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname)))).flat()""")
    assert "/app/" in cached and "/app/js/card-view.js" in cached
    assert not [path for path in cached if path.startswith(("/api/", "/auth/"))]

    # Back online: the refresh button (or the next tick) fetches again. The shell came from
    # the offline cache with an old CSRF token: the client renews it, and sign-out works.
    page.context.set_offline(False)
    page.get_by_role("button", name="最新の情報に更新").click()
    expect(page.locator("#offline-note")).to_have_count(0)
    expect(page.locator("#qr-status")).to_have_text("有効")
    _sign_out(page)
    assert page.request.get(f"{server.url}/api/v1/me").status == 401


def test_a_token_past_its_expiry_shows_as_expired_never_valid(server, page, authenticator):
    page.clock.install()
    _activate(page, server, TARO)
    expect(page.locator("#qr-status")).to_have_text("有効")
    _wait_offline_ready(page)
    page.context.set_offline(True)
    days = server.app.config["NOTICE_TOKEN_DAYS"]
    page.clock.fast_forward((days * 86400 + 120) * 1000)
    expect(page.locator("#qr-status")).to_have_text("期限切れ")
    expect(page.locator(".qr-expired-label")).to_be_visible()
    expect(page.locator(".qr-block")).to_have_attribute("data-state", "expired")
    page.reload()
    expect(page.locator("#qr-status")).to_have_text("期限切れ")
    expect(page.locator("#qr-status")).not_to_contain_text("有効")
    keep_screenshot(page, "expired")


def test_an_insured_person_switches_to_each_dependent(server, page, authenticator):
    _activate(page, server, TARO)
    tabs = page.locator(".member-tab")
    expect(tabs).to_have_count(3)
    for name, relationship in [("𠮷田 花子", 2), ("𠮷田 陽菜", 2), ("𠮷田 太郎", 1)]:
        page.locator(".member-tab", has_text=name).click()
        expect(page.locator(".card-name")).to_contain_text(name)
        expect(page.locator("#qr-status")).to_have_text("有効")
        result = _verified(server, _qr_text(page))
        assert result.status is Status.VALID
        assert (result.claims.name, int(result.claims.relationship)) == (name, relationship)
    page.locator(".member-tab", has_text="𠮷田 陽菜").click()
    expect(page.locator("#card")).to_contain_text("令和3年6月1日（2021-06-01）")
    expect(page.locator("#card")).to_contain_text("2割")

    # A dependent who activates on her own sees only her own card.
    _sign_out(page)
    _activate(page, server, HANAKO)
    expect(page.locator(".card-name")).to_contain_text("𠮷田 花子")
    expect(page.locator(".member-tab")).to_have_count(0)
    assert _verified(server, _qr_text(page)).claims.name == "𠮷田 花子"


def _wait_for_new_token(page):
    expect(page.locator("#refresh-button")).to_have_text("最新の情報に更新")
    expect(page.locator("#refresh-button")).to_be_enabled()


def test_consent_decides_whether_the_qr_carries_the_limit_category(server, page, authenticator):
    _activate(page, server, KAZUO)
    expect(page.locator("#qr-status")).to_have_text("有効")
    switch = page.get_by_role("switch", name="限度額適用区分をQRに含める")
    expect(page.locator(".consent .help")).to_contain_text("限度額適用認定証")
    expect(page.locator(".consent .help")).to_contain_text("本人の同意なく情報が共有されることはありません")
    if switch.is_checked():
        assert _verified(server, _qr_text(page)).claims.limit_category == "B04"
        switch.click()
        expect(page.locator("#card-status")).to_contain_text("含めません")
        _wait_for_new_token(page)
    expect(switch).not_to_be_checked()
    result = _verified(server, _qr_text(page))
    assert result.status is Status.VALID and result.claims.limit_category is None

    switch.click()
    expect(page.locator("#card-status")).to_contain_text("含めます")
    _wait_for_new_token(page)
    expect(switch).to_be_checked()
    result = _verified(server, _qr_text(page))
    assert result.status is Status.VALID and result.claims.limit_category == "B04"
    with server.app.app_context():
        assert member_by_number("91", "00").limit_consent is True


def test_loss_of_eligibility_shows_the_date_and_no_qr(server, page, authenticator):
    _activate(page, server, TARO)
    expect(page.locator("#qr-status")).to_have_text("有効")
    with server.app.app_context():
        members.record_loss(member_by_number("5678", "00"), date.today(), "retirement")
    page.reload()                                 # a loss signed every device out ...
    page.get_by_role("button", name="パスキーでサインイン").click()   # ... the member signs in again
    expect(page.locator("#loss")).to_contain_text("資格喪失")
    expect(page.locator("#loss")).to_contain_text(f"（{date.today().isoformat()}）")
    expect(page.locator("#qr")).to_have_count(0)
    expect(page.locator(".consent")).to_have_count(0)
    assert not any(k.startswith("shikaku.token.") for k in _stored_keys(page))
    keep_screenshot(page, "lost")
    page.locator(".member-tab", has_text="𠮷田 花子").click()   # dependents lose it too
    expect(page.locator("#loss")).to_contain_text("資格喪失")
    expect(page.locator("#qr")).to_have_count(0)


def test_english_is_a_remembered_toggle(server, page, authenticator):
    _activate(page, server, TARO)
    expect(page.locator("#qr-status")).to_have_text("有効")
    page.get_by_role("button", name="Switch to English").click()
    expect(page.locator("#card-title")).to_have_text("My eligibility details")
    expect(page.locator("#qr-status")).to_have_text("Valid")
    expect(page.locator("#card")).to_contain_text("15 May 1980 (Shōwa 55)")
    page.reload()
    expect(page.locator("#card-title")).to_have_text("My eligibility details")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    keep_screenshot(page, "english")
    page.get_by_role("button", name="日本語に切り替え").click()
    expect(page.locator("#card-title")).to_have_text("わたしの資格情報")


def test_a_new_version_is_offered_not_forced(server, page, monkeypatch):
    page.goto(f"{server.url}/app/")
    expect(page.get_by_role("button", name="パスキーでサインイン")).to_be_visible()
    _wait_offline_ready(page)
    first_cache = page.evaluate("caches.keys()")
    monkeypatch.setattr(member_pages.offline_app, "build_id", lambda: "next-version")
    page.reload()
    banner = page.locator("#update-banner")
    expect(banner).to_contain_text("新しいバージョンがあります")
    assert set(first_cache) <= set(page.evaluate("caches.keys()"))   # the old version still serves
    page.get_by_role("button", name="更新する").click()
    expect(page.get_by_role("button", name="パスキーでサインイン")).to_be_visible()
    page.wait_for_function("async () => (await caches.keys()).join() === 'shikaku-app-next-version'",
                           timeout=10_000)                   # the old cache deleted on activate
    expect(banner).to_be_hidden()
    assert page.evaluate("navigator.serviceWorker.controller.scriptURL") == f"{server.url}/app/sw.js"


def test_passkeys_add_another_and_the_last_one_only_after_confirming(server, page, authenticator):
    _activate(page, server, TARO)
    expect(page.locator("#qr-status")).to_have_text("有効")
    passkeys = page.locator("#passkeys li")
    expect(passkeys).to_have_count(1)
    devices = page.locator("#devices li")                  # the signed-in devices, this one marked
    expect(devices).to_have_count(1)
    expect(devices.first).to_contain_text("Chrome · Linux （この端末）")
    expect(devices.first).to_contain_text("最終利用")
    add = page.get_by_role("button", name="別のパスキーを追加")
    add.click()                                   # this authenticator holds one already
    expect(page.locator("#passkeys-status")).to_contain_text("すでに登録されています")
    authenticator.new_device()
    add.click()
    expect(page.locator("#passkeys-status")).to_have_text("パスキーを追加しました。")
    expect(passkeys).to_have_count(2)
    assert len(authenticator.credentials()) == 1

    dialogs, answers = [], [False, True]                      # decline first, then accept
    page.on("dialog", lambda d: (dialogs.append(d.message), d.accept() if answers.pop(0) else d.dismiss()))
    passkeys.nth(1).get_by_role("button").click()            # not the last: no question asked
    expect(page.locator("#passkeys-status")).to_have_text("パスキーを削除しました。")
    expect(passkeys).to_have_count(1)
    assert dialogs == []

    passkeys.first.get_by_role("button").click()             # the last: asked, and declined
    expect(page.locator("#passkeys-status")).to_have_text("")
    expect(passkeys).to_have_count(1)
    assert len(dialogs) == 1 and "最後のパスキー" in dialogs[0]

    passkeys.first.get_by_role("button").click()             # asked again, and accepted
    expect(page.locator("#passkeys-status")).to_have_text("パスキーを削除しました。")
    expect(passkeys).to_have_count(0)
    assert len(dialogs) == 2


def test_sign_out_of_all_devices_from_the_passkey_page(server, page, authenticator):
    _activate(page, server, TARO)
    expect(page.locator("#qr-status")).to_have_text("有効")
    other = page.context.browser.new_context()           # a second device, signed in with a copy
    other.add_cookies(page.context.cookies())
    assert other.request.get(f"{server.url}/api/v1/me").status == 200
    page.on("dialog", lambda d: d.accept())
    page.get_by_role("button", name="すべての端末からサインアウト").click()
    expect(page.locator("#sign-in-status")).to_contain_text("すべての端末からサインアウトしました")
    assert other.request.get(f"{server.url}/api/v1/me").status == 401
    assert page.request.get(f"{server.url}/api/v1/me").status == 401
    keep_screenshot(page, "signed-out-everywhere")
    other.close()
