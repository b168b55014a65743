"""The insurer's day, in real Chromium with a virtual authenticator against our server:
invite → staff passkey → sign in → enrol a member and a dependent → print the notice →
its QR decodes to the activation URL → record a loss → the next trust list revokes."""
import io
import re
import time
from datetime import date

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from server.cli import main as shikaku
from server.extensions import db
from server.keys import publishing, status_publishing
from server.models import Member
from server.token_core import Status, TrustList, verify
from screenshots import keep_screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def invite_link(live_server):
    result = live_server.app.test_cli_runner().invoke(
        shikaku, ["staff", "invite", "chief@example.jp", "--role", "admin", "--insurer", "06138093,06270888"])
    assert result.exit_code == 0, result.output
    return re.search(r"http://\S+/admin/invite#token=\S+", result.output).group(0)


def _fill_member(page, **values):
    for name, value in values.items():
        field = page.locator(f"[name={name}]")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


def test_invite_register_sign_in_enrol_print_and_revoke(live_server, page, authenticator, invite_link):
    # 1. The invitation registers the first passkey and signs in.
    page.goto(invite_link)
    expect(page.get_by_role("heading")).to_contain_text("職員登録")
    page.get_by_role("button", name=re.compile("パスキーを作成")).click()
    expect(page).to_have_url(f"{live_server.url}/admin/")
    stored = authenticator.credentials()
    assert len(stored) == 1 and stored[0]["isResidentCredential"]

    # 2. Sign out, then sign in again with the same passkey (usernameless).
    page.get_by_role("button", name=re.compile("サインアウト")).click()
    expect(page).to_have_url(re.compile(r"/admin/login"))
    page.get_by_role("button", name=re.compile("パスキーでサインイン")).click()
    expect(page).to_have_url(f"{live_server.url}/admin/")

    # 3. Enrol an insured person, then a dependent.
    page.goto(f"{live_server.url}/admin/members/new")
    _fill_member(page, symbol="88", number="1001", branch="00", name="𠮷野 誠",
                 name_kana="ヨシノ マコト", sex="1", birth_date="平成2年3月4日",
                 acquired_on="2024-04-01", copay_ratio="30", mynumber_last4="2468")
    page.get_by_role("button", name=re.compile("保存")).click()
    expect(page.locator("#eligibility-status")).to_have_text("資格有効")
    expect(page.locator("main")).to_contain_text("平成2年3月4日（1990-03-04）")
    page.get_by_role("link", name=re.compile("家族を追加")).click()
    _fill_member(page, name="𠮷野 葵", name_kana="ヨシノ アオイ", sex="2",
                 birth_date="2022-08-08", acquired_on="2022-08-08", copay_ratio="20")
    page.get_by_role("button", name=re.compile("保存")).click()
    expect(page.locator("main")).to_contain_text("被保険者: 𠮷野 誠")
    page.get_by_role("link", name="𠮷野 誠").click()
    member_url = page.url

    # 4. Print the notice (opens in a new tab); its QR decodes to the activation URL.
    with page.context.expect_page() as popup:
        page.locator("#print-notice").click()
    notice = popup.value
    notice.wait_for_load_state()
    expect(notice.locator("body")).to_contain_text("このお知らせのみでは受診できません")
    qr = notice.locator("svg").first
    [barcode] = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.screenshot())))
    assert barcode.format == zxingcpp.BarcodeFormat.QRCode
    assert re.fullmatch(rf"{live_server.url}/app/activate#code=\d{{20}}", barcode.text)
    code = barcode.text.rsplit("=", 1)[1]
    assert "-".join(re.findall(r"\d{4}", code)) in notice.locator("body").inner_text()
    notice.close()

    # 5. Both have fetched a phone token; record the loss: the next trust list's status lists
    #    revoke both tokens.
    with live_server.app.app_context():
        from server.documents.issuance import issue_token
        tokens = [issue_token(m).text for m in
                  db.session.scalars(db.select(Member).where(Member.number == "1001")).all()]
    page.goto(member_url)
    page.locator("#loss-form [name=lost_on]").fill(date.today().isoformat())   # effective now
    page.locator("#loss-form button").click()
    page.locator("#loss-confirm-yes").click()                                     # the confirmation
    expect(page.locator(".flash")).to_contain_text("資格喪失を登録しました（2名）")
    trust_list_text = page.request.get(f"{live_server.url}/api/v1/trust-list").text()
    with live_server.app.app_context():
        trust_list = TrustList.from_signed(trust_list_text, publishing.anchor_jwk())
        state = status_publishing.state_for(trust_list.status)
        assert len(tokens) == 2
        for text in tokens:
            assert verify(text, trust_list, now=int(time.time()), status=state).status is Status.REVOKED


def test_a_passkey_without_user_verification_cannot_sign_in(live_server, page, authenticator,
                                                            invite_link):
    page.goto(invite_link)
    page.get_by_role("button", name=re.compile("パスキーを作成")).click()
    expect(page).to_have_url(f"{live_server.url}/admin/")
    page.get_by_role("button", name=re.compile("サインアウト")).click()
    authenticator.user_verified(False)
    page.get_by_role("button", name=re.compile("パスキーでサインイン")).click()
    expect(page.locator("#passkey-status")).to_contain_text("本人確認")
    expect(page).to_have_url(re.compile(r"/admin/login"))


def test_an_invitation_works_once_and_its_token_never_reaches_a_log(live_server, page, authenticator,
                                                                  invite_link, caplog):
    caplog.set_level("INFO", logger="werkzeug")         # the access log of the live server
    token = invite_link.split("#token=", 1)[1]
    page.goto(invite_link)
    expect(page.locator("#invite-for")).to_contain_text("chief@example.jp")
    assert "#token=" not in page.url                     # read once, gone from the address bar
    page.get_by_role("button", name=re.compile("パスキーを作成")).click()
    expect(page).to_have_url(f"{live_server.url}/admin/")
    page.goto(invite_link)
    expect(page.locator("#invite-for")).to_contain_text("使用済み")
    expect(page.get_by_role("button", name=re.compile("パスキーを作成"))).to_be_hidden()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "/admin/invite" in logged and "/auth/staff/invite/verify" in logged   # the log was seen
    assert token not in logged


def test_losses_upload_checks_then_records_and_the_insured_persons_family_follows(
        live_server, page, staff_in_browser, tmp_path):
    staff_in_browser(live_server, page, role="admin")
    path = tmp_path / "losses.csv"
    path.write_bytes("insurer_number,symbol,number,branch,lost_on,reason\r\n"
                     "06138093,1234,5678,00,令和8年10月31日,退職\r\n".encode("cp932"))
    page.goto(live_server.url + "/admin/import")
    page.get_by_role("link", name="資格喪失のCSV取込").click()
    page.set_input_files("input[name=file]", str(path))
    page.locator("button.primary").click()                       # 確認のみ is checked
    expect(page.locator("#loss-report")).to_contain_text("ドライラン（書き込みなし）: 喪失 1人（ほか家族 2人）")
    page.set_input_files("input[name=file]", str(path))
    page.locator("input[name=dry_run]").uncheck()
    page.locator("button.primary").click()
    expect(page.locator("#loss-report")).to_contain_text("資格喪失を登録しました: 喪失 1人（ほか家族 2人）")
    with live_server.app.app_context():
        household = db.session.scalars(db.select(Member).where(Member.number == "5678")).all()
        assert {m.eligibility.lost_on for m in household} == {date(2026, 10, 31)}


def test_an_insurer_admin_sees_only_the_own_insurer_and_revokes_its_key(live_server, page, staff_in_browser):
    """Tenancy in the browser: the admin of なにわ商事 (06270888) finds none of the other
    insurer's members, sees only the own key, and revokes it on the keys page (typed kid);
    the other insurer's key is untouched and a new key takes over."""
    from server.keys import lifecycle
    app = live_server.app
    with app.app_context():
        a_kid, b_kid = lifecycle.key_for("06138093")[0].kid, lifecycle.key_for("06270888")[0].kid
    staff_in_browser(live_server, page, role="admin", insurers=["06270888"])
    page.goto(live_server.url + "/admin/")
    expect(page.locator("#signed-in-as")).to_contain_text("なにわ商事健康保険組合")
    page.get_by_role("searchbox").fill("ヨシダ")
    page.get_by_role("button", name=re.compile("検索")).click()
    expect(page.get_by_text("該当する加入者はいません")).to_be_visible()
    page.get_by_role("searchbox").fill("サイトウ")
    page.get_by_role("button", name=re.compile("検索")).click()
    expect(page.locator("#results tbody tr")).to_have_count(2)

    page.get_by_role("link", name=re.compile("署名鍵")).click()
    expect(page.locator("#keys tbody tr")).to_have_count(1)
    expect(page.locator("#keys")).to_contain_text(b_kid)
    expect(page.locator("#keys")).not_to_contain_text(a_kid)
    keep_screenshot(page, "admin-keys-one-insurer")
    page.locator("form.revoke input[name=confirm_kid]").fill(b_kid)
    page.locator("form.revoke button").click()
    expect(page.locator(".flash")).to_contain_text(f"鍵 {b_kid} を失効しました")
    with app.app_context():
        kids = {k.kid.hex() for k in publishing.current_trust_list().keys}
        assert b_kid not in kids and a_kid in kids and lifecycle.key_for("06270888")[0].kid in kids


def test_the_operator_starts_on_the_insurers_page_and_adds_one(live_server, page, staff_in_browser):
    staff_in_browser(live_server, page, role="operator")
    page.goto(live_server.url + "/admin/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("保険者")
    expect(page.locator("#insurers tbody tr")).to_have_count(2)
    expect(page.get_by_role("link", name=re.compile("加入者"))).to_have_count(0)   # no member records
    page.locator("input[name=number]").fill("01130012")
    page.locator("input[name=name]").fill("全国健康保険協会 東京支部")
    page.get_by_role("button", name=re.compile("追加")).click()
    expect(page.locator("#insurers tbody tr")).to_have_count(3)
    expect(page.locator("tr[data-insurer='01130012']")).not_to_contain_text("なし")   # its own key
    keep_screenshot(page, "admin-operator-insurers")
