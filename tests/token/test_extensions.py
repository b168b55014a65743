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
