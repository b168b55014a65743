"""Room for a later holder-binding claim, and the claims' own edge rules."""
import datetime

import pytest

from server.token_core import Status, issue, verify
from server.token_core.errors import ClaimsError
from server.token_core.keys import b64url_decode, kid_bytes

HOLDER_KEY = {1: 2, -1: 1, -2: b"x" * 32, -3: b"y" * 32}   # a COSE_Key, as claim 17 might carry


def test_a_future_holder_key_claim_is_kept_and_ignored(make_claims, signing_key, trust_list, now):
    claims = make_claims(extensions={17: HOLDER_KEY})
    result = verify(issue(claims, signing_key), trust_list(), now=now)
    assert result.status is Status.VALID
    assert result.claims.extensions == {17: HOLDER_KEY}
    assert result.claims == claims


@pytest.mark.parametrize("value", [1.5, datetime.datetime(2026, 1, 1), {1: [[[[[[1]]]]]]}])
def test_extension_values_must_be_plain_cbor(make_claims, value):
    with pytest.raises(ClaimsError, match="extensions"):
        make_claims(extensions={17: value})


@pytest.mark.parametrize("number", ["00123456", "001234", "０６１３８０９３", "1234567", ""])
def test_insurer_numbers_that_cannot_exist_are_refused(make_claims, number):
    with pytest.raises(ClaimsError, match="insurer_number"):
        make_claims(insurer_number=number)


@pytest.mark.parametrize("text", ["a!b@c#d$", "ab+/", "abc=", "a"])
def test_base64url_is_strict(text):
    with pytest.raises(ValueError):
        b64url_decode(text)


@pytest.mark.parametrize("text", ["", "-abc", "ABCD", "abc", "0" * 34])
def test_key_ids_are_lowercase_hex(text):
    with pytest.raises(ValueError):
        kid_bytes(text)


# -- text claims: the fixed table of forbidden characters --------------------------------

@pytest.mark.parametrize("char", ["\u061c", "\u200e", "\u200f", "\u202a", "\u202e", "\u2066",
                                  "\u2069", "\u200b", "\u00ad", "\ufeff", "\u2028", "\u2029",
                                  "\u0085", "\U000e0041", "\U00013439", "\x00", "\x7f"])
def test_invisible_and_bidi_characters_are_refused_in_every_text_claim(make_claims, char):
    for field, value in (("name", f"資格{char}太郎"), ("symbol", f"ＡＢ{char}"),
                         ("number", f"番号{char}")):
        with pytest.raises(ClaimsError, match=field):
            make_claims(**{field: value})


@pytest.mark.parametrize("name", ["資\u200d格", "資\u200c格", "葛\ufe00", "葛\U000e0100",
                                  "\U000e01ef𠮷", "Ｏ'Ｂｒｉｅｎ・マリア", "ﾔﾏﾀﾞ", "\ue000"])
def test_joiners_variation_selectors_and_other_visible_text_are_kept(make_claims, name):
    assert make_claims(name=name).name == name


def test_forbidden_characters_is_what_enrolment_can_call():
    from server.token_core.claims import FORBIDDEN_TEXT_RANGES, forbidden_characters
    assert forbidden_characters("a\u200fb\u061cc") == ["\u200f", "\u061c"]
    assert forbidden_characters("資格 太郎\U000e0100") == []
    table = {c for low, high in FORBIDDEN_TEXT_RANGES for c in range(low, high + 1)}
    assert {c for c in range(0x110000) if forbidden_characters(chr(c))} == table
    assert 0x200C not in table and 0x200D not in table and 0xFE00 not in table


def test_the_name_limit_counts_code_points(make_claims):
    assert make_claims(name="葛\U000e0100" * 50).name        # 100 code points, 50 glyphs
    with pytest.raises(ClaimsError, match="name"):
        make_claims(name="葛\U000e0100" * 50 + "a")


@pytest.mark.parametrize("text", ["ab" * 17, "AB" * 4])
def test_key_ids_are_at_most_16_bytes_of_lowercase_hex(text):
    with pytest.raises(ValueError):
        kid_bytes(text)
    assert kid_bytes("ab" * 16) == b"\xab" * 16
