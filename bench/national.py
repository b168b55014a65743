"""Issue 11: the revocation data at national scale — a simulation, not a format change.

    .venv/bin/python -m bench.national [--members 70000000] [--insurers 3000] [--churn 0.05]
        [--card-share 0.3] [--days 30] [--seed 1]

A synthetic steady-state population (members over insurers by a skewed size distribution:
one 協会けんぽ-sized insurer with 35 % of the members, the rest Pareto-distributed, at least
50 members each) is simulated day by day: losses of eligibility (churn / 365 of the members a
day, Poisson), as many new enrolments (by insurer size), 資格確認書 cards (a --card-share of
members, valid 5 years, renewed at expiry). No database, no per-member Python objects: numpy
arrays of index states. Compared designs (docs/token-format.md, "Scaling the revocation data"):

  A  today's list: one (8-byte rid, before) JSON entry per revoked rid, never pruned (extrapolated)
  B  today's list pruned: an entry kept while a token it revokes can still be valid
  C  status lists (draft-ietf-oauth-status-list style): 1 bit per phone index (one list per
     insurer, shards of 2^20) and per card (one national list per 30-day expiry block, cards
     in issuance order, dropped whole when its cards have expired); zlib 9; a directory of
     (list, length, SHA-256) signed ES256; a daily update re-downloads changed lists + directory
  D  C plus daily deltas: flipped indexes per list (varint gaps, zlib 9) and the new signed root
     over the directory, which the clinic recomputes from the lists it holds

Prints one table; nothing is asserted (tests/test_national_bench.py checks the invariants).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import statistics
import sys
import time
import zlib
from collections import deque

import numpy as np

DAY = 86400
PHONE_DAYS = 7              # phone token validity
SKEW_DAYS = 1               # 300 s skew, rounded up to the day granularity of the simulation
REVOKED_DAYS = PHONE_DAYS + SKEW_DAYS          # a phone bit stays set this long after the loss
LIST_AGE_DAYS = 2 + 14 + 1  # a clinic may decide with a list exp (2 d) + grace (14 d) old, + skew
CARD_DAYS = 1800            # 5 years of 360 days (60 blocks of 30 days)
BLOCK = 30                  # card lists: one per 30-day expiry block
SHARD_BITS = 1 << 20        # a phone list is cut into shards of 2^20 indexes
FREE, ACTIVE, REVOKED, COOLING = 0, 1, 2, 3
CARD_KEY = 1 << 24          # list keys: phone = insurer * 64 + shard; card = CARD_KEY + block
A_YEARS = (1, 5)


# -- population ------------------------------------------------------------------------------
def insurer_sizes(members: int, insurers: int, rng) -> np.ndarray:
    """One insurer with 35 % (協会けんぽ), the rest Pareto (α 1.1), min 50 each."""
    if insurers == 1:
        return np.array([members], dtype=np.int64)
    big = int(members * 0.35)
    w = rng.pareto(1.1, insurers - 1) + 1
    rest = members - big - 50 * (insurers - 1)
    sizes = 50 + np.floor(w / w.sum() * rest).astype(np.int64)
    sizes[0] += members - big - sizes.sum()
    return np.concatenate([[big], sizes]).astype(np.int64)


class Simulation:
    """State of every phone index and every card, day by day.

    Phone indexes: one state array for all insurers (insurer i owns [off[i], off[i] + cap[i])),
    states FREE / ACTIVE / REVOKED (bit set) / COOLING (bit cleared, not yet reusable). A loss
    sets the bit for REVOKED_DAYS (every phone token of the member has expired by then), then
    the index cools LIST_AGE_DAYS more before reuse, so that no list a clinic may still decide
    with has the bit of the new holder set. Cards: one bool array per expiry block (True =
    revoked), appended in issuance order, never reused."""

    def __init__(self, members, insurers, churn, card_share, seed, *, record=False):
        self.rng = np.random.default_rng(seed)
        self.churn, self.card_share, self.record = churn, card_share, record
        self.sizes = insurer_sizes(members, insurers, self.rng)
        self.weights = self.sizes / self.sizes.sum()
        head = np.ceil(self.sizes * 0.02).astype(np.int64) + 32        # room for reuse lag
        self.cap = self.sizes + head
        self.off = np.concatenate([[0], np.cumsum(self.cap)[:-1]])
        self.state = np.zeros(int(self.cap.sum()), dtype=np.uint8)
        for i in range(len(self.sizes)):
            self.state[self.off[i]:self.off[i] + self.sizes[i]] = ACTIVE
        self.used = self.sizes.copy()          # published list length per insurer
        self.slot_insurer = np.repeat(np.arange(len(self.sizes)), self.cap)
        self.lost = deque()                    # per day: the indexes lost that day
        self.day = 0
        self.losses_per_day = members * churn / 365
        # cards: steady state at day 0 (blocks 0..59 full, the one being issued, 60, empty)
        cards_active = members * card_share
        ages = (CARD_DAYS // BLOCK - np.arange(CARD_DAYS // BLOCK)) * BLOCK
        revoked_share = 1 - np.exp(-churn * ages / 365)
        per_block = int(cards_active / (1 - revoked_share).sum())
        self.cards = {b: self.rng.random(per_block) < revoked_share[b]
                      for b in range(CARD_DAYS // BLOCK)}
        self.cards[CARD_DAYS // BLOCK] = np.zeros(0, dtype=bool)
        self.events = []                       # (day, kind, key, index) when record=True

    # one simulated day
    def step(self):
        t, rng = self.day + 1, self.rng
        self.day = t
        # 1. phone indexes: bits lost REVOKED_DAYS ago are cleared, cooled ones become free
        if len(self.lost) >= REVOKED_DAYS:
            idx = self.lost[-REVOKED_DAYS]
            self.state[idx] = COOLING
        if len(self.lost) >= REVOKED_DAYS + LIST_AGE_DAYS:
            idx = self.lost.popleft()
            self.state[idx] = FREE
        # 2. losses of eligibility
        n = rng.poisson(self.losses_per_day)
        cand = np.unique(rng.integers(0, len(self.state), int(n * 1.3) + 16))
        cand = cand[self.state[cand] == ACTIVE]
        lost = rng.permutation(cand)[:n]
        self.state[lost] = REVOKED
        self.lost.append(lost)
        if self.record:
            self.events += [(t, "loss", int(i)) for i in lost]
        # 3. card losses: the card holders among them revoke one live card each
        self._card_losses(rng.binomial(len(lost), self.card_share), t)
        # 4. new enrolments, by insurer size, into free indexes (lowest first)
        counts = rng.multinomial(len(lost), self.weights)
        for i in np.flatnonzero(counts):
            lo, hi = int(self.off[i]), int(self.off[i] + self.cap[i])
            free = np.flatnonzero(self.state[lo:hi] == FREE)[:counts[i]] + lo
            if len(free) < counts[i]:
                raise RuntimeError("insurer out of headroom; raise head in Simulation")
            self.state[free] = ACTIVE
            self.used[i] = max(self.used[i], int(free.max()) - lo + 1)
            if self.record:
                self.events += [(t, "enrol", int(j)) for j in free]
        # 5. cards: the block that expired is dropped; renewals and new members' cards appended
        block = t // BLOCK
        for b in [b for b in self.cards if b < block]:
            del self.cards[b]
        new_block = (t + CARD_DAYS) // BLOCK
        expiring = self.cards.get(block)
        renewals = 0 if expiring is None else round(int((~expiring).sum()) / BLOCK)
        issued = renewals + rng.binomial(int(counts.sum()), self.card_share)
        old = self.cards.get(new_block, np.zeros(0, dtype=bool))
        self.cards[new_block] = np.concatenate([old, np.zeros(issued, dtype=bool)])

    def _card_losses(self, n, t):
        blocks = [b for b in self.cards if b >= t // BLOCK and len(self.cards[b])]
        live = np.array([(~self.cards[b]).sum() for b in blocks], dtype=np.int64)
        if n == 0 or live.sum() == 0:
            return
        for b, k in zip(blocks, self.rng.multinomial(n, live / live.sum())):
            if not k:
                continue
            arr = self.cards[b]
            cand = np.flatnonzero(~arr)
            pick = self.rng.choice(cand, size=min(k, len(cand)), replace=False)
            arr[pick] = True
            if self.record:
                self.events += [(t, "card", b, int(i)) for i in pick]

    # the published lists
    def snapshot(self) -> dict:
        """list key -> (length in bits, packed bitstring: bit i is byte i >> 3, bit i & 7)."""
        lists = {}
        bits = self.state == REVOKED
        for i in range(len(self.sizes)):
            lo, used = int(self.off[i]), int(self.used[i])
            for s in range(0, used, SHARD_BITS):
                n = min(SHARD_BITS, used - s)
                lists[i * 64 + s // SHARD_BITS] = (
                    n, np.packbits(bits[lo + s:lo + s + n], bitorder="little").tobytes())
        for b, arr in self.cards.items():
            lists[CARD_KEY + b] = (len(arr), np.packbits(arr, bitorder="little").tobytes())
        return lists

    def phone_key(self, slot: int) -> tuple[int, int]:
        i = int(self.slot_insurer[slot])
        local = slot - int(self.off[i])
        return i * 64 + local // SHARD_BITS, local % SHARD_BITS


# -- status lists: directory, deltas ---------------------------------------------------------
def list_digest(nbits: int, packed: bytes) -> bytes:
    return hashlib.sha256(nbits.to_bytes(4, "big") + packed).digest()


def directory(lists: dict) -> bytes:
    """Sorted entries of list key (4 bytes), length in bits (4), SHA-256 (32)."""
    return b"".join(k.to_bytes(4, "big") + n.to_bytes(4, "big") + list_digest(n, p)
                    for k, (n, p) in sorted(lists.items()))


def signed_root(lists: dict, seq: int, private_key) -> bytes:
    """What a daily update carries besides the delta: seq, SHA-256 of the directory, ES256."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    body = b"shikaku-status-root" + seq.to_bytes(4, "big") + hashlib.sha256(directory(lists)).digest()
    return body + private_key.sign(body, ec.ECDSA(hashes.SHA256()))


def varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b, n = n & 0x7F, n >> 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def read_varint(data: bytes, pos: int) -> tuple[int, int]:
    n = shift = 0
    while True:
        b = data[pos]
        pos += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return n, pos


def delta(old: dict, new: dict) -> bytes:
    """Per changed list: key, new length (0 = dropped), count, flipped indexes as gaps; zlib 9."""
    out = bytearray()
    for k in sorted(old.keys() | new.keys()):
        n_old, p_old = old.get(k, (0, b""))
        n_new, p_new = new.get(k, (0, b""))
        if (n_old, p_old) == (n_new, p_new):
            continue
        if n_new == 0:
            flips = np.zeros(0, dtype=np.int64)
        else:
            a = np.frombuffer(p_old[:len(p_new)].ljust(len(p_new), b"\0"), dtype=np.uint8)
            x = np.bitwise_xor(a, np.frombuffer(p_new, dtype=np.uint8))
            flips = np.flatnonzero(np.unpackbits(x, bitorder="little")[:n_new])
        out += varint(k) + varint(n_new) + varint(len(flips))
        prev = -1
        for i in flips.tolist():
            out += varint(i - prev - 1)
            prev = i
    return zlib.compress(bytes(out), 9)


def apply_delta(lists: dict, blob: bytes) -> dict:
    data, pos, out = zlib.decompress(blob), 0, dict(lists)
    while pos < len(data):
        k, pos = read_varint(data, pos)
        n, pos = read_varint(data, pos)
        count, pos = read_varint(data, pos)
        if n == 0:
            out.pop(k, None)
            continue
        _, packed = out.get(k, (0, b""))
        arr = bytearray(packed[:(n + 7) // 8].ljust((n + 7) // 8, b"\0"))
        prev = -1
        for _ in range(count):
            gap, pos = read_varint(data, pos)
            prev += gap + 1
            arr[prev >> 3] ^= 1 << (prev & 7)
        out[k] = (n, bytes(arr))
    return out


def is_set(lists: dict, key: int, index: int) -> bool:
    return bool(lists[key][1][index >> 3] >> (index & 7) & 1)


# -- measurements ----------------------------------------------------------------------------
def anchor_key():
    from cryptography.hazmat.primitives.asymmetric import ec
    return ec.derive_private_key(int.from_bytes(hashlib.sha256(b"bench-anchor").digest(), "big")
                                 % (2**255), ec.SECP256R1())


def timed_lookups(fn, items, batch=1000) -> float:
    """Median µs per lookup over batches of `batch` (timing each lookup alone would measure
    the clock)."""
    per = []
    for s in range(0, len(items), batch):
        chunk = items[s:s + batch]
        t0 = time.perf_counter()
        for it in chunk:
            fn(it)
        per.append((time.perf_counter() - t0) / len(chunk) * 1e6)
    return statistics.median(per)


def b_entries(sim: Simulation, rng) -> dict:
    """Design B on the current day as {rid: before}: phone rids of REVOKED indexes, card rids
    of revoked cards in live blocks (random 8-byte ids: HMAC outputs)."""
    n_phone = int((sim.state == REVOKED).sum())
    n_card = int(sum(a.sum() for a in sim.cards.values()))
    rids = rng.integers(0, 2**63, n_phone + n_card, dtype=np.int64).astype(">i8").tobytes()
    before = 1_795_000_000 + sim.day * DAY
    return {rids[j:j + 8]: before for j in range(0, len(rids), 8)}


def b_keep_until(loss_day: int, card_block: int | None = None) -> int:
    """Design B's pruning rule: the last day an entry must be kept. A phone rid: every token
    issued up to the loss expires within PHONE_DAYS (+ skew); a card rid: the card's expiry
    block ends (its last day + skew)."""
    if card_block is None:
        return loss_day + REVOKED_DAYS
    return (card_block + 1) * BLOCK + SKEW_DAYS


def b_prune(entries: dict, today: int) -> dict:
    """entries: rid -> (before, keep_until); keeps those still needed today."""
    return {r: v for r, v in entries.items() if v[1] >= today}


def json_list(entries: dict) -> bytes:
    return json.dumps({"revocations": [{"rid": r.hex(), "before": b} for r, b in entries.items()]},
                      separators=(",", ":")).encode()


def _ones(packed: bytes) -> int:
    return int(np.unpackbits(np.frombuffer(packed, dtype=np.uint8)).sum())


def _h(p: float) -> float:
    return 0.0 if p <= 0 or p >= 1 else -(p * math.log2(p) + (1 - p) * math.log2(1 - p))


def dict_size(d: dict) -> int:
    return sys.getsizeof(d) + sum(sys.getsizeof(k) for k in d) + sys.getsizeof(next(iter(d.values()), 0))


def qr_impact(sim: Simulation) -> dict:
    """Extra CBOR bytes for a status-index claim (key 18, uint index; the list follows from the
    insurer and the index's shard, or for a card from expires_at's block) and the QR version."""
    import segno

    from bench.population import population
    from server.token_core import cose
    from server.token_core.digits import HEADER, digit_count
    from server.token_core.keys import signing_key
    key = signing_key(anchor_key())
    lens = sorted(len(cose.sign(cose.dumps(m.to_map()), key.kid, key.private_key))
                  for m in population(300, 1))
    med = lens[len(lens) // 2]

    def uint_len(v):
        return np.where(v < 24, 1, np.where(v < 256, 2, np.where(v < 65536, 3, 5)))
    local = np.concatenate([np.arange(s) for s in sim.used[:200]] +
                           [np.arange(0, int(sim.used[0]), 97)])
    w = np.concatenate([np.ones(int(s)) * 1.0 for s in sim.used[:200]] +
                       [np.ones(len(range(0, int(sim.used[0]), 97))) * 96])
    ext = 1 + uint_len(local)
    order = np.argsort(ext)
    cum = np.cumsum(w[order])
    phone_extra = int(ext[order][np.searchsorted(cum, cum[-1] / 2)])
    card_extra = int(1 + uint_len(np.array([max(len(a) for a in sim.cards.values()) // 2]))[0])

    def version(n):
        return segno.make_qr(HEADER + "1" * digit_count(n), error="m").version
    return {"median_cose": med, "phone_extra": phone_extra, "card_extra": card_extra,
            "v_now": version(med), "v_phone": version(med + phone_extra),
            "v_card": version(med + card_extra), "v_drop_rid": version(med + phone_extra - 10),
            "max_extra": 6}


def keys_and_names_size(insurers: int) -> tuple[int, int]:
    """Today's trust-list `keys` (one ES256 key per insurer) and `insurers` members as JSON,
    raw and gzip 9: the part of a first download that is not revocation data."""
    from cryptography.hazmat.primitives.asymmetric import ec

    from server.token_core.trust_list import TrustedKey
    keys, names = [], {}
    for i in range(insurers):
        number = f"{6_130_000 + 7 * i:08d}"
        names[number] = f"資格パス健康保険組合{i}（デモ）"
        keys.append(TrustedKey(kid=i.to_bytes(4, "big"),
                               public_key=ec.generate_private_key(ec.SECP256R1()).public_key(),
                               insurers=frozenset([number]), signs_from=1_794_000_000,
                               signs_until=None).to_json())
    raw = json.dumps({"insurers": names, "keys": keys}, ensure_ascii=False,
                     separators=(",", ":")).encode()
    return len(raw), len(zlib.compress(raw, 9))


def run(args) -> dict:
    t_start = time.perf_counter()
    rng = np.random.default_rng(args.seed + 1)
    sim = Simulation(args.members, args.insurers, args.churn, args.card_share, args.seed)
    for _ in range(REVOKED_DAYS + LIST_AGE_DAYS):        # warm up the phone quarantine
        sim.step()
    key = anchor_key()
    snaps, c_daily, d_daily, b_counts = [sim.snapshot()], [], [], []
    week_ago = None
    prev_z = {k: zlib.compress(p, 9) for k, (n, p) in snaps[0].items()}
    for d in range(args.days):
        sim.step()
        new = sim.snapshot()
        blob = delta(snaps[-1], new)
        d_daily.append(len(blob) + len(signed_root(new, d + 1, key)))
        changed = [k for k in new if snaps[-1].get(k) != new[k]]
        z = {k: (prev_z[k] if k not in changed else zlib.compress(new[k][1], 9)) for k in new}
        c_daily.append(sum(len(z[k]) for k in changed) + len(directory(new)) + 100)
        prev_z = z
        b_counts.append(int((sim.state == REVOKED).sum()) + int(sum(a.sum() for a in sim.cards.values())))
        snaps.append(new)
        if len(snaps) > 8:
            snaps.pop(0)
        if d == args.days - 8:
            week_ago = new
    lists = snaps[-1]
    week_delta = len(delta(week_ago, lists)) if week_ago is not None else None
    # C/D build: every bitstring from the state, compressed, hashed, directory signed
    t0 = time.perf_counter()
    lists = sim.snapshot()
    z = {k: zlib.compress(p, 9) for k, (n, p) in lists.items()}
    dir_bytes = directory(lists)
    signed_root(lists, args.days, key)
    c_build = time.perf_counter() - t0
    raw_c = sum(len(p) for n, p in lists.values()) + len(dir_bytes)
    comp_c = sum(len(v) for v in z.values()) + len(zlib.compress(dir_bytes, 9)) + 100
    zp = sum(len(v) for k, v in z.items() if k < CARD_KEY)
    zc = sum(len(v) for k, v in z.items() if k >= CARD_KEY)
    floor = sum(n * _h(_ones(p) / n) / 8 for n, p in lists.values() if n)
    py_c = sum(sys.getsizeof(p) for n, p in lists.values()) + sys.getsizeof(lists) + sys.getsizeof(dir_bytes)
    # lookups: half valid (ACTIVE phone indexes, live unrevoked cards), half revoked
    looks = []
    act = np.flatnonzero(sim.state == ACTIVE)
    rev = np.flatnonzero(sim.state == REVOKED)
    for pool in (act, rev):
        for s in (rng.choice(pool, 25_000) if len(pool) else []):
            looks.append(sim.phone_key(int(s)))
    for want in (False, True):
        blocks = [b for b in sim.cards if (sim.cards[b] == want).any()]
        for b in (rng.choice(blocks, 25_000) if blocks else []):
            cand = np.flatnonzero(sim.cards[b] == want)
            looks.append((CARD_KEY + int(b), int(cand[rng.integers(len(cand))])))
    order = rng.permutation(len(looks))
    looks = [looks[i] for i in order]
    bitmap = {k: p for k, (n, p) in lists.items()}
    c_lookup = timed_lookups(lambda kv: bitmap[kv[0]][kv[1] >> 3] >> (kv[1] & 7) & 1, looks)
    # B: the pruned list today, in today's JSON form
    t0 = time.perf_counter()
    entries = b_entries(sim, rng)
    raw_b = json_list(entries)
    gz_b = zlib.compress(raw_b, 6)
    signed_root({}, 0, key)
    b_build = time.perf_counter() - t0
    n_b = len(entries)
    per_raw, per_gz = len(raw_b) / n_b, len(gz_b) / n_b
    py_b = dict_size(entries)
    present = list(entries)
    rng_py = np.random.default_rng(args.seed + 2)
    absent = [rng_py.bytes(8) for _ in range(50_000)]
    keys = [present[i] for i in rng_py.integers(0, n_b, 50_000)] + absent
    keys = [keys[i] for i in rng_py.permutation(len(keys))]
    b_lookup = timed_lookups(lambda r: entries.get(r, 0) > 0, keys)
    # A: never pruned: an entry per lost eligibility and per revoked card, extrapolated
    per_year = sim.losses_per_day * 365 * (1 + args.card_share)
    out = {
        "args": vars(args), "insurers": len(sim.sizes), "largest": int(sim.sizes[0]),
        "median_insurer": int(np.median(sim.sizes)),
        "losses_per_day": sim.losses_per_day, "lists": len(lists),
        "phone_lists": sum(k < CARD_KEY for k in lists), "card_lists": sum(k >= CARD_KEY for k in lists),
        "phone_bits": int(sum(n for k, (n, p) in lists.items() if k < CARD_KEY)),
        "card_bits": int(sum(n for k, (n, p) in lists.items() if k >= CARD_KEY)),
        "revoked_phone": int((sim.state == REVOKED).sum()),
        "revoked_cards": int(sum(a.sum() for a in sim.cards.values())),
        "A": {y: {"entries": per_year * y, "raw": per_year * y * per_raw, "gz": per_year * y * per_gz,
                  "py": per_year * y * py_b / n_b, "build": b_build * per_year * y / n_b}
              for y in A_YEARS},
        "B": {"entries": n_b, "raw": len(raw_b), "gz": len(gz_b), "build": b_build, "py": py_b,
              "browser": n_b * 8 * 2, "lookup": b_lookup,
              "daily": [c * per_gz for c in b_counts]},
        "C": {"raw": raw_c, "gz": comp_c, "z_phone": zp, "z_card": zc, "floor": floor,
              "z_dir": len(zlib.compress(dir_bytes, 9)), "dir": len(dir_bytes), "build": c_build, "py": py_c,
              "browser": raw_c, "lookup": c_lookup, "daily": c_daily},
        "D": {"daily": d_daily, "week": week_delta},
        "qr": qr_impact(sim), "keys": keys_and_names_size(len(sim.sizes)), "runtime": time.perf_counter() - t_start,
    }
    out["A"]["lookup"] = b_lookup
    return out


# -- output ----------------------------------------------------------------------------------
def kb(n) -> str:
    if n is None:
        return "-"
    if n >= 10e6:
        return f"{n / 1e6:,.0f} MB"
    if n >= 1e6:
        return f"{n / 1e6:,.2f} MB"
    return f"{n / 1e3:,.1f} kB" if n >= 1e3 else f"{n:,.0f} B"


def report(r: dict) -> str:
    a, lines = r["args"], []
    p = lines.append
    p(f"population: {a['members']:,} members, {r['insurers']:,} insurers (largest {r['largest']:,}, "
      f"median {r['median_insurer']:,}), churn {a['churn']:.0%}/year = {r['losses_per_day']:,.0f} "
      f"losses/day, cards {a['card_share']:.0%} (5 y), {a['days']} days simulated after a "
      f"{REVOKED_DAYS + LIST_AGE_DAYS}-day warm-up, seed {a['seed']}")
    p(f"state on the last day: {r['revoked_phone']:,} phone indexes revoked (lost ≤ {REVOKED_DAYS} d ago), "
      f"{r['revoked_cards']:,} unexpired revoked cards; status lists: {r['phone_lists']:,} phone "
      f"({r['phone_bits']:,} bits) + {r['card_lists']} card ({r['card_bits']:,} bits); "
      f"directory {kb(r['C']['dir'])}")
    B, C, D = r["B"], r["C"], r["D"]
    med = statistics.median
    rows = []
    for y in A_YEARS:
        A = r["A"][y]
        rows.append([f"A today's list, {y} y after launch", f"{A['entries']:,.0f}", kb(A["raw"]), kb(A["gz"]),
                     f"= full ({kb(A['gz'])})", "= full", f"{A['build']:.1f} (x)",
                     kb(A["py"]), kb(A["entries"] * 16), f"{r['A']['lookup']:.2f}"])
    rows.append(["B today's list pruned", f"{B['entries']:,}", kb(B["raw"]), kb(B["gz"]),
                 f"= full ({kb(med(B['daily']))})", f"= full ({kb(max(B['daily']))})", f"{B['build']:.1f}",
                 kb(B["py"]), kb(B["browser"]), f"{B['lookup']:.2f}"])
    rows.append(["C status lists, daily = changed lists", "-", kb(C["raw"]), kb(C["gz"]),
                 kb(med(C["daily"])), kb(max(C["daily"])), f"{C['build']:.1f}", kb(C["py"]),
                 kb(C["browser"]), f"{C['lookup']:.2f}"])
    rows.append(["D status lists + daily deltas", "-", kb(C["raw"]), kb(C["gz"]),
                 kb(med(D["daily"])), kb(max(D["daily"])), f"{C['build']:.1f}", kb(C["py"]),
                 kb(C["browser"]), f"{C['lookup']:.2f}"])
    lines.append("")
    lines += table(["design", "entries", "first raw", "first compr.", "daily med", "daily max",
                    "build s", "Python mem", "browser raw", "lookup µs"], rows)
    q = r["qr"]
    p("")
    p(f"C/D first download = phone lists {kb(C['z_phone'])} + card lists {kb(C['z_card'])} + directory "
      f"{kb(C['z_dir'])} (zlib; {kb(C['dir'])} raw) + signed root; entropy floor of the bitstrings "
      f"(Σ n·H(ones/n)) {kb(C['floor'])}. Without shipping the directory (the clinic recomputes it): "
      f"{kb(C['gz'] - C['z_dir'])}.")
    p(f"not revocation data: today's `insurers` + `keys` (one key per insurer) {kb(r['keys'][0])} raw, "
      f"{kb(r['keys'][1])} compressed: first download of D with them {kb(C['gz'] + r['keys'][1])}.")
    p(f"D: a 7-day catch-up delta {kb(D['week'])}; daily = zlib(delta) + signed root (seq, SHA-256 of "
      f"the directory, ES256 = 123 B); the clinic recomputes the directory from its lists.")
    p(f"A: extrapolated from B's measured bytes/entry ({B['raw'] / B['entries']:.1f} raw, "
      f"{B['gz'] / B['entries']:.1f} gzip) and build s/entry (x); A and B have no delta: "
      f"the clinic re-downloads the list (ETag), so daily = full. Browser raw for A/B: 16 B/entry "
      f"(rid + before), a floor for a JS Map.")
    p(f"token: median COSE_Sign1 {q['median_cose']} B -> QR v{q['v_now']}; + status index claim "
      f"(key 18, uint): phone median +{q['phone_extra']} B -> v{q['v_phone']}, card +{q['card_extra']} B "
      f"-> v{q['v_card']} (max +{q['max_extra']} B); replacing the 10-byte rid claim instead: v{q['v_drop_rid']}")
    import resource
    p(f"runtime {r['runtime']:.0f} s, peak RSS "
      f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6:.2f} GB")
    return "\n".join(lines)


def table(headers, rows) -> list[str]:
    widths = [max(len(str(x[i])) for x in [headers, *rows]) for i in range(len(headers))]
    fmt = lambda x: "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                              for i, (c, w) in enumerate(zip(x, widths)))
    return [fmt(headers), "  ".join("-" * w for w in widths), *map(fmt, rows)]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=70_000_000)
    parser.add_argument("--insurers", type=int, default=3000)
    parser.add_argument("--churn", type=float, default=0.05, help="losses per member-year")
    parser.add_argument("--card-share", type=float, default=0.3)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    print(f"machine: {os.cpu_count()} CPUs, numpy {np.__version__}")
    print(report(run(args)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
