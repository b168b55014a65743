"""Hypothesis properties: every member round-trips, and verify() is total."""
from datetime import date

import cbor2
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from server.token_core import cose, digits
from server.token_core.claims import LIMIT_CATEGORIES, Claims, DocumentKind, Relationship, Sex
from server.token_core.issue import issue
from server.token_core.verify import DEFAULT_SKEW, Status, verify

DAY = 86_400
# Deterministic and bounded: the same examples on every run, no example database on disk.
# Session-scoped fixtures are safe to share between examples.
BUDGET = settings(max_examples=300, deadline=None, derandomize=True, database=None,
                  suppress_health_check=[HealthCheck.too_slow])

# -- members --------------------------------------------------------------------------------
kanji = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
kanji_ext_b = st.characters(min_codepoint=0x20000, max_codepoint=0x2A6DF)   # 𠮷 and friends
kana = st.characters(min_codepoint=0x3041, max_codepoint=0x3096) | st.characters(
    min_codepoint=0x30A1, max_codepoint=0x30FA) | st.just("ー")
variation_selector = st.characters(min_codepoint=0xFE00, max_codepoint=0xFE0F) | st.characters(
    min_codepoint=0xE0100, max_codepoint=0xE01EF)
ivs = st.tuples(kanji | kanji_ext_b, variation_selector).map("".join)   # 葛󠄀: kanji + selector
name_part = kanji | kanji_ext_b | kana | ivs | st.sampled_from([" ", "\u3000", "髙", "﨑"])
names = st.lists(name_part, min_size=1, max_size=49).map("".join)     # <= 98 code points

ascii_codes = st.text(alphabet="0123456789", min_size=1, max_size=20)            # leading zeros too
full_width_codes = st.text(
    alphabet=kanji | kana | st.characters(min_codepoint=0xFF10, max_codepoint=0xFF19)
    | st.characters(min_codepoint=0xFF21, max_codepoint=0xFF3A), min_size=1, max_size=12)
codes = ascii_codes | full_width_codes   # never mixed within one value
dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2026, 12, 31))


@st.composite
def members(draw, now: int):
    issued_at = now - draw(st.integers(-DEFAULT_SKEW, 300 * DAY))
    expires_at = max(issued_at + 1, now - DEFAULT_SKEW) + draw(st.integers(0, 5 * 365 * DAY))
    return Claims(
        insurer_number=draw(st.sampled_from(["06138093", "138156", "01040013", "39130000"])),
        symbol=draw(st.just("") | codes),
        number=draw(codes),
        branch=draw(st.just("") | st.integers(0, 99).map("{:02d}".format)),
        relationship=draw(st.sampled_from(Relationship)),
        name=draw(names),
        sex=draw(st.sampled_from(Sex)),
        birth_date=draw(dates), acquired_on=draw(dates),
        copay_ratio=draw(st.sampled_from([10, 20, 30])), copay_from=draw(dates),
        kind=draw(st.sampled_from(DocumentKind)),
        issued_at=issued_at, expires_at=expires_at,
        revocation_id=draw(st.binary(min_size=8, max_size=8)),
        limit_category=draw(st.none() | st.sampled_from(sorted(LIMIT_CATEGORIES))),
    )


@BUDGET
@given(data=st.data())
def test_every_member_round_trips(data, signing_key, trusted_key, trust_list, now):
    claims = data.draw(members(now))
    trusted = trust_list([trusted_key(insurers=[claims.insurer_number])])
    text = issue(claims, signing_key)
    assert text.isdigit() and len(text) <= 1000
    result = verify(text, trusted, now=now)
    assert result.status is Status.VALID, result.detail
    assert result.claims == claims


# -- totality ----------------------------------------------------------------------------------

@BUDGET
@given(text=st.text())
def test_arbitrary_text_is_malformed_never_an_exception(text, trust_list, now):
    assert verify(text, trust_list(), now=now).status is Status.MALFORMED


@BUDGET
@given(body=st.text(alphabet="0123456789０１２３４５６７８９ \u3000\r\n", max_size=600))
def test_arbitrary_digits_after_the_header_are_malformed(body, trust_list, now):
    result = verify(digits.HEADER + body, trust_list(), now=now)
    assert result.status is Status.MALFORMED
    assert result.claims is None


@BUDGET
@given(data=st.binary(max_size=600))
def test_arbitrary_binary_is_malformed(data, trust_list, now):
    trusted = trust_list()
    assert verify(data, trusted, now=now).status is Status.MALFORMED       # as raw input
    if data:
        assert verify(digits.encode(data), trusted, now=now).status is Status.MALFORMED


@BUDGET
@given(value=st.one_of(st.none(), st.integers(), st.floats(), st.lists(st.integers()), st.binary()))
def test_non_text_input_is_malformed(value, trust_list, now):
    assert verify(value, trust_list(), now=now).status is Status.MALFORMED


cbor_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**64) + 1, 2**64 - 1) | st.text(max_size=30)
    | st.binary(max_size=30) | st.floats(allow_nan=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.integers(-3, 20), inner, max_size=4),
    max_leaves=8)


@BUDGET
@given(key=st.integers(1, 18), value=cbor_values, drop=st.booleans())
@example(key=2, value="", drop=False)      # an empty 記号 as text: a second form of "no 記号"
@example(key=4, value=0, drop=False)       # 枝番 00: the canonical form, must stay "00"
@example(key=17, value={1: b"holder"}, drop=False)   # a future claim, kept and ignored
def test_a_signed_map_with_any_claim_altered_never_verifies_lossily(
        key, value, drop, make_claims, signing_key, trust_list, now):
    """Even the holder of a trusted key cannot get verify() to raise, nor to return claims
    that would encode to a different map than the one that was signed."""
    claims_map = make_claims().to_map()
    if drop:
        claims_map.pop(key, None)
    else:
        claims_map[key] = value
    try:
        payload = cose.dumps(claims_map)
    except (ValueError, cbor2.CBOREncodeError):
        return
    text = digits.encode(cose.sign(payload, signing_key.kid, signing_key.private_key))
    result = verify(text, trust_list(), now=now)
    if result.claims is None:
        assert result.status is Status.MALFORMED
    else:
        assert cose.dumps(result.claims.to_map()) == payload
