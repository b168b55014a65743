"""The `shikaku` command line: clear errors, exit codes, real QR output."""
import json

import zxingcpp
from PIL import Image

from server.cli import main as shikaku

MEMBER = ["--insurer", "06138093", "--symbol", "1234", "--number", "5678"]


def _run(runner, *args, **kwargs):
    return runner.invoke(shikaku, list(args), **kwargs)


def test_members_list_json_has_the_demo_household(runner):
    result = _run(runner, "members", "list", "--json")
    assert result.exit_code == 0
    rows = json.loads(result.output)
    assert {(r["number"], r["branch"], r["name"]) for r in rows} >= {
        ("5678", "00", "𠮷田 太郎"), ("5678", "01", "𠮷田 花子"), ("91", "00", "髙橋 和夫")}
    assert all(set(r) == {"insurer_number", "symbol", "number", "branch", "relationship", "name"}
               for r in rows)


def test_members_list_table(runner):
    result = _run(runner, "members", "list")
    assert result.exit_code == 0 and "𠮷田 陽菜" in result.output and "06138093" in result.output


def test_issue_then_verify_round_trip(runner, tmp_path):
    png, svg = tmp_path / "qr.png", tmp_path / "qr.svg"
    issued = _run(runner, "token", "issue", *MEMBER, "--branch", "01", "--png", str(png), "--svg", str(svg))
    assert issued.exit_code == 0, issued.output
    text = issued.output.strip()
    assert text.isdigit() and text.startswith("8802")             # format version 2
    [barcode] = zxingcpp.read_barcodes(Image.open(png))
    assert barcode.format == zxingcpp.BarcodeFormat.QRCode and barcode.text == text
    assert svg.read_text().startswith("<?xml") and "<svg" in svg.read_text()
    verified = _run(runner, "token", "verify", text)
    assert verified.exit_code == 0
    result = json.loads(verified.output)
    assert result["status"] == "valid" and result["claims"]["name"] == "𠮷田 花子"
    assert result["insurer_name"] == "資格パス健康保険組合（デモ）"


def test_verify_reads_standard_input_with_full_width_digits(runner):
    text = _run(runner, "token", "issue", *MEMBER, "--branch", "00").output.strip()
    full_width = text.translate({ord(str(i)): chr(0xFF10 + i) for i in range(10)})
    result = _run(runner, "token", "verify", input=full_width[:40] + "\n" + full_width[40:] + "\n")
    assert result.exit_code == 0 and json.loads(result.output)["status"] == "valid"


def test_verify_rejects_garbage_with_exit_1(runner):
    result = _run(runner, "token", "verify", "88011234")
    assert result.exit_code == 1
    assert json.loads(result.output)["status"] == "malformed"


def test_issue_for_an_unknown_member_is_a_usage_error(runner):
    result = _run(runner, "token", "issue", "--insurer", "06138093", "--number", "404")
    assert result.exit_code == 2
    assert "該当する加入者がいません" in result.output


def test_issue_without_required_options_is_a_usage_error(runner):
    assert _run(runner, "token", "issue", "--insurer", "06138093").exit_code == 2


def test_card_kind_is_long_lived(runner):
    notice = json.loads(_run(runner, "token", "verify", _run(
        runner, "token", "issue", *MEMBER, "--branch", "00").output.strip()).output)
    card = json.loads(_run(runner, "token", "verify", _run(
        runner, "token", "issue", *MEMBER, "--branch", "00", "--kind", "card").output.strip()).output)
    assert notice["claims"]["kind"] == 1 and card["claims"]["kind"] == 2
    assert card["claims"]["expires_at"] - card["claims"]["issued_at"] > 300 * 86400
    assert notice["claims"]["expires_at"] - notice["claims"]["issued_at"] == 7 * 86400


def test_keys_rotate_list_revoke(runner):
    before = _run(runner, "keys", "list")
    assert before.exit_code == 0 and "current" in before.output
    text = _run(runner, "token", "issue", *MEMBER, "--branch", "00").output.strip()
    rotated = _run(runner, "keys", "rotate", "--insurer", MEMBER[1])
    assert rotated.exit_code == 0 and "retired" in rotated.output
    listing = _run(runner, "keys", "list").output
    assert listing.count("current") == 2 and listing.count("retired") == 1   # one per insurer
    old_kid = rotated.output.split()[0]
    assert _run(runner, "token", "verify", text).exit_code == 0      # overlap: still valid
    revoked = _run(runner, "keys", "revoke", old_kid, "--yes")
    assert revoked.exit_code == 0
    after = json.loads(_run(runner, "token", "verify", text).output)
    assert after["status"] == "unknown_key"
    assert _run(runner, "keys", "revoke", "nosuchkid", "--yes").exit_code == 2


def test_trust_list_command_prints_the_signed_list(runner, app):
    from server.keys import publishing
    from server.token_core import TrustList
    result = _run(runner, "trust-list")
    assert result.exit_code == 0
    with app.app_context():
        trust_list = TrustList.from_signed(result.output, publishing.anchor_jwk())
    assert "06138093" in trust_list.insurers


def test_verify_against_a_trust_list_file(runner, tmp_path):
    text = _run(runner, "token", "issue", *MEMBER, "--branch", "00").output.strip()
    saved = tmp_path / "list.json"
    saved.write_text(_run(runner, "trust-list").output)
    assert _run(runner, "token", "verify", text, "--trust-list", str(saved)).exit_code == 0
    saved.write_text(saved.read_text().replace('"signature": "', '"signature": "A'))
    bad = _run(runner, "token", "verify", text, "--trust-list", str(saved))
    assert bad.exit_code == 2 and "信頼リストを使えません" in bad.output
