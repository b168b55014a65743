"""The member app on an 80-year-old's phone (issue 12), in real Chromium at 390×844: tries
left and what to do once locked, the QR's validity told apart from the insurance, 限度額区分
with its meaning, consent feedback next to the switch and why it cannot be used, what to do
after a loss, English for an English browser; focus that stays on the control (or moves to the
new heading), confirmations in a polite live region, 44 px touch targets, `lang` on every
run in the other language."""
import re
from datetime import date

import pytest
from member_steps import activation_url, choose_birth_date, member_by_number
from pins import TEST_PIN
from playwright.sync_api import expect
from screenshots import keep_screenshot

from server.register import members

pytestmark = pytest.mark.browser

TARO = ("5678", "00", ("showa", "55", "5", "15"))        # 𠮷田 太郎 (本人, a dependent, no 限度額区分)
HANAKO_BRANCH = "01"
KAZUO = ("91", "00", ("gregorian", "1954", "3", "10"))   # 髙橋 和夫, 限度額区分 B04
DEMO_PHONE = "0120-000-000"


@pytest.fixture
def server(live_server, page):
    page.set_viewport_size({"width": 390, "height": 844})
    return live_server


def _fill_activation(page, server, who, *, birth=None):
    number, branch, own_birth = who
    page.goto(activation_url(server, number, branch))
    expect(page.locator("#activation-code")).to_have_value(re.compile(r"^\d{4}(-\d{4}){4}$"))
    choose_birth_date(page, birth or own_birth)
    page.locator("#activation-pin").fill(TEST_PIN)


def _press(page, selector: str, key: str = "Enter"):
    """As a keyboard or screen-reader user does: focus the control, then press the key."""
    page.locator(selector).focus()
    page.keyboard.press(key)


def _focused(page) -> str:
    """The focused element as "tag#id" ("body" when the focus was dropped)."""
    return page.evaluate("(() => { const e = document.activeElement; "
                         "return e ? e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') : 'none'; })()")


def _keep_announcer(page):
    """Remember the live region as the page has it before anything is said."""
    assert page.evaluate("""(() => { const a = document.getElementById('announcer');
        window.__announcer = a;
        return a && a.getAttribute('aria-live') === 'polite' && a.getAttribute('role') === 'status'
            && a.parentElement === document.body; })()""")


def _announced(page, text: str):
    """`text` said in the very live region that was there before (not a new one)."""
    expect(page.locator("#announcer")).to_contain_text(text)
    assert page.evaluate("window.__announcer === document.getElementById('announcer')")


def _activate(page, server, who):
    _fill_activation(page, server, who)
    _keep_announcer(page)
    _press(page, "#activate-button")
    expect(page.locator("#qr-status")).to_have_text("有効")


def _small_targets(page) -> list:
    """Every visible button, link, field and switch (a switch by its row, the clickable label)
    smaller than 44×44 CSS px."""
    return page.evaluate("""(() => {
        const small = [];
        for (const el of document.querySelectorAll('button, a[href], input, select, [role=switch]')) {
            const target = el.matches('[role=switch], input[type=checkbox]') ? (el.closest('label') ?? el) : el;
            const r = target.getBoundingClientRect();
            if (r.width === 0 && r.height === 0) continue;              // not shown
            if (r.width < 44 || r.height < 44) small.push(
                [el.id || el.textContent.trim().slice(0, 20), Math.round(r.width), Math.round(r.height)]);
        }
        const page = document.documentElement;                  // and nothing off the side of the screen
        if (page.scrollWidth > page.clientWidth) small.push(['page wider than the screen', page.scrollWidth]);
        return small;
    })()""")


def _unmarked_runs(page) -> list:
    """Text in the other language than its element's `lang` says: a Japanese run (kana or kanji)
    under lang="en", or an English word of 3+ letters under lang="ja"."""
    return page.evaluate(r"""(() => {
        const bad = [];
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const parent = node.parentElement;
            if (!parent || parent.closest('script, style, noscript, svg, [hidden], .visually-hidden')) continue;
            if (parent.tagName === 'OPTION') continue;                     // text only, cannot hold a span
            const r = parent.getBoundingClientRect();
            if (r.width === 0 && r.height === 0) continue;
            const lang = parent.closest('[lang]').getAttribute('lang');
            const text = node.textContent;
            if (lang === 'en' && /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u.test(text)) bad.push(['en', text]);
            if (lang === 'ja' && /[A-Za-z]{3,}/.test(text)) bad.push(['ja', text]);
        }
        return bad;
    })()""")


# -- activation ----------------------------------------------------------------------

def test_wrong_tries_tell_how_many_are_left_and_the_lock_what_to_do(server, page, authenticator):
    status = page.locator("#activation-status")
    _fill_activation(page, server, TARO, birth=("showa", "55", "5", "16"))
    # パスキー in one sentence, right above the button that makes one (and describing it).
    expect(page.locator("#passkey-explained")).to_have_text(
        "パスキーとは、顔・指紋・画面ロックで本人確認するしくみで、パスワードは不要です。")
    assert page.locator("#activate-button").get_attribute("aria-describedby") == "passkey-explained"
    assert _small_targets(page) == []
    assert _unmarked_runs(page) == []
    for attempt in range(1, 5):
        page.evaluate("document.getElementById('activation-status').textContent = ''")
        _press(page, "#activate-button")
        expect(status).to_contain_text(f"あと{5 - attempt}回まちがえると、このコードはロックされます。")
        # The focus stays on the button pressed (it was dropped to the page body).
        assert _focused(page) == "button#activate-button"
    keep_screenshot(page, "activation-tries-left")

    # The fifth wrong try locks the code: said at once, with what to do and where the number is.
    _press(page, "#activate-button")
    expect(status).to_contain_text("このコードはロックされました。")
    expect(status).not_to_contain_text("あと0回")
    expect(status).to_contain_text("新しい「資格情報のお知らせ」の発行を依頼してください")
    expect(status).to_contain_text("保険者の電話番号は「暗証番号のお知らせ」に書いてあります。")
    expect(status.locator("a")).to_have_count(0)                  # the wrong birth date learns no number
    assert _focused(page) == "button#activate-button"

    # With the right birth date and PIN: the insurer's number, as a link that calls it.
    choose_birth_date(page, TARO[2])
    _press(page, "#activate-button")
    expect(status).to_contain_text("ロックされました")
    tel = status.locator("a#insurer-tel")
    expect(tel).to_have_text(DEMO_PHONE)
    expect(tel).to_have_attribute("href", "tel:0120000000")
    box = tel.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44
    assert _focused(page) == "button#activate-button"
    assert authenticator.credentials() == []
    keep_screenshot(page, "activation-locked")


def test_activation_moves_focus_to_the_card_heading_and_says_it_is_done(server, page, authenticator):
    _activate(page, server, TARO)
    expect(page.locator("#card-title")).to_be_focused()
    _announced(page, "登録が完了しました")


# -- the card ----------------------------------------------------------------------------

def test_the_card_on_a_phone(server, page, authenticator):
    _activate(page, server, KAZUO)
    # The QR's validity, told apart from the insurance.
    expect(page.locator("#qr-expires-label")).to_have_text("QRコードの有効期限（通信時に自動更新）")
    expect(page.locator("#qr-validity-note")).to_contain_text("保険の資格の期限ではありません")
    # 限度額区分 with its meaning, as the clinic shows it.
    expect(page.locator('[data-field="limit"]')).to_contain_text("B04 一般")
    expect(page.locator("#passkeys-title")).to_be_visible()
    assert _small_targets(page) == []
    assert _unmarked_runs(page) == []
    keep_screenshot(page, "member-card")


def test_consent_feedback_is_next_to_the_switch_focus_stays_and_it_is_announced(server, page, authenticator):
    _activate(page, server, KAZUO)
    switch = page.get_by_role("switch", name="限度額適用区分をQRに含める")
    switch_id = switch.get_attribute("id")
    for _ in range(2):
        was = switch.is_checked()
        _press(page, f"#{switch_id}", "Space")
        said = "含めません" if was else "含めます"
        # The feedback is inside the switch's own block, under it.
        expect(page.locator(".consent #card-status")).to_contain_text(said)
        _announced(page, said)
        expect(switch).not_to_have_attribute("aria-disabled", "true")       # the new QR is in
        expect(page.locator("#refresh-button")).to_be_enabled()
        assert _focused(page) == f"input#{switch_id}"
        expect(switch).to_be_checked(checked=not was)


def test_a_switch_that_cannot_be_used_says_why(server, page, authenticator):
    _activate(page, server, TARO)                     # no 限度額区分 on record
    switch = page.get_by_role("switch")
    expect(switch).to_have_attribute("aria-disabled", "true")
    why = page.locator(".consent-why")
    expect(why).to_have_text("限度額適用区分が登録されていないため、オンにできません。")
    assert why.get_attribute("id") in switch.get_attribute("aria-describedby").split()
    _press(page, f"#{switch.get_attribute('id')}", "Space")            # nothing happens
    expect(switch).not_to_be_checked()
    expect(page.locator(".consent #card-status")).to_have_count(0)


def test_offline_is_announced_and_the_switch_says_why(server, page, authenticator):
    _activate(page, server, KAZUO)
    page.locator("#refresh-button").focus()
    page.context.set_offline(True)
    _announced(page, "オフラインになりました")
    switch = page.get_by_role("switch")
    expect(switch).to_have_attribute("aria-disabled", "true")
    expect(page.locator(".consent-why")).to_contain_text("オフラインのため")
    page.context.set_offline(False)
    expect(page.locator(".consent-why")).to_have_count(0)


def test_a_family_tab_keeps_the_focus(server, page, authenticator):
    _activate(page, server, TARO)
    with server.app.app_context():
        hanako = member_by_number(TARO[0], HANAKO_BRANCH).id
    _press(page, f"#member-tab-{hanako}")
    expect(page.locator(f"#member-tab-{hanako}")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#card")).to_have_attribute("data-member-id", str(hanako))
    expect(page.locator("#qr-status")).to_have_text("有効")
    assert _focused(page) == f"button#member-tab-{hanako}"


def test_adding_a_passkey_keeps_the_focus_and_is_announced(server, page, authenticator):
    _activate(page, server, TARO)
    authenticator.new_device()
    _press(page, "#add-passkey")
    expect(page.locator("#passkeys li")).to_have_count(2)
    _announced(page, "パスキーを追加しました。")
    assert _focused(page) == "button#add-passkey"
    assert _small_targets(page) == []

    # Removing one: its button is gone, the focus goes to the section's heading.
    second = page.locator("#passkeys li").nth(1).get_by_role("button")
    _press(page, f"#{second.get_attribute('id')}")
    expect(page.locator("#passkeys li")).to_have_count(1)
    _announced(page, "パスキーを削除しました。")
    expect(page.locator("#passkeys-title")).to_be_focused()


def test_after_a_loss_the_card_says_what_to_do_next(server, page, authenticator):
    _activate(page, server, TARO)
    with server.app.app_context():
        members.record_loss(member_by_number(TARO[0], TARO[1]), date.today(), "retirement")
    page.reload()
    page.get_by_role("button", name="パスキーでサインイン").click()
    expect(page.locator("#loss")).to_contain_text("資格喪失")
    steps = page.locator("#after-loss")
    expect(steps.get_by_role("heading")).to_have_text("これからの手続き")
    expect(steps).to_contain_text("国民健康保険")                       # a new insurer
    expect(steps).to_contain_text("資格確認書")
    expect(steps).to_contain_text("資格パス健康保険組合（デモ）にお問い合わせください")
    expect(steps.locator("a#loss-tel")).to_have_attribute("href", "tel:0120000000")
    expect(page.locator("#card-title")).to_be_focused()                # signed in: focus on the card
    assert _small_targets(page) == []
    assert _unmarked_runs(page) == []
    keep_screenshot(page, "after-loss")


# -- English -----------------------------------------------------------------------------

@pytest.fixture
def english_page(browser):
    context = browser.new_context(locale="en-US", timezone_id="Asia/Tokyo",
                                  viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def english_authenticator(english_page):
    cdp = english_page.context.new_cdp_session(english_page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True, "automaticPresenceSimulation": True}})


def test_an_english_browser_opens_in_english_and_a_choice_is_remembered(live_server, english_page,
                                                                        english_authenticator):
    page = english_page
    _fill_activation(page, live_server, KAZUO)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#activation-title")).to_have_text("Activate")
    expect(page.locator("#lang-toggle")).to_have_attribute("lang", "ja")
    assert _unmarked_runs(page) == []
    page.get_by_role("button", name="Create a passkey").click()
    expect(page.locator("#card-title")).to_have_text("My eligibility details")
    expect(page.locator("#qr-expires-label")).to_have_text("QR code valid until (renewed automatically when online)")
    expect(page.locator('[data-field="limit"]')).to_contain_text("B04 一般")
    expect(page.locator('[data-field="name"] [lang="ja"]').first).to_have_text("髙橋 和夫")
    assert _unmarked_runs(page) == []
    assert _small_targets(page) == []
    keep_screenshot(page, "english-card")

    # The manual switch still works and is remembered over the browser's language.
    page.get_by_role("button", name="日本語に切り替え").click()
    expect(page.locator("#card-title")).to_have_text("わたしの資格情報")
    page.reload()
    expect(page.locator("#card-title")).to_have_text("わたしの資格情報")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.locator("#lang-toggle")).to_have_attribute("lang", "en")
    assert _unmarked_runs(page) == []


def test_a_japanese_browser_still_opens_in_japanese(server, page):
    page.goto(activation_url(server, *TARO[:2]))
    expect(page.locator("#activation-title")).to_have_text("利用開始")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
