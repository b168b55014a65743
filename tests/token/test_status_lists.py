"""Status lists (server/token_core/status_lists.py) and format version 2 in the token core.

The shared vectors (tests/test_vectors.py) pin the bytes; here: round trips over random states,
the bounds, the lookup rules, and verify() with a status state.
"""
import hashlib
import random
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.token_core import digits, status_lists as sl
from server.token_core.claims import Claims, DocumentKind
from server.token_core.errors import ClaimsError, StatusListError
from server.token_core.issue import issue
from server.token_core.keys import public_jwk
from server.token_core.status_lists import ListKey, StatusList, StatusState
from server.token_core.trust_list import StatusRoot, TrustList, sign_trust_list
from server.token_core.verify import Status, verify

KEYS = [ListKey(1, 6138093, 0), ListKey(1, 6138093, 1), ListKey(1, 138156, 0),
        ListKey(2, 700, 0), ListKey(2, 701, 0)]


@st.composite
def states(draw):
    chosen = draw(st.lists(st.sampled_from(KEYS), unique=True, max_size=len(KEYS)))
    lists = {}
    for key in chosen:
        length = draw(st.integers(1, 3000))
        bits = draw(st.sets(st.integers(0, length - 1), max_size=40))
        if draw(st.booleans()):             # a run of set bits: zlib is shorter (encoding 0)
            start = draw(st.integers(0, length - 1))
            bits |= set(range(start, draw(st.integers(start, length))))
        lists[key] = StatusList.from_positions(length, bits)
    return StatusState(lists)


def encodings(snapshot: bytes) -> list[int]:
    out, at = [], 8
    for _ in range(int.from_bytes(snapshot[4:8], "big")):
        out.append(snapshot[at + 11])
        at += 16 + int.from_bytes(snapshot[at + 12:at + 16], "big")
    return out


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 5000), st.data())
def test_rice_round_trips_with_every_parameter(length, data):
    positions = data.draw(st.sets(st.integers(0, length - 1), max_size=200))
    s = StatusList.from_positions(length, positions)
    gaps = sl._gaps(s.bits, length)
    assert sum(gaps) + len(gaps) == (max(positions) + 1 if positions else 0)
    best, size = sl._best_rice(gaps)
    for r in range(sl.MAX_RICE_BITS + 1):
        payload = sl.rice_encode(gaps, r)
        assert sl.rice_decode(payload, length) == s.bits
        assert len(payload) == sl._rice_size(len(gaps), r, sum(g >> r for g in gaps))
        assert len(payload) > size or (len(payload) == size and r >= best)


def test_the_builder_takes_the_shorter_encoding():
    rng = random.Random(3)
    sparse = StatusList.from_positions(23_000, rng.sample(range(23_000), 25))
    dense = StatusList.from_positions(400_000, rng.sample(range(400_000), 48_000))
    runs = StatusList.from_positions(1000, range(600))
    state = StatusState({KEYS[0]: sparse, KEYS[1]: dense, KEYS[2]: runs, KEYS[3]: StatusList(9, bytes(2))})
    snapshot = sl.build_snapshot(state)
    # key order: KEYS[2] (insurer 138156) first
    assert encodings(snapshot) == [0, 1, 1, 1]
    for s in (sparse, dense, runs):
        encoding, payload = sl.encode_list(s)
        assert len(payload) <= len(zlib.compress(s.bits, 9))
        assert len(payload) < len(zlib.compress(s.bits, 9)) or encoding == sl.ENCODING_ZLIB
    assert len(sl.encode_list(sparse)[1]) < 40 and len(sl.encode_list(dense)[1]) < 27_500
    assert sl.encode_list(StatusList(9, bytes(2))) == (1, b"\x00\x00")
    assert sl.parse_snapshot(snapshot, expected_root=state.root).lists == state.lists


@pytest.mark.parametrize("payload, match", [
    (sl._varint(2**20) + b"\x00" + b"\xff" * 10, "set bits in a list"),        # k > length
    (sl._varint(1) + b"\x00" + bytes(10_000) + b"\x01", "run past"),          # a long zero run
    (sl._varint(1) + b"\x15" + bytes(3) + b"\x01", "at most 20"),
    (sl._varint(3) + b"\x00" + b"\x05", "quotients for 3"),                    # 2 ones for k = 3
])
def test_a_hostile_rice_code_is_refused_before_work(payload, match):
    with pytest.raises(StatusListError, match=match):
        sl.rice_decode(payload, 1000)


@settings(max_examples=150, deadline=None)
@given(states(), states())
def test_delta_takes_any_state_to_any_other(old, new):
    delta = sl.build_delta(old, new)
    applied = sl.apply_delta(old, delta, expected_root=new.root)
    assert applied.lists == new.lists and applied.root == new.root
    snapshot = sl.build_snapshot(new)
    assert sl.parse_snapshot(snapshot, expected_root=new.root).lists == new.lists
    assert set(encodings(snapshot)) <= {sl.ENCODING_ZLIB, sl.ENCODING_RICE}
    if old.root != new.root:
        with pytest.raises(StatusListError):
            sl.apply_delta(old, delta, expected_root=old.root)


def test_bits_are_little_endian_within_a_byte():
    s = StatusList.from_positions(16, [0, 9])
    assert s.bits == bytes([0b0000_0001, 0b0000_0010])
    assert [s.is_set(i) for i in range(16)] == [i in (0, 9) for i in range(16)]
    assert s.positions() == [0, 9]
    assert s.digest() == hashlib.sha256(b"\x00\x00\x00\x10" + s.bits).digest()


def test_directory_and_root_are_as_specified():
    state = StatusState({KEYS[3]: StatusList.from_positions(10, [1]),
                         KEYS[0]: StatusList.from_positions(8, [])})
    directory = state.directory()
    assert len(directory) == 2 * 43
    # key order: kind 1 before kind 2, whatever the insertion order
    assert directory[:7] == bytes([1]) + (6138093).to_bytes(4, "big") + b"\x00\x00"
    assert directory[7:11] == (8).to_bytes(4, "big")
    assert directory[11:43] == StatusList(8, b"\x00").digest()
    assert state.root == hashlib.sha256(directory).digest()
    assert StatusState({}).root == sl.EMPTY_ROOT == hashlib.sha256(b"").digest()


def test_absent_list_and_bits_past_the_length_are_not_revoked():
    state = StatusState({KEYS[0]: StatusList.from_positions(10, [9])})
    assert state.is_revoked(KEYS[0], 9)
    assert not state.is_revoked(KEYS[0], 10) and not state.is_revoked(KEYS[0], 2**20 - 1)
    assert not state.is_revoked(KEYS[1], 9)


@pytest.mark.parametrize("length, bits", [(0, b""), (2**20 + 1, bytes(2**17 + 1)), (9, b"\x00"),
                                          (9, b"\x00\x00\x00"), (9, b"\x00\x02")])
def test_a_list_has_one_form(length, bits):
    with pytest.raises(StatusListError):
        StatusList(length, bits)


def test_a_full_shard_is_the_largest_list():
    full = StatusList.from_positions(2**20, [0, 2**20 - 1])
    assert len(full.bits) == sl.MAX_LIST_BYTES == 131_072
    state = StatusState({KEYS[0]: full})
    assert sl.parse_snapshot(sl.build_snapshot(state), expected_root=state.root).is_revoked(
        KEYS[0], 2**20 - 1)


def test_a_state_beyond_its_byte_bound_is_refused(monkeypatch):
    lists = {KEYS[0]: StatusList(2**20, bytes(2**17)), KEYS[1]: StatusList(2**20, bytes(2**17))}
    state = StatusState(lists)
    snapshot = sl.build_snapshot(state)
    assert sl.parse_snapshot(snapshot, expected_root=state.root).lists == state.lists
    monkeypatch.setattr(sl, "MAX_STATE_BYTES", 2 * 2**17 - 1)
    with pytest.raises(StatusListError, match="bytes of lists"):
        StatusState(lists)
    with pytest.raises(StatusListError, match="bytes of lists"):
        sl.parse_snapshot(snapshot, expected_root=state.root)


def test_inflate_stops_at_its_limit():
    bomb = zlib.compress(bytes(10_000_000), 9)
    with pytest.raises(StatusListError, match="inflates past"):
        sl.inflate(bomb, 1_000_000)
    assert sl.inflate(zlib.compress(b"abc"), 3) == b"abc"
    for bad in (zlib.compress(b"abc")[:-1], zlib.compress(b"abc") + b"\x00", b"", b"abc"):
        with pytest.raises(StatusListError):
            sl.inflate(bad, 100)


def test_a_delta_does_not_touch_the_state_it_is_applied_to():
    old = StatusState({KEYS[0]: StatusList.from_positions(100, [1, 2])})
    new = StatusState({KEYS[0]: StatusList.from_positions(120, [2, 110])})
    before = dict(old.lists)
    sl.apply_delta(old, sl.build_delta(old, new), expected_root=new.root)
    assert old.lists == before and old.root == StatusState(before).root


def test_one_day_of_a_large_insurer():
    """2^20 indexes, 0.3 % revoked, a day's churn (≈ 0.014 % of the members): the delta is a
    few hundred bytes against a snapshot of kilobytes."""
    rng = random.Random(7)
    revoked = set(rng.sample(range(2**20), 3146))
    old = StatusState({KEYS[0]: StatusList.from_positions(2**20, revoked)})
    changed = set(rng.sample(sorted(revoked), 150)) | set(rng.sample(range(2**20), 150))
    new = StatusState({KEYS[0]: StatusList.from_positions(2**20, revoked ^ changed)})
    delta, snapshot = sl.build_delta(old, new), sl.build_snapshot(new)
    assert len(delta) < len(snapshot) / 5
    assert sl.apply_delta(old, delta, expected_root=new.root).root == new.root


# -- tokens ------------------------------------------------------------------------------------

def test_version_follows_the_claims(make_claims, signing_key):
    v1 = issue(make_claims(), signing_key)
    v2 = issue(make_claims(revocation_id=None, status_index=5), signing_key)
    assert v1.startswith("8801") and v2.startswith("8802")
    assert digits.decode_versioned(v2)[0] == 2 and digits.decode_versioned(v1)[0] == 1
    assert len(v2) - len(v1) < 3, "a small index costs no more than the 10-byte rid claim"


@pytest.mark.parametrize("fields", [
    dict(revocation_id=None),                                       # neither
    dict(status_index=5),                                           # both (rid from make_claims)
    dict(revocation_id=None, status_index=2**32),
    dict(revocation_id=None, status_index=-1),
    dict(revocation_id=None, status_index=True),
    dict(revocation_id=None, status_index=1, extensions={15: b"\x00" * 8}),
])
def test_claims_carry_exactly_one_revocation_handle(make_claims, fields):
    with pytest.raises(ClaimsError):
        make_claims(**fields)


def test_v1_keeps_claim_18_as_an_unknown_claim(make_claims):
    claims = make_claims(extensions={18: 7})
    assert claims.version == 1 and Claims.from_map(claims.to_map()).extensions == {18: 7}
    with pytest.raises(ClaimsError):
        Claims.from_map(claims.to_map(), 2)     # v2 forbids 15


@pytest.fixture(scope="module")
def anchor_jwk(anchor_key):
    return public_jwk(anchor_key.public_key())


def test_status_root_round_trips_through_the_signed_list(trust_list, anchor_key, anchor_jwk):
    base = trust_list()
    status = StatusRoot(seq=7, root=bytes(range(32)), url="status/")
    signed = sign_trust_list(TrustList(**{**base.__dict__, "status": status}), anchor_key,
                             b"\x01\x02\x03\x04")
    assert TrustList.from_signed(signed, anchor_jwk).status == status
    assert TrustList.from_signed(sign_trust_list(base, anchor_key, b"\x01\x02\x03\x04"),
                                 anchor_jwk).status is None
    assert "status" not in base.to_json()


def test_verify_v2_against_the_status_state(make_claims, signing_key, trust_list, now, insurer):
    index = 2**20 + 3                                  # shard 1, bit 3
    token = issue(make_claims(revocation_id=None, status_index=index), signing_key)
    key = ListKey(1, int(insurer), 1)
    revoked = StatusState({key: StatusList.from_positions(10, [3])})
    clear = StatusState({key: StatusList.from_positions(10, [4])})

    def with_root(state):
        base = trust_list()
        return TrustList(**{**base.__dict__, "status": StatusRoot(1, state.root, "s/")})
    assert verify(token, with_root(revoked), now=now, status=revoked).status is Status.REVOKED
    assert verify(token, with_root(clear), now=now, status=clear).status is Status.VALID
    assert verify(token, with_root(revoked), now=now, status=clear).status is Status.STATUS_UNAVAILABLE
    assert verify(token, with_root(revoked), now=now).status is Status.STATUS_UNAVAILABLE
    assert verify(token, trust_list(), now=now, status=revoked).status is Status.STATUS_UNAVAILABLE
    # A card's list is its expiry block, whatever the insurer.
    card = make_claims(revocation_id=None, status_index=3, kind=DocumentKind.CARD)
    block = ListKey(2, card.expires_at // sl.CARD_BLOCK_SECONDS, 0)
    state = StatusState({block: StatusList.from_positions(4, [3])})
    assert verify(issue(card, signing_key), with_root(state), now=now,
                  status=state).status is Status.REVOKED


def test_relabelling_never_changes_the_verdict_to_valid(make_claims, signing_key, trust_list, now):
    """The header is outside the signature; the claims of the two versions are disjoint."""
    for claims in (make_claims(), make_claims(revocation_id=None, status_index=1),
                   make_claims(extensions={18: 1})):
        token = issue(claims, signing_key)
        other = ("8802" if token.startswith("8801") else "8801") + token[4:]
        assert verify(token, trust_list(), now=now, status=None).status in (
            Status.VALID, Status.STATUS_UNAVAILABLE)
        assert verify(other, trust_list(), now=now).status is Status.MALFORMED


def test_claims_of_reads_both_versions(make_claims, signing_key):
    from server.token_core.errors import TokenError
    from server.token_core.issue import claims_of
    for claims in (make_claims(), make_claims(revocation_id=None, status_index=2**32 - 1)):
        token = issue(claims, signing_key)
        assert claims_of(token) == claims
        with pytest.raises(TokenError):
            claims_of(("8801" if claims.version == 2 else "8802") + token[4:])
