"""The browser path exists from day one: real Debian Chromium loads the clinic page,
which fetches the trust list and checks its signature with WebCrypto."""
import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.smoke]


def test_clinic_page_fetches_and_verifies_the_trust_list(live_server, page):
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{live_server.url}/clinic/")
    expect(page.locator("#trust")).to_have_attribute("data-state", "ok")
    expect(page.locator("#trust-status")).to_contain_text("署名を確認しました")
    expect(page.locator("#trust-insurer-count")).to_have_text("2保険者")
    page.locator("#trust-insurer-details summary").click()
    expect(page.locator("#trust-insurers li").first).to_have_text("06138093 資格パス健康保険組合（デモ）")
    expect(page.locator("#trust-keys")).to_have_text("2")           # a key per demo insurer
    assert f"{live_server.url}/api/v1/trust-list" in requests


def test_clinic_page_refuses_a_list_signed_by_another_anchor(live_server, page):
    # Pin a different anchor (the app's config.json) than the one that signed the served list.
    from server.token_core.keys import generate_private_key, public_jwk
    impostor = public_jwk(generate_private_key().public_key())
    page.route("**/clinic/config.json",
               lambda route: route.fulfill(json={**route.fetch().json(), "anchor": impostor}))
    page.goto(f"{live_server.url}/clinic/")
    expect(page.locator("#trust")).to_have_attribute("data-state", "error")
    expect(page.locator("#trust-status")).to_contain_text("信頼リストを確認できません")
