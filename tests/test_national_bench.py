"""bench.national at a tiny scale: the invariants its figures rely on."""
from __future__ import annotations

import hashlib

import numpy as np
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from bench import national as nat

DAYS = 45
#: The oldest list a clinic may still decide with: exp 2 days + grace 14 days after its iat
#: (docs/token-format.md, "The trust list"), + 1 day for the skew at day granularity.
OLDEST_LIST_DAYS = 2 + 14 + 1


@pytest.fixture(scope="module")
def history():
    sim = nat.Simulation(20_000, 12, 0.2, 0.3, seed=3, record=True)   # churn 20 %: more events
    snaps = {0: sim.snapshot()}
    for _ in range(DAYS):
        sim.step()
        snaps[sim.day] = sim.snapshot()
    return sim, snaps


def test_population_is_skewed_and_complete():
    sizes = nat.insurer_sizes(100_000, 50, np.random.default_rng(0))
    assert sizes.sum() == 100_000 and sizes.min() >= 50 and sizes[0] == 35_000


def test_varint_round_trip():
    for n in (0, 1, 127, 128, 300, 2**20, 2**32 + 5):
        assert nat.read_varint(nat.varint(n), 0) == (n, len(nat.varint(n)))


def test_deltas_rebuild_every_day_and_match_the_signed_digests(history):
    _, snaps = history
    key = nat.anchor_key()
    clinic = snaps[0]
    for day in range(1, DAYS + 1):
        clinic = nat.apply_delta(clinic, nat.delta(snaps[day - 1], snaps[day]))
        assert clinic == snaps[day]
        root = nat.signed_root(snaps[day], day, key)
        body = root[:len(b"shikaku-status-root") + 4 + 32]
        key.public_key().verify(root[len(body):], body, ec.ECDSA(hashes.SHA256()))
        # the clinic recomputes the directory from what it holds: same root as signed
        assert body[-32:] == hashlib.sha256(nat.directory(clinic)).digest()
    # a catch-up over several days equals the daily deltas applied one by one
    assert nat.apply_delta(snaps[10], nat.delta(snaps[10], snaps[DAYS])) == snaps[DAYS]


def _bit(snap, sim, slot):
    key, index = sim.phone_key(slot)
    return nat.is_set(snap, key, index) if index < snap[key][0] else False


def test_every_revoked_phone_index_is_set_while_its_tokens_are_valid(history):
    sim, snaps = history
    losses = [(t, j) for t, kind, *rest in sim.events if kind == "loss" for j in rest]
    assert len(losses) > 200
    for t, j in losses:
        for day in range(t, min(t + nat.PHONE_DAYS + nat.SKEW_DAYS - 1, DAYS) + 1):
            assert _bit(snaps[day], sim, j), (t, j, day)


def test_no_valid_token_is_refused_even_by_a_stale_list(history):
    """A new holder of a reused index: every list a clinic may still decide with (up to
    exp + grace old) has the bit cleared; and no active index has its bit set today."""
    sim, snaps = history
    enrols = [(t, j) for t, kind, *rest in sim.events if kind == "enrol" for j in rest]
    reused = 0
    lost_slots = {j for t, kind, *rest in sim.events if kind == "loss" for j in rest}
    for t, j in enrols:
        reused += j in lost_slots
        for day in range(max(0, t - OLDEST_LIST_DAYS), t + 1):
            key, index = sim.phone_key(j)
            if key in snaps[day] and index < snaps[day][key][0]:
                assert not nat.is_set(snaps[day], key, index), (t, j, day)
    assert reused > 0, "the test should see reused indexes"
    active = np.flatnonzero(sim.state == nat.ACTIVE)
    assert not any(_bit(snaps[DAYS], sim, int(j)) for j in active)
    for b, arr in sim.cards.items():   # live cards: only revoked ones are set
        n, packed = snaps[DAYS][nat.CARD_KEY + b]
        assert (np.unpackbits(np.frombuffer(packed, np.uint8), bitorder="little")[:n] == arr).all()


def test_revoked_cards_stay_set_until_their_list_is_dropped(history):
    sim, snaps = history
    cards = [(t, b, i) for t, kind, *rest in sim.events if kind == "card" for b, i in [rest]]
    assert cards
    for t, b, i in cards:
        for day in range(t, DAYS + 1):
            key = nat.CARD_KEY + b
            if key not in snaps[day]:
                assert day > b * nat.BLOCK    # dropped only once its block has begun to expire
                break
            assert nat.is_set(snaps[day], key, i)


def test_pruned_list_keeps_an_entry_while_a_token_it_revokes_is_valid():
    rng = np.random.default_rng(5)
    entries, tokens = {}, []
    for n in range(300):
        loss = int(rng.integers(0, 400))
        rid = n.to_bytes(8, "big")
        if n % 3:
            issued = loss - int(rng.integers(0, nat.PHONE_DAYS + 1))   # phone token issued ≤ loss
            last_valid = issued + nat.PHONE_DAYS                        # expires_at + skew, as a day
            entries[rid] = (loss, nat.b_keep_until(loss))
        else:
            block = int(rng.integers(loss // nat.BLOCK, loss // nat.BLOCK + 60))
            last_valid = (block + 1) * nat.BLOCK                        # card expires within its block
            entries[rid] = (loss, nat.b_keep_until(loss, block))
        tokens.append((rid, loss, last_valid))
    for today in range(0, 2400, 7):
        kept = nat.b_prune(entries, today)
        for rid, loss, last_valid in tokens:
            if loss <= today <= last_valid:
                assert rid in kept, (rid, loss, last_valid, today)
    assert len(nat.b_prune(entries, 2400)) == 0
