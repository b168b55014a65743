"""issue() -> verify() returns the same claims; the digits layer round-trips on its own."""
import random
from datetime import date

import cbor2
import pytest

from server.token_core import cose, digits
from server.token_core.claims import DocumentKind, Relationship, Sex
from server.token_core.errors import ClaimsError, DigitsError, InputTooLarge
from server.token_core.issue import issue
from server.token_core.verify import Status, verify

DAY = 86_400

VARIANTS = {
    "notice": dict(kind=DocumentKind.NOTICE),
    "card": dict(kind=DocumentKind.CARD, issued_at=1_780_000_000, expires_at=1_780_000_000 + 5 * 365 * DAY),
    "no symbol (後期高齢者)": dict(symbol="", copay_ratio=10, relationship=Relationship.INSURED,
                                 birth_date=date(1946, 2, 11)),
    "branch empty": dict(branch=""),
    "branch 00": dict(branch="00"),
    "limit category": dict(limit_category="A03"),
    "limit category 70+": dict(limit_category="B10", copay_ratio=20, birth_date=date(1955, 3, 1)),
    "dependent": dict(relationship=Relationship.DEPENDENT, branch="02", name="𠮷田 花子",
                      sex=Sex.FEMALE, birth_date=date(2021, 12, 31), copay_ratio=20),
    "sex unset": dict(sex=Sex.UNSET),
    "symbol with leading zero": dict(symbol="0123", number="0005678"),
    "kanji symbol": dict(symbol="東京都", number="ＡＢ１２３"),
}


@pytest.mark.parametrize("overrides", VARIANTS.values(), ids=VARIANTS.keys())
def test_issue_then_verify_gives_identical_claims(overrides, make_claims, signing_key, trust_list, now):
    claims = make_claims(**overrides)
    result = verify(issue(claims, signing_key), trust_list(), now=now)
    assert result.status is Status.VALID, result.detail
    assert result.valid
    assert result.claims == claims
    assert result.warnings == ()
    assert result.insurer_name == "シカク健康保険組合"


@pytest.mark.parametrize("insurer_number", ["138156", "01040013", "39130000", "80137151"])
def test_insurer_numbers_keep_their_length_and_leading_zero(insurer_number, make_claims, signing_key,
                                                            trusted_key, trust_list, now):
    claims = make_claims(insurer_number=insurer_number)
    trusted = trust_list([trusted_key(insurers=[insurer_number])], insurers={insurer_number: "保険者"})
    result = verify(issue(claims, signing_key), trusted, now=now)
    assert result.status is Status.VALID, result.detail
    assert result.claims.insurer_number == insurer_number
    assert result.claims == claims
    assert result.insurer_name == "保険者"


def test_empty_branch_and_branch_00_stay_distinct(make_claims, signing_key, trust_list, now):
    empty, zero = make_claims(branch=""), make_claims(branch="00")
    maps = [cbor2.loads(cose.parse(digits.decode(issue(c, signing_key))).payload) for c in (empty, zero)]
    assert 4 not in maps[0] and maps[1][4] == 0
    results = [verify(issue(c, signing_key), trust_list(), now=now) for c in (empty, zero)]
    assert [r.claims.branch for r in results] == ["", "00"]


def test_limit_category_absent_unless_consented(make_claims, signing_key, trust_list, now):
    without = cbor2.loads(cose.parse(digits.decode(issue(make_claims(), signing_key))).payload)
    assert 16 not in without
    result = verify(issue(make_claims(limit_category="A01"), signing_key), trust_list(), now=now)
    assert result.claims.limit_category == "A01"


def _noisy_forms(text):
    body = text[4:]
    fullwidth = text.translate({ord("0") + i: chr(ord("０") + i) for i in range(10)})
    return {
        "full-width digits": fullwidth,
        "full-width header only": fullwidth[:4] + body,
        "spaces": " ".join(text[i:i + 4] for i in range(0, len(text), 4)),
        "ideographic space": "\u3000".join(text[i:i + 10] for i in range(0, len(text), 10)),
        "CRLF": "\r\n".join(text[i:i + 64] for i in range(0, len(text), 64)) + "\r\n",
        "LF and tab": "\t" + "\n".join(text[i:i + 50] for i in range(0, len(text), 50)),
        "everything at once": "\u3000" + " ".join(fullwidth[i:i + 3] for i in range(0, len(text), 3)) + "\r\n",
    }


@pytest.mark.parametrize("form", list(_noisy_forms("8801")), ids=str)
def test_keyboard_scanner_noise_still_verifies(form, token, make_claims, trust_list, now):
    noisy = _noisy_forms(token)[form]
    assert noisy != token
    result = verify(noisy, trust_list(), now=now)
    assert result.status is Status.VALID, result.detail
    assert result.claims == make_claims()


def test_token_as_bytes_verifies(token, make_claims, trust_list, now):
    result = verify(token.encode("ascii"), trust_list(), now=now)
    assert result.status is Status.VALID
    assert result.claims == make_claims()


def test_token_text_is_digits_only_with_header(token):
    assert token.startswith(digits.HEADER)
    assert token.isascii() and token.isdigit()


# -- the digits layer alone ---------------------------------------------------------------

def _random_byte_strings():
    rng = random.Random(8801)
    for n in range(1, 301):
        yield bytes(n)                                       # all zero: every digit padding
        yield b"\xff" * n                                    # the largest value of n bytes
        yield bytes(rng.randrange(256) for _ in range(n))
        yield b"\x00" + bytes(rng.randrange(256) for _ in range(n - 1))   # leading zero byte


def test_digits_round_trip_exactly_for_random_bytes():
    for data in _random_byte_strings():
        text = digits.encode(data)
        assert text.startswith(digits.HEADER) and text.isdigit()
        assert len(text) == len(digits.HEADER) + digits.digit_count(len(data))
        assert digits.decode(text) == data
        assert digits.encode(digits.decode(text)) == text


def test_digit_count_is_strictly_increasing_so_lengths_are_unambiguous():
    counts = [digits.digit_count(n) for n in range(1, 1000)]
    assert counts == sorted(set(counts))
    assert digits.digit_count(1) == 3 and digits.digit_count(2) == 5   # 255, 65535


def test_every_valid_text_maps_back_to_one_byte_string():
    rng = random.Random(1)
    for n in (1, 2, 3, 7, 64, 158, 300):
        width = digits.digit_count(n)
        for _ in range(50):
            body = str(rng.randrange(256**n)).zfill(width)
            data = digits.decode(digits.HEADER + body)
            assert len(data) == n
            assert digits.encode(data) == digits.HEADER + body


def test_bodies_of_a_wrong_digit_count_are_rejected():
    valid_counts = {digits.digit_count(n) for n in range(1, 400)}
    for count in range(1, 900):
        if count not in valid_counts:
            with pytest.raises(DigitsError, match="not a valid length"):
                digits.decode(digits.HEADER + "1" * count)


@pytest.mark.parametrize("n", [1, 2, 3, 10, 158, 300])
def test_values_of_256_to_the_n_or_more_are_rejected(n):
    width = digits.digit_count(n)
    for value in (256**n, 256**n + 1, 10**width - 1):
        body = str(value)
        assert len(body) == width
        with pytest.raises(DigitsError):
            digits.decode(digits.HEADER + body)
    assert digits.decode(digits.HEADER + str(256**n - 1)) == b"\xff" * n


@pytest.mark.parametrize("text", [
    "", "8801", "8803123", "1234567", "8801 12a", "8801-123", "8801+123", "8801_123",
    "8801١٢٣",       # Arabic-Indic digits are digits to str.isdigit, not to us
    "8801²⁵⁵",       # superscripts likewise
    "HC1:6BFOXN",    # an EU DCC
    "shc:/5676290952432060346029243740",
])
def test_non_tokens_are_rejected_by_the_digits_layer(text):
    with pytest.raises(DigitsError):
        digits.decode(text)


def test_empty_bytes_cannot_be_encoded():
    with pytest.raises(ValueError):
        digits.encode(b"")


def test_oversized_input_is_refused_unread():
    with pytest.raises(InputTooLarge):
        digits.decode("8801" + "0" * digits.MAX_INPUT_CHARS)


# -- what cannot round-trip is refused when the claims are made, not at the clinic --------------

@pytest.mark.parametrize("overrides", [
    dict(insurer_number="０６１３８０９３"),     # full-width digits would come back half-width
    dict(insurer_number="٠٦١٣٨٠٩٣"),             # so would Arabic-Indic ones
    dict(insurer_number="6138093"),              # 7 digits
    dict(branch="０１"),
    dict(branch="1"),
    dict(birth_date=date(1850, 1, 1)),           # outside the day numbers verify() accepts
    dict(acquired_on=date(2200, 1, 1)),
    dict(symbol="1" * 39),                       # over 38 bytes
    dict(number=""),
    dict(name=""), dict(name="田中\u202e太郎"), dict(name="田中\n太郎"),
    dict(copay_ratio=15), dict(limit_category="A07"),
    dict(expires_at=1_790_000_000 - 3600),      # not after issued_at
    dict(revocation_id=b"\x00" * 7),
])
def test_claims_that_could_not_round_trip_are_refused(overrides, make_claims):
    with pytest.raises(ClaimsError):
        make_claims(**overrides)


def test_a_signed_empty_symbol_is_not_read_as_no_symbol(make_claims, signing_key, trust_list, now):
    """記号 is absent when empty; an empty text in its place is a second encoding of the
    same claims, and a verifier must not accept two encodings."""
    claims_map = {**make_claims().to_map(), 2: ""}
    text = digits.encode(cose.sign(cose.dumps(claims_map), signing_key.kid, signing_key.private_key))
    result = verify(text, trust_list(), now=now)
    assert result.status is Status.MALFORMED
    assert "claim 2" in result.detail
