"""The token as a real QR image, read back by a real decoder (ZXing-C++)."""
import io

import pytest
import segno
import zxingcpp
from PIL import Image

from server.token_core.claims import DocumentKind
from server.token_core.issue import issue


def render(text: str, *, scale: int = 4) -> Image.Image:
    qr = segno.make_qr(text, error="m")
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=scale, border=4)
    buffer.seek(0)
    return Image.open(buffer).convert("L")


def read_one(image: Image.Image) -> zxingcpp.Barcode:
    results = zxingcpp.read_barcodes(image)
    assert len(results) == 1
    return results[0]


@pytest.fixture(scope="module")
def longest(make_claims, signing_key) -> str:
    """Every optional field, and a 100-code-point name made of 4-byte kanji."""
    return issue(make_claims(name="𠮷" * 100, symbol="東京都千代田区霞が関", number="ＡＢＣＤ１２３４５６７８",
                             branch="99", kind=DocumentKind.CARD, limit_category="B10"), signing_key)


@pytest.mark.parametrize("scale", [4, 6])
def test_the_realistic_token_reads_back_exactly(scale, token):
    barcode = read_one(render(token, scale=scale))
    assert barcode.valid
    assert barcode.format == zxingcpp.BarcodeFormat.QRCode
    assert barcode.text == token


def test_the_realistic_token_is_numeric_mode_version_9_or_lower(token):
    qr = segno.make_qr(token, error="m")
    assert qr.mode == "numeric"
    assert not qr.is_micro
    assert qr.version <= 9
    assert qr.error in ("M", "Q", "H")    # segno may boost error correction, never below M


def test_a_short_text_is_still_a_full_qr_not_a_micro_qr():
    qr = segno.make_qr("88011", error="m")
    assert not qr.is_micro
    barcode = read_one(render("88011"))
    assert barcode.format == zxingcpp.BarcodeFormat.QRCode


def test_the_longest_token_reads_back(longest):
    qr = segno.make_qr(longest, error="m")
    assert qr.mode == "numeric"
    barcode = read_one(render(longest))
    assert barcode.format == zxingcpp.BarcodeFormat.QRCode
    assert barcode.text == longest


def test_a_long_name_with_every_optional_field_is_version_10_or_lower(make_claims, signing_key):
    """The product brief's bound for a long name with every optional field (branch, 限度額区分,
    a 資格確認書's expiry). Version 10-M holds 513 digits = 211 bytes, which leaves 60 UTF-8
    bytes of name beside the realistic 記号・番号: 20 BMP kanji, or 15 non-BMP ones."""
    text = issue(make_claims(name="髙﨑" * 10, branch="99", limit_category="B10",
                             kind=DocumentKind.CARD), signing_key)
    qr = segno.make_qr(text, error="m")
    assert qr.mode == "numeric"
    assert qr.version <= 10, qr.version
    assert read_one(render(text)).text == text
