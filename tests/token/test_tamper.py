"""Any change to a valid token, at the byte or the digit level, makes it not valid.

The checks go further than "not VALID" where the layer that must catch the change is
known: a change inside the signed payload or the signature is a bad signature, a change
inside the key id is an unknown key, and truncation or extension is malformed.
"""
import pytest

from server.token_core import cose, digits
from server.token_core.verify import Status, verify

MASKS = (0x01, 0x02, 0x10, 0x80, 0xFF)


@pytest.fixture(scope="module")
def token_bytes(token) -> bytes:
    return digits.decode(token)


@pytest.fixture(scope="module")
def regions(token_bytes):
    """Byte ranges of the kid, the payload and the signature inside the token."""
    message = cose.parse(token_bytes)
    def span(part: bytes) -> range:
        start = token_bytes.index(part)
        assert token_bytes.count(part) == 1
        return range(start, start + len(part))
    return {"kid": span(message.kid), "payload": span(message.payload),
            "signature": span(message.signature)}


def test_the_untampered_token_is_valid(token, trust_list, now):
    assert verify(digits.encode(digits.decode(token)), trust_list(), now=now).status is Status.VALID


def test_every_byte_changed_is_rejected(token_bytes, regions, trust_list, now):
    trusted = trust_list()
    assert 150 <= len(token_bytes) <= 200
    statuses = {}
    for position in range(len(token_bytes)):
        for mask in MASKS:
            tampered = bytearray(token_bytes)
            tampered[position] ^= mask
            result = verify(digits.encode(bytes(tampered)), trusted, now=now)
            assert result.status is not Status.VALID, (position, mask)
            assert result.claims is None, (position, mask)
            statuses[position, mask] = result.status
    for position in regions["payload"]:
        assert {statuses[position, m] for m in MASKS} == {Status.BAD_SIGNATURE}, position
    for position in regions["signature"]:
        assert {statuses[position, m] for m in MASKS} == {Status.BAD_SIGNATURE}, position
    for position in regions["kid"]:
        assert {statuses[position, m] for m in MASKS} == {Status.UNKNOWN_KEY}, position
    structure = set(range(len(token_bytes))).difference(*regions.values())
    assert {statuses[p, m] for p in structure for m in MASKS} == {Status.MALFORMED}


def test_every_truncation_is_malformed(token, token_bytes, trust_list, now):
    trusted = trust_list()
    assert verify(digits.HEADER, trusted, now=now).status is Status.MALFORMED
    for length in range(1, len(token_bytes)):
        result = verify(digits.encode(token_bytes[:length]), trusted, now=now)
        assert result.status is Status.MALFORMED, length
    for length in range(len(token) - 1):     # cut at the digit level too
        assert verify(token[:length], trusted, now=now).status is Status.MALFORMED, length


@pytest.mark.parametrize("suffix", [b"\x00", b"\x01", b"\x80", b"\xff", b"\xf6", b"\x00\x00",
                                    b"\xa0\x40", b"\xff\xff\xff", b"\x18\x2a\x00"])
def test_every_extension_is_malformed(suffix, token_bytes, trust_list, now):
    for data in (token_bytes + suffix, suffix + token_bytes):
        result = verify(digits.encode(data), trust_list(), now=now)
        assert result.status is Status.MALFORMED


def test_every_single_digit_changed_is_rejected(token, trust_list, now):
    trusted = trust_list()
    body_start = len(digits.HEADER)
    for position in range(len(token)):
        for step in (1, 5, 9):
            changed = str((int(token[position]) + step) % 10)
            text = token[:position] + changed + token[position + 1:]
            result = verify(text, trusted, now=now)
            assert result.status is not Status.VALID, (position, step)
            if position < body_start:
                assert result.status is Status.MALFORMED


def test_a_digit_deleted_inserted_or_swapped_is_rejected(token, trust_list, now):
    trusted = trust_list()
    for position in range(len(digits.HEADER), len(token), 7):
        deleted = token[:position] + token[position + 1:]
        inserted = token[:position] + "0" + token[position:]
        assert verify(deleted, trusted, now=now).status is Status.MALFORMED
        assert verify(inserted, trusted, now=now).status is Status.MALFORMED
        if position + 1 < len(token) and token[position] != token[position + 1]:
            swapped = token[:position] + token[position + 1] + token[position] + token[position + 2:]
            assert verify(swapped, trusted, now=now).status is not Status.VALID
