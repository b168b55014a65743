"""Write tests/vectors/vectors.json: the verifier's shared test vectors.

    .venv/bin/python tests/vectors/make_vectors.py

Every run makes fresh P-256 keys, so token texts and signatures change from run to run;
names, clocks, statuses, warnings and claims do not. Only public material is written: the
pinned anchor's public JWK, signed trust lists and token texts. No private key leaves this
process.

Each vector states its expected result here, by intent; :func:`build` then runs the Python
core's ``verify()`` on it and refuses to write the file if the two disagree, so the file is
both a specification for the JavaScript twin and a check on the Python core. The schema is
described in README.md next to this file.
"""
from __future__ import annotations

import base64
import json
import struct
import sys
import zlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

# Import this checkout's core, not whichever one the interpreter finds first (an editable
# install may point at another checkout of the repository).
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from server.token_core import cose, digits, keys  # noqa: E402
from server.token_core.claims import (  # noqa: E402
    FORBIDDEN_TEXT_RANGES, Claims, DocumentKind, Relationship, Sex)
from server.token_core import status_lists as sl  # noqa: E402
from server.token_core.errors import StatusListError, TrustListError  # noqa: E402
from server.token_core.issue import issue  # noqa: E402
from server.token_core.keys import SigningKey, b64url  # noqa: E402
from server.token_core.status_lists import ListKey, StatusList, StatusState  # noqa: E402
from server.token_core.trust_list import (  # noqa: E402
    StatusRoot, TrustedKey, TrustList, sign_trust_list)
from server.token_core.verify import DEFAULT_SKEW, Status, VerifyWarning, verify  # noqa: E402

OUT = Path(__file__).with_name("vectors.json")
FORMAT, VERSION = "shikaku-pass-vectors", 1

#: The vectors' reference clock: 2026-11-18T08:53:20Z. Every vector carries its own ``now``.
NOW = 1_795_000_000
DAY = 86_400
SKEW = DEFAULT_SKEW
#: P-256 group order, for the high-S and out-of-range signature vectors.
P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551

KENPO = "06138093"      # 組合管掌健康保険 (8 digits, leading zero)
KOKUHO = "138156"       # 国民健康保険 (6 digits)
KOUKI = "39130000"      # 後期高齢者医療 東京 (no 記号)
UNNAMED = "01130012"    # in a key's scope in the "quirks" list, but not in its insurers table
INSURERS = {KENPO: "シカク健康保険組合", KOKUHO: "しかく区国民健康保険",
            KOUKI: "東京都後期高齢者医療広域連合"}

# Trust-list clock: issued 10 minutes before NOW, refresh due 2 days later, 14 days of grace.
LIST_IAT, LIST_EXP, LIST_GRACE = NOW - 600, NOW + 2 * DAY, 14 * DAY

# Key windows.
CURRENT_FROM = NOW - 180 * DAY
RETIRED_FROM, RETIRED_UNTIL = NOW - 900 * DAY, NOW - 170 * DAY

# Revocation ids (8 bytes each; fixed so that the claims in the file are stable).
RID = {name: bytes.fromhex(h) for name, h in {
    "taro": "7a1c0e5b93d24f60", "hanako": "2b9f4c7d1e08a356", "jiro": "c40d5e6f7a8b9c0d",
    "ume": "5f6e7d8c9bab0c1d", "revoked": "0badc0ffee15dead", "card_revoked": "9e8d7c6b5a493827",
    "dup": "d0d0d0d0d0d0d0d0", "unnamed": "1111222233334444"}.items()}
REVOKED_BEFORE = NOW - 1800
CARD_REVOKED_BEFORE = NOW - 10 * DAY
DUP_BEFORE = (NOW - 600, NOW - 1800)     # two entries for one rid: the later instant wins


# -- claims ---------------------------------------------------------------------------------

def taro(**overrides) -> Claims:
    """本人: an insured person of the 健保組合, on a phone notice valid for 7 days."""
    fields = dict(
        insurer_number=KENPO, symbol="1234", number="5678901", branch="01",
        relationship=Relationship.INSURED, name="資格 太郎", sex=Sex.MALE,
        birth_date=date(1985, 4, 2), acquired_on=date(2019, 4, 1), copay_ratio=30,
        copay_from=date(2019, 4, 1), kind=DocumentKind.NOTICE, issued_at=NOW - 3600,
        expires_at=NOW + 7 * DAY, revocation_id=RID["taro"], limit_category=None)
    fields.update(overrides)
    return Claims(**fields)


def hanako(**overrides) -> Claims:
    """家族: a dependent child (2割 under school age) with a non-BMP kanji and an IVS."""
    return taro(**{**dict(
        branch="02", relationship=Relationship.DEPENDENT, name="𠮷田 葛\U000E0100子",
        sex=Sex.FEMALE, birth_date=date(2021, 6, 15), acquired_on=date(2021, 6, 15),
        copay_ratio=20, copay_from=date(2021, 6, 15), revocation_id=RID["hanako"]), **overrides})


def jiro(**overrides) -> Claims:
    """国保: 6-digit insurer, kanji 記号, 番号 with a leading zero (kept as text), no 枝番,
    born on day 0 (1970-01-01)."""
    return taro(**{**dict(
        insurer_number=KOKUHO, symbol="練馬", number="0012345", branch="", name="国保 次郎",
        birth_date=date(1970, 1, 1), acquired_on=date(2020, 4, 1), copay_from=date(2020, 4, 1),
        revocation_id=RID["jiro"]), **overrides})


def ume(**overrides) -> Claims:
    """後期高齢者: no 記号, no 枝番, born before 1970 (negative day numbers), 1割, on a
    資格確認書 valid for a year."""
    return taro(**{**dict(
        insurer_number=KOUKI, symbol="", number="12345678", branch="", name="後期 ウメ",
        sex=Sex.FEMALE, birth_date=date(1945, 3, 10), acquired_on=date(2020, 3, 10),
        copay_ratio=10, copay_from=date(2022, 10, 1), kind=DocumentKind.CARD,
        issued_at=NOW - 30 * DAY, expires_at=NOW + 365 * DAY, revocation_id=RID["ume"]),
        **overrides})


def taro_card(**overrides) -> Claims:
    """本人 on a 資格確認書 (long-lived card), valid for 3 years."""
    return taro(**{**dict(kind=DocumentKind.CARD, issued_at=NOW - 10 * DAY,
                          expires_at=NOW + 3 * 365 * DAY), **overrides})


# -- COSE and digits by hand ------------------------------------------------------------------

def raw_signature(private_key: ec.EllipticCurvePrivateKey, protected: bytes, payload: bytes) -> bytes:
    """ES256 r||s over the COSE Sig_structure (RFC 9052 §4.4)."""
    to_be_signed = cose.dumps(["Signature1", protected, b"", payload])
    r, s = decode_dss_signature(private_key.sign(to_be_signed, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def header(kid, alg=cose.ES256) -> bytes:
    return cose.dumps({cose.ALG: alg, cose.KID: kid})


def sign1(body: list, *, tag: int | None = cose.COSE_SIGN1_TAG) -> bytes:
    return cose.dumps(body if tag is None else cbor2.CBORTag(tag, body))


def signed_payload(key: SigningKey, payload: bytes) -> bytes:
    """COSE bytes of ``payload`` (any bytes, canonical or not), validly signed by ``key``."""
    return cose.sign(payload, key.kid, key.private_key)


def signed_map(key: SigningKey, claims_map: dict) -> str:
    return digits.encode(signed_payload(key, cose.dumps(claims_map)))


def payload_of(claims: Claims) -> bytes:
    return cose.dumps(claims.to_map())


def to_fullwidth(text: str) -> str:
    return text.translate({ord(str(i)): chr(ord("０") + i) for i in range(10)})


# -- status lists (format version 2) ---------------------------------------------------------

KENPO_N, KOKUHO_N = int(KENPO), int(KOKUHO)
#: The expiry block of taro_card() (3 years) and of a block long past.
CARD_BLOCK = (NOW + 3 * 365 * DAY) // sl.CARD_BLOCK_SECONDS
OLD_BLOCK = CARD_BLOCK - 40
M20 = sl.MAX_LIST_BITS


def state(spec: dict) -> StatusState:
    return StatusState({ListKey(*key): StatusList.from_positions(n, bits)
                        for key, (n, bits) in spec.items()})


#: Deterministic states: "main" is what the "status" trust list signs, "next" a day later
#: (a phone bit cleared for reuse, lists grown, shrunk, added and dropped).
STATES = {
    "main": state({(1, KENPO_N, 0): (1000, [5, 7, 999]), (1, KENPO_N, 1): (M20, [0, M20 - 1]),
                   (1, KOKUHO_N, 0): (13, [12]), (2, CARD_BLOCK, 0): (300, [42]),
                   (2, OLD_BLOCK, 0): (50, [1])}),
    "next": state({(1, KENPO_N, 0): (1200, [7, 999, 1100]), (1, KENPO_N, 1): (M20, [0, M20 - 1]),
                   (1, KOKUHO_N, 0): (9, [3]), (2, CARD_BLOCK, 0): (300, [42, 43]),
                   (2, CARD_BLOCK + 1, 0): (10, [0])}),
    "empty": state({}),
    # zlib is the shorter encoding of a list in runs (encoding 0), Rice of a sparse one (1)
    "dense": state({(1, KENPO_N, 0): (1000, range(600)), (1, KOKUHO_N, 0): (13, [12])}),
}
#: Lookups checked on every accepted state: (kind, group, shard, position).
PROBES = [(1, KENPO_N, 0, p) for p in (0, 5, 7, 999, 1000, 1100, 1199, 1200)] + [
    (1, KENPO_N, 1, 0), (1, KENPO_N, 1, 1), (1, KENPO_N, 1, M20 - 1), (1, KENPO_N, 2, 0),
    (1, KOKUHO_N, 0, 3), (1, KOKUHO_N, 0, 12), (2, CARD_BLOCK, 0, 42), (2, CARD_BLOCK, 0, 43),
    (2, CARD_BLOCK, 0, 300), (2, CARD_BLOCK + 1, 0, 0), (2, OLD_BLOCK, 0, 1), (1, CARD_BLOCK, 0, 42),
    (2, KENPO_N, 0, 5)]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def lookups(st: StatusState) -> list:
    return [[*probe, st.is_revoked(ListKey(*probe[:3]), probe[3])] for probe in PROBES]


def naive_root(entries) -> bytes:
    """The root of entries taken as given (key bytes, bit length, bits): what a verifier that
    skipped a rule would compute, so that only the rule under test can refuse the vector."""
    import hashlib
    return hashlib.sha256(b"".join(key + struct.pack(">I", n) + hashlib.sha256(
        struct.pack(">I", n) + bits).digest() for key, n, bits in entries)).digest()


def raw_snapshot(entries, *, count=None, magic=sl.SNAPSHOT_MAGIC) -> bytes:
    """entries: (key bytes, bit length, payload[, encoding: 0 (zlib) unless given])."""
    out = [magic, struct.pack(">I", len(entries) if count is None else count)]
    for key, n, payload, *encoding in entries:
        out += [key, struct.pack(">I", n), bytes(encoding or [sl.ENCODING_ZLIB]),
                struct.pack(">I", len(payload)), payload]
    return b"".join(out)


def lsb_first(stream: str) -> bytes:
    """A bit stream ('0'/'1', in stream order) packed least significant bit first, zero padded."""
    return bytes(int(stream[i:i + 8][::-1], 2) for i in range(0, len(stream), 8))


def rice(k: int, r: int, remainders: str, quotients: str) -> bytes:
    """A Rice payload from its parts as bit streams (for the vectors that break a rule)."""
    return varint(k) + bytes([r]) + lsb_first(remainders) + lsb_first(quotients)


def encodings(snapshot: bytes) -> list[int]:
    """The encoding byte of each list in a snapshot."""
    out, at = [], 8
    for _ in range(struct.unpack(">I", snapshot[4:8])[0]):
        out.append(snapshot[at + 11])
        at += 16 + struct.unpack(">I", snapshot[at + 12:at + 16])[0]
    return out


def varint(value: int) -> bytes:
    return sl._varint(value)


def raw_delta(base: bytes, entries, *, tail=b"", magic=sl.DELTA_MAGIC) -> bytes:
    """entries: (key bytes, new length, payload bytes: varint count and gaps)."""
    body = magic + base + struct.pack(">I", len(entries)) + b"".join(
        key + struct.pack(">I", n) + payload for key, n, payload in entries) + tail
    return zlib.compress(body, 9)


def flips(*positions) -> bytes:
    out, previous = [varint(len(positions))], -1
    for p in positions:
        out.append(varint(p - previous - 1))
        previous = p
    return b"".join(out)


def status_vectors() -> dict:
    main, nxt, empty = STATES["main"], STATES["next"], STATES["empty"]
    snapshots = {name: {"description": description, "data": b64(sl.build_snapshot(STATES[name])),
                        "root": STATES[name].root.hex(), "expected": "accepted",
                        "directory": STATES[name].directory().hex(),
                        "lookups": lookups(STATES[name])}
                 for name, description in (
                     ("main", "5 lists: phone lists of two insurers (one of them in two shards, "
                              "one a full 2^20 bits, one of 13 bits), two card blocks"),
                     ("next", "main a day later"),
                     ("empty", "no lists (the root is SHA-256 of the empty directory)"),
                     ("dense", "a list of 1,000 bits whose first 600 are set, in zlib "
                               "(encoding 0: shorter than Rice), and one of 13 bits in Rice"))}
    # main's lists are all Rice (its 1,000-bit list with r = 8, its 2^20-bit one with r = 18)
    assert encodings(sl.build_snapshot(main)) == [1] * 5
    assert encodings(sl.build_snapshot(STATES["dense"])) == [1, 0]     # key order: 国保 first
    entries = [(k.to_bytes(), s.length, s.bits) for k, s in main.lists.items()]
    packed = [(k, n, zlib.compress(bits, 9)) for k, n, bits in entries]
    # main's 1,000-bit list [5, 7, 999] (the second in key order: 国保's list comes first)
    ken = next(i for i, e in enumerate(entries) if e[1] == 1000)
    kenpo, first_bits = packed[ken][0], entries[ken][2]

    def replaced(entry):
        """main's lists (in zlib) with the 1,000-bit one replaced by ``entry``."""
        return [entry if i == ken else e for i, e in enumerate(packed)]

    def bad(name, description, data, root):
        snapshots[name] = {"description": description, "data": b64(data), "root": root.hex(),
                           "expected": "rejected"}

    bad("bad_magic", "magic SPS\\x01 (version 1 snapshots are no longer read)",
        raw_snapshot(packed, magic=b"SPS\x01"), main.root)
    bad("bad_magic_3", "magic SPS\\x03", raw_snapshot(packed, magic=b"SPS\x03"), main.root)
    # main's lists in zlib (encoding 0) are as good as in Rice: any encoding is read
    snapshots["main_in_zlib"] = {
        "description": ("main's lists all in zlib (encoding 0), and its 1,000-bit list in Rice "
                        "with r = 7 rather than the shortest r = 8: readers accept any encoding "
                        "and any r, only build_snapshot() chooses (canonical: false)"),
        "data": b64(raw_snapshot(replaced((kenpo, 1000, sl.rice_encode([5, 1, 991], 7), 1)))),
        "root": main.root.hex(), "expected": "accepted", "canonical": False,
        "directory": main.directory().hex(), "lookups": lookups(main)}
    # -- Rice (encoding 1) broken one rule at a time, on main's 1,000-bit list [5, 7, 999]:
    # gaps 5, 1, 991; with r = 8 the remainders 5, 1, 223 and the quotients 0, 0, 3
    def rice_bad(name, description, payload, *, encoding=1, length=1000):
        bad(name, description, raw_snapshot(replaced((kenpo, length, payload, encoding))), main.root)

    canonical = sl.rice_encode([5, 1, 991], 8)
    assert canonical == rice(3, 8, "101000001000000011111011", "110001")
    rice_bad("rice_r_21", "Rice parameter 21 (at most 20)", sl.rice_encode([5, 1, 991], 21))
    rice_bad("rice_k_too_big", "k = 1,001 set bits in a 1,000-bit list (1,001 gaps of 0, r = 0)",
             rice(1001, 0, "", "1" * 1001))
    rice_bad("rice_k_2_32", "k = 2^32 - 1", varint(2**32 - 1) + b"\x00" + b"\xff" * 8)
    card = next(i for i, e in enumerate(entries) if e[1] == 300)        # 300 bits, [42]
    assert sl.rice_encode([42], 3) == rice(1, 3, "010", "000001")
    bad("rice_extra_byte", "a zero byte after the quotients (the 300-bit card list [42], r = 3)",
        raw_snapshot([(packed[card][0], 300, rice(1, 3, "010", "000001") + b"\x00", 1)
                      if i == card else e for i, e in enumerate(packed)]), main.root)
    rice_bad("rice_extra_byte_k_0", "k = 0 and a byte after it (an empty list is 2 bytes)",
             rice(0, 0, "", "") + b"\x00", length=1000)
    rice_bad("rice_padding", "r = 7: 21 bits of remainders, the last byte's bit 7 set",
             rice(3, 7, "101000010000001111101" + "001", "1100000001"))
    rice_bad("rice_truncated", "the remainders cut short (2 of 3 bytes, no quotients)",
             canonical[:4])
    rice_bad("rice_no_quotients", "the quotients missing", canonical[:5])
    rice_bad("rice_too_few_ones", "2 quotients for k = 3 (the second one dropped)",
             rice(3, 8, "101000001000000011111011", "10001"))
    rice_bad("rice_too_many_ones", "4 quotients for k = 3 (a one in the last byte's padding)",
             rice(3, 8, "101000001000000011111011", "1100011"))
    rice_bad("rice_position_past_length", "gaps 5, 1, 992: the last set bit at 1,000 of 1,000",
             sl.rice_encode([5, 1, 992], 8))
    rice_bad("rice_long_zero_run", "k = 1, r = 0, 4,000 zero bits before the one (reads past "
             "the end, refused before it is scanned)", rice(1, 0, "", "0" * 4000 + "1"))
    rice_bad("encoding_2", "main's Rice payload under encoding 2", canonical, encoding=2)
    rice_bad("rice_as_zlib", "main's Rice payload under encoding 0 (zlib)", canonical, encoding=0)
    bad("root_mismatch", "main's lists against next's signed root", sl.build_snapshot(main),
        nxt.root)
    flipped = bytearray(entries[0][2])
    flipped[0] ^= 1
    bad("bit_flipped", "one bit of the first list flipped (the signed root is main's)",
        raw_snapshot([(packed[0][0], packed[0][1], zlib.compress(bytes(flipped), 9)),
                      *packed[1:]]), main.root)
    swapped = [packed[1], packed[0], *packed[2:]]
    bad("unsorted", "the first two lists swapped",
        raw_snapshot(swapped), naive_root([entries[1], entries[0], *entries[2:]]))
    bad("duplicate_key", "the first list twice", raw_snapshot([packed[0], *packed]),
        naive_root([entries[0], *entries]))
    zero_key = ListKey(1, KENPO_N, 3).to_bytes()
    bad("zero_length", "a list of 0 bits",
        raw_snapshot(sorted([*packed, (zero_key, 0, zlib.compress(b"", 9))])),
        naive_root(sorted([*entries, (zero_key, 0, b"")])))
    big = bytes(M20 // 8 + 1)
    bad("length_2_20_plus_1", "a list of 2^20 + 1 bits",
        raw_snapshot(sorted([*packed, (zero_key, M20 + 1, zlib.compress(big, 9))])),
        naive_root(sorted([*entries, (zero_key, M20 + 1, big)])))
    kokuho = [i for i, e in enumerate(entries) if e[1] == 13][0]
    padded = bytearray(entries[kokuho][2])
    padded[1] |= 1 << 5          # bit 13 of a 13-bit list
    with_padding = list(packed)
    with_padding[kokuho] = (packed[kokuho][0], 13, zlib.compress(bytes(padded), 9))
    entries_padding = list(entries)
    entries_padding[kokuho] = (entries[kokuho][0], 13, bytes(padded))
    bad("padding_bit_set", "a 13-bit list whose byte 1 has bit 5 (position 13) set",
        raw_snapshot(with_padding), naive_root(entries_padding))
    bad("inflates_larger", "a 1000-bit list (125 bytes) that inflates to 126",
        raw_snapshot(replaced((kenpo, 1000, zlib.compress(first_bits + b"\x00", 9)))),
        main.root)
    bad("inflates_smaller", "a 1000-bit list that inflates to 124 bytes",
        raw_snapshot(replaced((kenpo, 1000, zlib.compress(first_bits[:124], 9)))),
        main.root)
    bad("zlib_trailing_byte", "a byte after a list's zlib stream (inside its length)",
        raw_snapshot(replaced((kenpo, 1000, packed[ken][2] + b"\x00"))), main.root)
    bad_adler = bytearray(packed[ken][2])
    bad_adler[-1] ^= 1
    bad("zlib_bad_checksum", "a list's Adler-32 changed",
        raw_snapshot(replaced((kenpo, 1000, bytes(bad_adler)))), main.root)
    raw = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw_bits = raw.compress(first_bits) + raw.flush()
    bad("raw_deflate", "a list as raw deflate, without the zlib header and checksum",
        raw_snapshot(replaced((kenpo, 1000, raw_bits))), main.root)
    good = sl.build_snapshot(main)
    bad("trailing_byte", "a byte after the last list", good + b"\x00", main.root)
    bad("truncated", "the last byte missing", good[:-1], main.root)
    bad("count_too_large", "count 6 with 5 lists", raw_snapshot(packed, count=6), main.root)
    bad("kind_3", "a list key of kind 3",
        raw_snapshot([*packed, (struct.pack(">BIH", 3, 1, 0), 1000, packed[ken][2])]),
        naive_root([*entries, (struct.pack(">BIH", 3, 1, 0), 1000, first_bits)]))
    bad("shard_4096", "a list key with shard 4096 (indexes are below 2^32)",
        raw_snapshot([*packed, (struct.pack(">BIH", 2, CARD_BLOCK + 9, 4096), 1000, packed[ken][2])]),
        naive_root([*entries, (struct.pack(">BIH", 2, CARD_BLOCK + 9, 4096), 1000, first_bits)]))
    bad("count_65537", "count 65,537 (more than MAX_LISTS)", raw_snapshot([], count=65_537),
        sl.EMPTY_ROOT)

    deltas = []

    def delta(name, description, base, data, root, expected, result=None):
        vector = {"name": name, "description": description, "base": base, "data": b64(data),
                  "root": root.hex(), "expected": expected}
        if expected == "accepted":
            applied = sl.apply_delta(STATES[base], data, expected_root=root)
            vector["lookups"] = lookups(applied)
            assert applied.root == STATES[result].root
            vector["result"] = result
        deltas.append(vector)

    for name, a, b, what in (("main_to_next", "main", "next", "a bit cleared, a bit set, lists "
                              "grown, shrunk, added and dropped"),
                             ("next_to_main", "next", "main", "the way back"),
                             ("main_to_main", "main", "main", "nothing changed (no entries)"),
                             ("main_to_empty", "main", "empty", "every list dropped"),
                             ("empty_to_main", "empty", "main", "every list added")):
        delta(name, what, a, sl.build_delta(STATES[a], STATES[b]), STATES[b].root, "accepted", b)
    forward = sl.build_delta(main, nxt)
    delta("wrong_base", "main_to_next applied to next (its base root is main's)", "next",
          forward, nxt.root, "rejected")
    delta("root_mismatch", "main_to_next, but the signed root is main's", "main", forward,
          main.root, "rejected")
    kenpo0 = ListKey(1, KENPO_N, 0).to_bytes()
    kokuho0 = ListKey(1, KOKUHO_N, 0).to_bytes()
    old0 = ListKey(2, OLD_BLOCK, 0).to_bytes()
    new0 = ListKey(1, KENPO_N, 2).to_bytes()
    delta("extra_flip", "main_to_next with one more bit flipped in the first list", "main",
          raw_delta(main.root, [(kenpo0, 1200, flips(5, 1100, 1101))]), nxt.root, "rejected")
    delta("flip_past_length", "a bit at the new length", "main",
          raw_delta(main.root, [(kenpo0, 1000, flips(1000))]), main.root, "rejected")
    delta("drop_absent_list", "drops a list main does not have", "main",
          raw_delta(main.root, [(new0, 0, flips())]), main.root, "rejected")
    delta("drop_with_flips", "drops a list and flips a bit in it", "main",
          raw_delta(main.root, [(old0, 0, flips(1))]), main.root, "rejected")
    delta("unsorted", "entries out of key order", "main",
          raw_delta(main.root, [(kokuho0, 13, flips(0)), (kenpo0, 1000, flips(0))]), main.root,
          "rejected")
    delta("duplicate_key", "one list twice", "main",
          raw_delta(main.root, [(kenpo0, 1000, flips(0)), (kenpo0, 1000, flips(0))]), main.root,
          "rejected")
    delta("varint_not_shortest", "a flip count written as 0x81 0x00", "main",
          raw_delta(main.root, [(kenpo0, 1000, b"\x81\x00" + varint(0))]), main.root, "rejected")
    delta("varint_2_32", "a gap of 2^32", "main",
          raw_delta(main.root, [(kenpo0, 1000, varint(1) + varint(2**32))]), main.root, "rejected")
    delta("length_2_20_plus_1", "a new length of 2^20 + 1", "main",
          raw_delta(main.root, [(new0, M20 + 1, flips(0))]), main.root, "rejected")
    delta("more_flips_than_bits", "3 flips in a 2-bit list", "main",
          raw_delta(main.root, [(new0, 2, varint(3) + b"\x00\x00\x00")]), main.root, "rejected")
    delta("trailing_byte", "a byte after the last entry (inside the zlib data)", "main",
          raw_delta(main.root, [], tail=b"\x00"), main.root, "rejected")
    delta("zlib_trailing_byte", "a byte after the zlib stream", "main",
          sl.build_delta(main, main) + b"\x00", main.root, "rejected")
    delta("bad_magic", "magic SPD\\x02", "main",
          raw_delta(main.root, [], magic=b"SPD\x02"), main.root, "rejected")
    delta("not_zlib", "the delta's body without zlib", "main",
          sl.DELTA_MAGIC + main.root + bytes(4), main.root, "rejected")
    delta("inflates_past_limit", "zlib data inflating to 2^24 + 1 bytes (the limit is 2^24)",
          "main", zlib.compress(sl.DELTA_MAGIC + main.root + bytes(4) + bytes(sl.MAX_DELTA_BYTES
                                                                              - 39), 9),
          main.root, "rejected")
    check_status(snapshots, deltas)
    return {"limits": {"max_list_bits": sl.MAX_LIST_BITS, "max_lists": sl.MAX_LISTS,
                       "max_state_bytes": sl.MAX_STATE_BYTES,
                       "max_snapshot_bytes": sl.MAX_SNAPSHOT_BYTES,
                       "max_delta_bytes": sl.MAX_DELTA_BYTES,
                       "card_block_seconds": sl.CARD_BLOCK_SECONDS},
            "empty_root": sl.EMPTY_ROOT.hex(), "snapshots": snapshots, "deltas": deltas}


def check_status(snapshots: dict, deltas: list) -> None:
    """The Python core refuses exactly the rejected snapshots and deltas."""
    for name, vector in snapshots.items():
        try:
            got = sl.parse_snapshot(base64.b64decode(vector["data"]),
                                    expected_root=bytes.fromhex(vector["root"]))
            outcome = "accepted"
            assert lookups(got) == vector["lookups"] and got.directory().hex() == vector["directory"]
        except StatusListError:
            outcome = "rejected"
        if outcome != vector["expected"]:
            raise AssertionError(f"snapshot {name}: {outcome}, expected {vector['expected']}")
    for vector in deltas:
        try:
            sl.apply_delta(STATES[vector["base"]], base64.b64decode(vector["data"]),
                           expected_root=bytes.fromhex(vector["root"]))
            outcome = "accepted"
        except StatusListError:
            outcome = "rejected"
        if outcome != vector["expected"]:
            raise AssertionError(f"delta {vector['name']}: {outcome}, expected {vector['expected']}")


# -- keys and trust lists --------------------------------------------------------------------

def new_key() -> SigningKey:
    return keys.signing_key(keys.generate_private_key())


@dataclass
class Keys:
    anchor: ec.EllipticCurvePrivateKey = field(default_factory=keys.generate_private_key)
    other_anchor: ec.EllipticCurvePrivateKey = field(default_factory=keys.generate_private_key)
    current: SigningKey = field(default_factory=new_key)    # 健保組合 + 後期高齢者, current
    retired: SigningKey = field(default_factory=new_key)    # the same scope, retired
    kokuho: SigningKey = field(default_factory=new_key)     # 国保 only
    shared: SigningKey = field(default_factory=new_key)     # its kid also labels a decoy key
    crowded8: SigningKey = field(default_factory=new_key)   # 8th key under its kid ("quirks")
    crowded9: SigningKey = field(default_factory=new_key)   # 9th key under its kid ("quirks")
    es384: SigningKey = field(default_factory=new_key)      # listed with alg "ES384" ("quirks")
    unlisted: SigningKey = field(default_factory=new_key)   # in no trust list
    forger: SigningKey = field(default_factory=new_key)     # signs under current's kid
    decoys: list = field(default_factory=lambda: [keys.generate_private_key() for _ in range(8)])

    @property
    def anchor_kid(self) -> bytes:
        return keys.key_id_for(self.anchor.public_key())


def trusted(key, *, insurers, signs_from=CURRENT_FROM, signs_until=None, kid=None) -> TrustedKey:
    private = key.private_key if isinstance(key, SigningKey) else key
    return TrustedKey(kid=key.kid if kid is None else kid, public_key=private.public_key(),
                      insurers=frozenset(insurers), signs_from=signs_from, signs_until=signs_until)


def main_list(k: Keys) -> TrustList:
    return TrustList(
        issued_at=LIST_IAT, expires_at=LIST_EXP, grace=LIST_GRACE, insurers=dict(INSURERS),
        keys=(
            trusted(k.current, insurers=[KENPO, KOUKI]),
            trusted(k.retired, insurers=[KENPO, KOUKI], signs_from=RETIRED_FROM,
                    signs_until=RETIRED_UNTIL),
            trusted(k.kokuho, insurers=[KOKUHO], signs_from=NOW - 400 * DAY),
            # A decoy first under shared's kid: a verifier must try every key with the kid.
            trusted(k.decoys[0], insurers=[KENPO], kid=k.shared.kid),
            trusted(k.shared, insurers=[KENPO]),
        ),
        revocations={RID["revoked"]: REVOKED_BEFORE, RID["card_revoked"]: CARD_REVOKED_BEFORE})


def status_list(k: Keys, root: bytes, seq: int) -> TrustList:
    """The main list with a status root (version-2 tokens are checked against it)."""
    main = main_list(k)
    return TrustList(issued_at=main.issued_at, expires_at=main.expires_at, grace=main.grace,
                     insurers=main.insurers, keys=main.keys, revocations=main.revocations,
                     status=StatusRoot(seq=seq, root=root, url="status/"))


def quirks_doc(k: Keys) -> dict:
    """A trust list the server would not write, but that verifiers must read the same way."""
    def entry(key, **kw):
        return trusted(key, **kw).to_json()
    doc = main_list(k).to_json()
    doc["x-comment"] = "unknown members are ignored"
    doc["keys"] = [
        {**entry(k.current, insurers=[KENPO, KOUKI, UNNAMED]), "x-note": "ignored"},
        *[entry(d, insurers=[KENPO], kid=k.crowded8.kid) for d in k.decoys[:7]],
        entry(k.crowded8, insurers=[KENPO]),
        *[entry(d, insurers=[KENPO], kid=k.crowded9.kid) for d in k.decoys[:8]],
        entry(k.crowded9, insurers=[KENPO]),
        {**entry(k.es384, insurers=[KENPO]), "alg": "ES384"},
    ]
    doc["revocations"] = [{"rid": RID["dup"].hex(), "before": DUP_BEFORE[0]},
                          {"rid": RID["dup"].hex(), "before": DUP_BEFORE[1]}]
    return doc


class _Doc:
    """Lets sign_trust_list() sign any payload document, including ones TrustList cannot hold."""
    def __init__(self, doc):
        self.doc = doc

    def to_json(self):
        return self.doc


def sign_doc(doc, anchor, anchor_kid) -> str:
    return sign_trust_list(_Doc(doc), anchor, anchor_kid)


def jws(header_doc: dict, payload: bytes, anchor) -> str:
    """A flattened JWS with an arbitrary header, validly signed."""
    return json.dumps(jws_parts(json.dumps(header_doc, separators=(",", ":")).encode(), payload,
                                anchor))


def jws_parts(header_bytes: bytes, payload: bytes, anchor) -> dict:
    """The three members of a flattened JWS over any header and payload bytes, validly signed."""
    protected, encoded = b64url(header_bytes), b64url(payload)
    r, s = decode_dss_signature(anchor.sign(f"{protected}.{encoded}".encode(),
                                            ec.ECDSA(hashes.SHA256())))
    return {"protected": protected, "payload": encoded,
            "signature": b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))}


def compact_json(doc) -> str:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def nested_arrays(levels: int):
    return [] if levels == 1 else [nested_arrays(levels - 1)]


def trust_lists(k: Keys) -> tuple[dict, list]:
    """The signed trust lists, and the trust-list vectors (accepted or rejected)."""
    kid = k.anchor_kid
    main_doc = main_list(k).to_json()
    lists = {
        "main": sign_trust_list(main_list(k), k.anchor, kid),
        "quirks": sign_doc(quirks_doc(k), k.anchor, kid),
        # The same content, signed by another key under the pinned anchor's kid.
        "other_anchor": sign_trust_list(main_list(k), k.other_anchor, kid),
        "status": sign_trust_list(status_list(k, STATES["main"].root, 41), k.anchor, kid),
        "status_next": sign_trust_list(status_list(k, STATES["next"].root, 42), k.anchor, kid),
        "status_empty": sign_trust_list(status_list(k, sl.EMPTY_ROOT, 1), k.anchor, kid),
    }
    main_jws = json.loads(lists["main"])
    quirks_jws = json.loads(lists["quirks"])
    good_header = {"alg": "ES256", "kid": kid.hex(), "typ": "shikaku-trust-list+jws"}
    main_bytes = json.dumps(main_doc, ensure_ascii=False).encode()
    lists.update({
        "tampered_payload": json.dumps({**main_jws, "payload": quirks_jws["payload"]}),
        "wrong_typ": jws({**good_header, "typ": "JWT"}, main_bytes, k.anchor),
        "alg_none": json.dumps({"protected": b64url(b'{"alg":"none","typ":"shikaku-trust-list+jws"}'),
                                "payload": main_jws["payload"], "signature": ""}),
        "signature_der": json.dumps({**main_jws, "signature": b64url(k.anchor.sign(
            f"{main_jws['protected']}.{main_jws['payload']}".encode(), ec.ECDSA(hashes.SHA256())))}),
        "version_2": sign_doc({**main_doc, "v": 2}, k.anchor, kid),
        "missing_grace": sign_doc({n: v for n, v in main_doc.items() if n != "grace"}, k.anchor, kid),
        "iat_as_text": sign_doc({**main_doc, "iat": str(LIST_IAT)}, k.anchor, kid),
        "key_off_curve": sign_doc({**main_doc, "keys": [
            {**main_doc["keys"][0], "y": main_doc["keys"][0]["x"]}]}, k.anchor, kid),
        "payload_is_array": jws(good_header, b"[]", k.anchor),
        "not_json": "this is not a trust list",
    })
    lists.update(strict_json_lists(k, main_doc, good_header))
    lists.update(status_member_lists(k, main_doc))
    lists.update(structure_lists(k, main_doc, good_header))
    verdicts = [
        ("main", "accepted", "the normal list: signed by the pinned anchor"),
        ("quirks", "accepted", "unknown members, a key with alg ES384 (skipped), duplicate "
                               "revocation entries, 9 keys under one kid"),
        ("other_anchor", "rejected", "the same content signed by another key (header kid is the anchor's)"),
        ("status", "accepted", "the main list with a status root (the 'main' status state)"),
        ("status_next", "accepted", "the main list with the 'next' status state's root"),
        ("status_empty", "accepted", "the main list with the root of the state without lists"),
        *STATUS_MEMBER_VERDICTS,
        ("tampered_payload", "rejected", "main's signature over the quirks list's payload"),
        ("wrong_typ", "rejected", "validly signed, but the header typ is JWT"),
        ("alg_none", "rejected", "header alg none and an empty signature"),
        ("signature_der", "rejected", "a valid signature in DER instead of raw r||s"),
        ("version_2", "rejected", "validly signed, payload v 2"),
        ("missing_grace", "rejected", "validly signed, payload without grace"),
        ("iat_as_text", "rejected", "validly signed, iat is a string"),
        ("key_off_curve", "rejected", "validly signed, a key whose point is not on P-256"),
        ("payload_is_array", "rejected", "validly signed, payload is a JSON array"),
        ("not_json", "rejected", "not JSON at all"),
        *STRICT_JSON_VERDICTS, *STRUCTURE_VERDICTS,
    ]
    vectors = [{"name": n, "description": d, "trust_list": n, "expected": e} for n, e, d in verdicts]
    return lists, vectors


STATUS_MEMBER_VERDICTS = [
    ("status_quirks", "accepted", "validly signed, a status member with an unknown member and a "
                                  "path-absolute url; seq 0"),
    ("status_root_uppercase", "rejected", "validly signed, status root in uppercase hex"),
    ("status_root_short", "rejected", "validly signed, status root of 31 bytes"),
    ("status_seq_text", "rejected", "validly signed, status seq as text"),
    ("status_seq_negative", "rejected", "validly signed, status seq -1"),
    ("status_without_url", "rejected", "validly signed, status without url"),
    ("status_url_absolute", "rejected", "validly signed, status url https://… (another origin)"),
    ("status_url_network_path", "rejected", "validly signed, status url //host/… (another origin)"),
    ("status_url_empty", "rejected", "validly signed, status url \"\""),
    ("status_url_space", "rejected", "validly signed, status url with a space"),
    ("status_not_object", "rejected", "validly signed, status is an array"),
    ("status_null", "rejected", "validly signed, status null (absent is how a list says none)"),
]


def status_member_lists(k: Keys, main_doc: dict) -> dict:
    kid = k.anchor_kid
    good = {"seq": 41, "root": STATES["main"].root.hex(), "url": "status/"}

    def with_status(value) -> str:
        return sign_doc({**main_doc, "status": value}, k.anchor, kid)
    return {
        "status_quirks": with_status({**good, "seq": 0, "url": "/api/v1/status/",
                                      "x-note": "ignored"}),
        "status_root_uppercase": with_status({**good, "root": good["root"].upper()}),
        "status_root_short": with_status({**good, "root": good["root"][:62]}),
        "status_seq_text": with_status({**good, "seq": "41"}),
        "status_seq_negative": with_status({**good, "seq": -1}),
        "status_without_url": with_status({n: v for n, v in good.items() if n != "url"}),
        "status_url_absolute": with_status({**good, "url": "https://example.invalid/status/"}),
        "status_url_network_path": with_status({**good, "url": "//example.invalid/status/"}),
        "status_url_empty": with_status({**good, "url": ""}),
        "status_url_space": with_status({**good, "url": "status /"}),
        "status_not_object": with_status([good]),
        "status_null": with_status(None),
    }


STRICT_JSON_VERDICTS = [
    ("v_float", "rejected", "validly signed, \"v\": 1.0 (a number with a fraction is not an integer)"),
    ("iat_float", "rejected", "validly signed, iat written with a fraction (.0)"),
    ("iat_exponent", "rejected", "validly signed, iat written with an exponent (…E2)"),
    ("iat_2_53", "rejected", "validly signed, iat = 2^53 (beyond what every JSON parser reads exactly)"),
    ("iat_negative", "rejected", "validly signed, iat = -1 (instants are non-negative)"),
    ("unknown_member_float", "rejected", "validly signed, an unknown member holding 0.5: no "
                                         "non-integer number anywhere"),
    ("unknown_member_nan", "rejected", "validly signed, an unknown member holding NaN (not JSON)"),
    ("unknown_member_depth_16", "accepted", "validly signed, an unknown member nested so that the "
                                            "document is 16 containers deep (the limit)"),
    ("unknown_member_depth_17", "rejected", "validly signed, the document 17 containers deep"),
    ("duplicate_member_payload", "rejected", "validly signed, the payload has \"iat\" twice"),
    ("duplicate_member_escaped", "rejected", "validly signed, \"iat\" and \"\\u0069at\" (the "
                                             "same name once unescaped)"),
    ("duplicate_member_insurers", "rejected", "validly signed, one insurer number twice in the "
                                              "insurers table, with two names"),
    ("duplicate_member_header", "rejected", "validly signed, the JWS header has \"alg\" twice "
                                            "(none, then ES256)"),
    ("duplicate_member_jws", "rejected", "the JWS object has \"payload\" twice (a forged one, "
                                         "then the signed one)"),
    ("payload_bom", "rejected", "validly signed, the payload starts with a UTF-8 BOM"),
    ("payload_utf16", "rejected", "validly signed, the payload in UTF-16 (JSON here is UTF-8)"),
    ("jws_bom", "rejected", "the main list's text with a leading U+FEFF"),
]

STRUCTURE_VERDICTS = [
    ("keys_string", "rejected", "validly signed, \"keys\": \"abc\""),
    ("keys_object", "rejected", "validly signed, \"keys\": {}"),
    ("revocations_object", "rejected", "validly signed, \"revocations\": {}"),
    ("key_entry_string", "rejected", "validly signed, a key entry that is a string"),
    ("key_entry_array", "rejected", "validly signed, a key entry that is an array"),
    ("key_entry_without_alg", "rejected", "validly signed, a key entry without alg"),
    ("key_entry_other_alg", "accepted", "validly signed, an EdDSA/OKP key entry with fields of its "
                                        "own: skipped unread"),
    ("revocation_entry_string", "rejected", "validly signed, a revocation entry that is a string"),
    ("kid_16_bytes", "accepted", "validly signed, a key whose kid is 16 bytes (the longest)"),
    ("kid_17_bytes", "rejected", "validly signed, a key whose kid is 17 bytes"),
    ("kid_uppercase", "rejected", "validly signed, a kid in uppercase hex"),
    ("header_crit", "rejected", "validly signed, the JWS header has crit [\"exp\"]"),
    ("header_kid_other", "accepted", "validly signed by the anchor, header kid 00000000 and an "
                                     "unknown jku member: both ignored"),
    ("header_without_kid", "accepted", "validly signed by the anchor, no kid in the header"),
]


def strict_json_lists(k: Keys, main_doc: dict, good_header: dict) -> dict:
    """Payloads every JSON parser reads, but differently: the spec's strict JSON refuses them."""
    def signed(payload_text: str, header_bytes: bytes | None = None) -> str:
        header_bytes = header_bytes or compact_json(good_header).encode()
        return json.dumps(jws_parts(header_bytes, payload_text.encode(), k.anchor))

    main_text = compact_json(main_doc)
    iat = f'"iat":{LIST_IAT}'
    assert main_text.count(iat) == 1 and main_text.startswith("{")
    first_insurer = compact_json(KENPO) + ":"
    header_text = compact_json(good_header)
    main_jws = json.loads(jws(good_header, main_text.encode(), k.anchor))
    forged = b64url(compact_json({**main_doc, "revocations": []}).encode())
    return {
        "v_float": signed(main_text.replace('"v":1', '"v":1.0')),
        "iat_float": signed(main_text.replace(iat, f'"iat":{LIST_IAT}.0')),
        "iat_exponent": signed(main_text.replace(iat, f'"iat":{LIST_IAT // 100}E2')),
        "iat_2_53": signed(main_text.replace(iat, f'"iat":{2**53}')),
        "iat_negative": signed(main_text.replace(iat, '"iat":-1')),
        "unknown_member_float": signed('{"x-ratio":0.5,' + main_text[1:]),
        "unknown_member_nan": signed('{"x-ratio":NaN,' + main_text[1:]),
        "unknown_member_depth_16": signed('{"x-deep":' + compact_json(nested_arrays(15)) + ","
                                          + main_text[1:]),
        "unknown_member_depth_17": signed('{"x-deep":' + compact_json(nested_arrays(16)) + ","
                                          + main_text[1:]),
        "duplicate_member_payload": signed(main_text.replace(iat, f'{iat},"iat":{LIST_IAT + 1}')),
        "duplicate_member_escaped": signed(main_text.replace(iat, f'{iat},"\\u0069at":{LIST_IAT}')),
        "duplicate_member_insurers": signed(main_text.replace(
            first_insurer, first_insurer + '"偽保険者",' + first_insurer)),
        "duplicate_member_header": signed(main_text, ('{"alg":"none",' + header_text[1:]).encode()),
        "duplicate_member_jws": '{"protected":"%s","payload":"%s","payload":"%s","signature":"%s"}'
                                % (main_jws["protected"], forged, main_jws["payload"],
                                   main_jws["signature"]),
        "payload_bom": json.dumps(jws_parts(header_text.encode(),
                                            "\ufeff".encode() + main_text.encode(), k.anchor)),
        "payload_utf16": json.dumps(jws_parts(header_text.encode(), main_text.encode("utf-16-le"),
                                              k.anchor)),
        "jws_bom": "\ufeff" + json.dumps(main_jws),
    }


def structure_lists(k: Keys, main_doc: dict, good_header: dict) -> dict:
    """Validly signed, strict JSON, but members of the wrong shape, or header members."""
    kid = k.anchor_kid
    entry = main_doc["keys"][0]

    def with_keys(keys_value) -> str:
        return sign_doc({**main_doc, "keys": keys_value}, k.anchor, kid)

    okp = {"kid": "0a0b0c0d", "alg": "EdDSA", "kty": "OKP", "crv": "Ed25519",
           "x": b64url(bytes(32)), "not_before": "2026-01-01"}
    return {
        "keys_string": with_keys("abc"),
        "keys_object": with_keys({}),
        "revocations_object": sign_doc({**main_doc, "revocations": {}}, k.anchor, kid),
        "key_entry_string": with_keys([entry, "abc"]),
        "key_entry_array": with_keys([entry, [entry]]),
        "key_entry_without_alg": with_keys([entry, {n: v for n, v in entry.items() if n != "alg"}]),
        "key_entry_other_alg": with_keys([entry, okp]),
        "revocation_entry_string": sign_doc({**main_doc, "revocations": ["0badc0ffee15dead"]},
                                            k.anchor, kid),
        "kid_16_bytes": with_keys([entry, {**entry, "kid": "ab" * 16}]),
        "kid_17_bytes": with_keys([entry, {**entry, "kid": "ab" * 17}]),
        "kid_uppercase": with_keys([{**entry, "kid": entry["kid"].upper()}]),
        "header_crit": jws({**good_header, "crit": ["exp"], "exp": LIST_EXP},
                           compact_json(main_doc).encode(), k.anchor),
        "header_kid_other": jws({**good_header, "kid": "00000000",
                                 "jku": "https://example.invalid/keys"},
                                compact_json(main_doc).encode(), k.anchor),
        "header_without_kid": jws({n: v for n, v in good_header.items() if n != "kid"},
                                  compact_json(main_doc).encode(), k.anchor),
    }


_DELETE = object()     # bad_map(kN=_DELETE) removes claim N


# -- vectors ----------------------------------------------------------------------------------

# Statuses reached after the claims were read: the result carries the claims.
_WITH_CLAIMS = {Status.VALID, Status.KEY_NOT_FOR_INSURER, Status.REVOKED, Status.NOT_YET_VALID,
                Status.EXPIRED, Status.STATUS_UNAVAILABLE}


@dataclass
class Vectors:
    insurer_names: dict    # trust list name -> insurer table
    items: list = field(default_factory=list)

    def add(self, name, description, token, status: Status, *, claims: Claims | None = None,
            kid: bytes | SigningKey | None = None, now: int = NOW, skew: int | None = None,
            warnings=(), trust_list: str = "main", lists: str | None = None):
        if (claims is not None) != (status in _WITH_CLAIMS):
            raise ValueError(f"{name}: claims go with {sorted(s.value for s in _WITH_CLAIMS)}")
        if isinstance(kid, SigningKey):
            kid = kid.kid
        vector = {"name": name, "description": description, "token": token,
                  "trust_list": trust_list, "now": now}
        if skew is not None:
            vector["skew"] = skew
        if lists is not None:
            vector["status"] = lists
        vector["expected"] = {
            "status": status.value,
            "warnings": sorted(w.value for w in warnings),
            "claims": None if claims is None else claims.to_json(),
            "kid": None if kid is None else kid.hex(),
            "insurer_name": None if claims is None
            else self.insurer_names[trust_list].get(claims.insurer_number),
        }
        self.items.append(vector)


def token_vectors(k: Keys) -> list[dict]:
    v = Vectors({"main": INSURERS, "quirks": INSURERS, "status": INSURERS,
                 "status_next": INSURERS, "status_empty": INSURERS})
    V, cur = Status, k.current
    STALE, SUSPECT = VerifyWarning.TRUST_LIST_STALE, VerifyWarning.CLOCK_SUSPECT

    # ---- valid -----------------------------------------------------------------------------
    t = taro()
    token = issue(t, cur)
    v.add("valid_insured", "本人 of a 健保組合 (8-digit insurer number with a leading zero), "
          "phone notice", token, V.VALID, claims=t, kid=cur)
    v.add("valid_dependent_non_bmp_name", "家族 (被扶養者), branch 02, 2割; the name has a non-BMP "
          "kanji (U+20BB7) and an ideographic variation sequence (U+845B U+E0100)",
          issue(hanako(), cur), V.VALID, claims=hanako(), kid=cur)
    v.add("valid_kokuho_6_digit", "国保 insurer 138156 (6 digits), kanji 記号 as text, 番号 0012345 "
          "kept as text (leading zero), empty 枝番, born 1970-01-01 (day 0)",
          issue(jiro(), k.kokuho), V.VALID, claims=jiro(), kid=k.kokuho)
    v.add("valid_kouki_empty_symbol", "後期高齢者 39130000: empty 記号 and 枝番 (both absent from "
          "the map), born 1945 (negative day numbers), 1割, 資格確認書",
          issue(ume(), cur), V.VALID, claims=ume(), kid=cur)
    c = taro_card()
    v.add("valid_card", "資格確認書 (kind 2), valid for 3 years", issue(c, cur), V.VALID,
          claims=c, kid=cur)
    c = taro(limit_category="A03")
    v.add("valid_limit_category", "限度額適用区分 A03 shared with consent", issue(c, cur),
          V.VALID, claims=c, kid=cur)
    c = taro(symbol="0123", number="ＡＢ１２３", branch="00", sex=Sex.UNSET)
    v.add("valid_text_codes", "記号 0123 (leading zero: text), full-width 番号, 枝番 00 "
          "(kept distinct from empty), sex unset", issue(c, cur), V.VALID, claims=c, kid=cur)
    c = taro(name="𠮷" * 100)
    v.add("valid_name_100_code_points", "a name of 100 non-BMP characters: the limit counts "
          "code points (200 UTF-16 units)", issue(c, cur), V.VALID, claims=c, kid=cur)
    c = taro(number="番" * 12 + "12")
    v.add("valid_number_38_bytes", "a text 番号 of exactly 38 UTF-8 bytes", issue(c, cur),
          V.VALID, claims=c, kid=cur)
    c = taro(extensions={17: b"\xa5\x01\x02", 23: "future", -1: 0})
    v.add("valid_unknown_claims_ignored", "unknown claim keys 17, 23 and -1 are ignored "
          "(must-ignore) and do not appear in the claims", issue(c, cur), V.VALID, claims=c, kid=cur)

    c = taro(extensions={24: 1, -1: 2})
    v.add("valid_unknown_keys_length_first_order", "unknown claim keys 24 and -1: the map keys "
          "sort length-first (-1 before 24)", issue(c, cur), V.VALID, claims=c, kid=cur)
    c = taro(extensions={17: "\ufeffx"})
    v.add("valid_unknown_claim_text_leading_bom", "an unknown claim whose text starts with "
          "U+FEFF: decoders must keep it (one that strips it re-encodes other bytes)",
          issue(c, cur), V.VALID, claims=c, kid=cur)
    c = taro(name="資\u200d格\u200c 葛\ufe00\u845b\U000E0100子")
    v.add("valid_name_joiners_and_variation_selectors", "ZWJ (U+200D), ZWNJ (U+200C), a standard "
          "variation selector (U+FE00) and an IVS (U+E0100) are allowed in a name",
          issue(c, cur), V.VALID, claims=c, kid=cur)
    c = taro(symbol="0", number="000")
    v.add("valid_codes_zero_as_text", "記号 \"0\" and 番号 \"000\": digits that are not canonical "
          "integers stay text", issue(c, cur), V.VALID, claims=c, kid=cur)
    c = taro(birth_date=date(1860, 6, 26), copay_from=date(2189, 1, 12), expires_at=2**32 - 1)
    v.add("valid_date_and_time_limits", "birth_date day -40000 (1860-06-26), copay_from day 80000 "
          "(2189-01-12), expires_at 2^32 - 1", issue(c, cur), V.VALID, claims=c, kid=cur)
    c = taro(extensions={0: 1, 2**64 - 1: b"", -2**64: None})
    v.add("valid_unknown_claims_extreme_keys", "unknown claim keys 0, 2^64 - 1 and -2^64 (the "
          "CBOR integer limits)", issue(c, cur), V.VALID, claims=c, kid=cur)
    c = taro(extensions={17: {"a": [1, {2: [-1]}], 2: b"x", -3: None, "bb": True, "": False}})
    v.add("valid_unknown_claim_nested_depth_4", "an unknown claim: a map with text and integer "
          "keys, nested so that its deepest item is at depth 4 (the limit)",
          issue(c, cur), V.VALID, claims=c, kid=cur)

    body = token[len(digits.HEADER):]
    half = len(body) // 2
    first = body[:half]
    noisy = (" " + to_fullwidth(digits.HEADER) + "\u3000" + " ".join(
        first[i:i + 40] for i in range(0, half, 40)) + "\r\n" + to_fullwidth(body[half:half + 50])
        + "\t" + body[half + 50:half + 90] + "\u00a0\ufeff" + body[half + 90:] + "\n")
    v.add("valid_fullwidth_and_whitespace", "full-width digits (header included), ASCII and "
          "ideographic spaces, CR LF, LF, tab, NBSP and BOM inserted", noisy, V.VALID,
          claims=t, kid=cur)
    v.add("valid_all_fullwidth", "the whole text in full-width digits", to_fullwidth(token),
          V.VALID, claims=t, kid=cur)
    v.add("valid_2000_chars", "padded with spaces to exactly 2000 characters (the input limit)",
          token + " " * (2000 - len(token)), V.VALID, claims=t, kid=cur)

    message = cose.parse(digits.decode(token))
    r, s = message.signature[:32], int.from_bytes(message.signature[32:], "big")
    high_s = r + (P256_N - s).to_bytes(32, "big")
    v.add("valid_high_s_signature", "the same signature with s replaced by n - s: ECDSA "
          "verification (and WebCrypto) accepts both", digits.encode(sign1(
              [message.protected, {}, message.payload, high_s])), V.VALID, claims=t, kid=cur)
    v.add("valid_kid_collision_tries_every_key", "a decoy key is published first under the "
          "same kid; the second key verifies", issue(taro(), k.shared), V.VALID, claims=t,
          kid=k.shared)
    v.add("valid_kid_shared_by_8_keys", "'quirks' list: the signer is the 8th key under its kid "
          "(the most a verifier must try)", issue(t, k.crowded8), V.VALID, claims=t,
          kid=k.crowded8, trust_list="quirks")
    c = taro(insurer_number=UNNAMED, revocation_id=RID["unnamed"])
    v.add("valid_insurer_without_name", "'quirks' list: the key may sign for 01130012 but the "
          "insurers table has no name for it (insurer_name null)", issue(c, cur), V.VALID,
          claims=c, kid=cur, trust_list="quirks")
    c = taro_card(issued_at=RETIRED_UNTIL - 5 * DAY)
    v.add("valid_retired_key_within_window", "資格確認書 signed by a retired key while it was "
          "current", issue(c, k.retired), V.VALID, claims=c, kid=k.retired)

    # ---- boundaries (valid) and clocks ----------------------------------------------------
    # A notice that expires while the list is still fresh, so that no warning muddles expiry.
    short = taro(expires_at=NOW + DAY)
    short_token = issue(short, cur)
    v.add("valid_at_expiry_plus_skew", "now = expires_at + skew: still valid", short_token,
          V.VALID, claims=short, kid=cur, now=short.expires_at + SKEW)
    v.add("valid_at_expiry_skew_0", "skew 0, now = expires_at: still valid", short_token,
          V.VALID, claims=short, kid=cur, now=short.expires_at, skew=0)
    v.add("valid_large_skew", "skew 3600, now = expires_at + 3600", short_token, V.VALID,
          claims=short, kid=cur, now=short.expires_at + 3600, skew=3600)
    future = taro(issued_at=NOW + 1000)
    v.add("valid_at_issue_minus_skew", "issued_at = now + skew: already valid",
          issue(future, cur), V.VALID, claims=future, kid=cur, now=NOW + 1000 - SKEW)
    c = taro_card(issued_at=CURRENT_FROM - SKEW)
    v.add("valid_signs_from_minus_skew", "issued_at = signs_from - skew: inside the key's window",
          issue(c, cur), V.VALID, claims=c, kid=cur)
    c = taro_card(issued_at=RETIRED_UNTIL + SKEW)
    v.add("valid_signs_until_plus_skew", "retired key, issued_at = signs_until + skew: inside "
          "its window", issue(c, k.retired), V.VALID, claims=c, kid=k.retired)
    v.add("valid_at_list_exp", "now = the list's exp: not yet stale", token, V.VALID, claims=t,
          kid=cur, now=LIST_EXP)
    v.add("valid_trust_list_stale", "now = the list's exp + 1: valid, with a stale warning",
          token, V.VALID, claims=t, kid=cur, now=LIST_EXP + 1, warnings=[STALE])
    card = taro_card()
    card_token = issue(card, cur)
    v.add("valid_at_list_grace_end", "now = exp + grace: the last second a stale list decides",
          card_token, V.VALID, claims=card, kid=cur, now=LIST_EXP + LIST_GRACE, warnings=[STALE])
    v.add("valid_clock_suspect", "now + skew = the list's iat - 1: the device clock is behind",
          token, V.VALID, claims=t, kid=cur, now=LIST_IAT - SKEW - 1, warnings=[SUSPECT])
    v.add("valid_clock_suspect_skew_0", "skew 0, now = the list's iat - 1", token, V.VALID,
          claims=t, kid=cur, now=LIST_IAT - 1, skew=0, warnings=[SUSPECT])
    v.add("valid_clock_not_suspect_at_boundary", "now + skew = the list's iat: no warning",
          token, V.VALID, claims=t, kid=cur, now=LIST_IAT - SKEW)
    for name, issued_at, what in (("valid_revoked_rid_issued_at_before", REVOKED_BEFORE,
                                   "issued exactly at the revocation's before"),
                                  ("valid_revoked_rid_reissued", NOW - 60,
                                   "issued after the revocation's before (a reissue)")):
        c = taro(revocation_id=RID["revoked"], issued_at=issued_at)
        v.add(name, f"same revocation id as a revoked token, {what}: valid", issue(c, cur),
              V.VALID, claims=c, kid=cur)
    c = taro(revocation_id=RID["dup"], issued_at=NOW - 600)
    v.add("valid_duplicate_revocation_after_latest", "'quirks' list: two entries for one rid; "
          "issued at the later before: valid", issue(c, cur), V.VALID, claims=c, kid=cur,
          trust_list="quirks")

    # ---- malformed: text and digits -------------------------------------------------------
    def malformed(name, description, token, **kw):
        v.add(name, description, token, V.MALFORMED, **kw)

    malformed("malformed_not_text", "the input is not a string (JSON null)", None)
    malformed("malformed_empty", "empty text", "")
    malformed("malformed_whitespace_only", "spaces and line breaks only", " \r\n\u3000")
    malformed("malformed_header_only", "the header and nothing else", digits.HEADER)
    malformed("malformed_wrong_header", "header 8803 (a format version no verifier knows yet)",
              "8803" + body)
    malformed("malformed_missing_header", "the body without the header", body)
    malformed("malformed_letter", "a letter among the digits",
              digits.HEADER + body[:50] + "A" + body[51:])
    malformed("malformed_fullwidth_letter", "a full-width letter among the digits",
              digits.HEADER + body[:50] + "Ａ" + body[51:])
    malformed("malformed_non_ascii_digit", "an Arabic-Indic digit (Unicode Nd, not 0-9)",
              digits.HEADER + body[:50] + "\u0663" + body[51:])
    malformed("malformed_plus_sign", "a '+' instead of the first body digit (integer parsers "
              "accept it)", digits.HEADER + "+" + body[1:])
    malformed("malformed_digit_dropped", "one digit short: no byte count has this many digits",
              token[:-1])
    malformed("malformed_digit_added", "one digit too many", token + "0")
    n_bytes = len(digits.decode(token))
    malformed("malformed_value_too_large", "as many digits as n bytes need, but the value is "
              "256^n", digits.HEADER + str(256 ** n_bytes).zfill(digits.digit_count(n_bytes)))
    malformed("malformed_2001_chars", "a valid token padded with spaces to 2001 characters: "
              "refused before normalising", token + " " * (2001 - len(token)))
    malformed("malformed_too_long_digits", "2100 digits", digits.HEADER + "1" * 2096)
    for name, char, what in (("zero_width_space", "\u200b", "a zero-width space (U+200B)"),
                             ("thin_space", "\u2009", "a thin space (U+2009)"),
                             ("vertical_tab", "\u000b", "a vertical tab (U+000B)"),
                             ("hyphen", "-", "a hyphen")):
        malformed(f"malformed_{name}", f"{what} among the digits: only space, tab, CR, LF, "
                  "U+3000, NBSP and BOM are dropped", digits.HEADER + body[:50] + char + body[50:])

    # ---- malformed: COSE -------------------------------------------------------------------
    data = digits.decode(token)
    kid = cur.kid
    prot, payload = header(kid), payload_of(t)
    sig = raw_signature(cur.private_key, prot, payload)
    parsed = cose.parse(data)     # issue() made exactly this protected header and payload
    assert (parsed.protected, parsed.payload) == (prot, payload)
    malformed("malformed_truncated", "the COSE bytes without their last byte",
              digits.encode(data[:-1]))
    malformed("malformed_trailing_byte", "a 0x00 byte after the COSE_Sign1",
              digits.encode(data + b"\x00"))
    malformed("malformed_untagged", "a COSE_Sign1 array without tag 18",
              digits.encode(sign1([prot, {}, payload, sig], tag=None)))
    malformed("malformed_wrong_tag", "tag 98 (COSE_Sign) instead of 18",
              digits.encode(sign1([prot, {}, payload, sig], tag=98)))
    assert data[0] == 0xD2
    malformed("malformed_tag_not_shortest", "tag 18 written in two bytes (0xd8 0x12)",
              digits.encode(b"\xd8\x12" + data[1:]))
    assert data[1] == 0x84
    malformed("malformed_indefinite_array", "the COSE array with indefinite length",
              digits.encode(b"\xd2\x9f" + data[2:] + b"\xff"))
    malformed("malformed_array_of_3", "the array without its signature",
              digits.encode(sign1([prot, {}, payload])))
    malformed("malformed_array_of_5", "an extra array member",
              digits.encode(sign1([prot, {}, payload, sig, b""])))
    malformed("malformed_unprotected_not_empty", "kid repeated in the unprotected header",
              digits.encode(sign1([prot, {cose.KID: kid}, payload, sig])))
    malformed("malformed_payload_nil", "a detached (nil) payload",
              digits.encode(sign1([prot, {}, None, sig])))
    malformed("malformed_signature_63_bytes", "the signature without its last byte",
              digits.encode(sign1([prot, {}, payload, sig[:63]])))
    der = cur.private_key.sign(cose.dumps(["Signature1", prot, b"", payload]),
                               ec.ECDSA(hashes.SHA256()))
    malformed("malformed_signature_der", "a valid signature in DER instead of raw r||s",
              digits.encode(sign1([prot, {}, payload, der])))

    def with_header(protected: bytes) -> str:
        return digits.encode(sign1([protected, {}, payload,
                                    raw_signature(cur.private_key, protected, payload)]))
    malformed("malformed_alg_es384", "alg -35 (ES384) in the protected header, signed validly "
              "with ES256", with_header(header(kid, alg=-35)))
    malformed("malformed_alg_text", "alg \"ES256\" as text", with_header(header(kid, alg="ES256")))
    malformed("malformed_alg_missing", "a protected header with the kid only",
              with_header(cose.dumps({cose.KID: kid})))
    malformed("malformed_header_crit", "a crit parameter in the protected header",
              with_header(cose.dumps({cose.ALG: cose.ES256, 2: [99], cose.KID: kid})))
    malformed("malformed_header_not_canonical", "protected header keys in the order 4, 1",
              with_header(b"\xa2\x04" + cose.dumps(kid) + b"\x01\x26"))
    malformed("malformed_header_empty", "an empty protected bstr", with_header(b""))
    malformed("malformed_header_not_map", "the protected header is an array",
              with_header(cose.dumps([cose.ES256, kid])))
    malformed("malformed_kid_empty", "an empty kid", with_header(header(b"")))
    short_prot = header(kid)
    assert short_prot[:5] == b"\xa2\x01\x26\x04" + bytes([0x40 + len(kid)])
    malformed("malformed_header_kid_length_not_shortest", "the protected header's kid length in an "
              "extra byte (0x58 0x04), signed validly",
              with_header(short_prot[:4] + bytes([0x58, len(kid)]) + short_prot[5:]))
    envelope = sign1([prot, {}, payload, sig])
    assert envelope[2] == 0x40 + len(prot) and envelope[3:3 + len(prot)] == prot
    malformed("malformed_envelope_length_not_shortest", "the protected bstr's length in an extra "
              "byte (0x58 n)", digits.encode(envelope[:2] + bytes([0x58, len(prot)]) + envelope[3:]))
    at = 3 + len(prot)
    assert envelope[at] == 0xA0
    malformed("malformed_unprotected_not_shortest", "the empty unprotected map as 0xb8 0x00",
              digits.encode(envelope[:at] + b"\xb8\x00" + envelope[at + 1:]))
    malformed("malformed_kid_17_bytes", "a 17-byte kid (at most 16)", with_header(header(kid * 4 + b"\x00")))
    malformed("malformed_kid_text", "the kid as text", with_header(header(b64url(kid))))
    malformed("malformed_alg_key_true", "the alg label written as CBOR true (true == 1 in some "
              "languages)", with_header(b"\xa2\x04" + cose.dumps(kid) + b"\xf5\x26"))
    malformed("malformed_alg_float", "alg -7.0 as a half-precision float",
              with_header(b"\xa2\x01\xf9\xc7\x00\x04" + cose.dumps(kid)))
    malformed("malformed_alg_key_float", "the alg label written as the float 1.0",
              with_header(b"\xa2\x04" + cose.dumps(kid) + b"\xf9\x3c\x00\x26"))

    # ---- malformed: claims (validly signed, so the kid is known) --------------------------
    def bad_claims(name, description, payload_bytes):
        malformed(name, description, digits.encode(signed_payload(cur, payload_bytes)), kid=cur)

    bignum_key = t.to_map()
    bignum_key[2**64] = 1
    bad_claims("malformed_claims_extension_bignum_key", "an unknown claim key of 2^64 (only a "
               "bignum tag can carry it: no tags in claims)", cose.dumps(bignum_key))
    bignum_value = t.to_map()
    bignum_value[17] = 2**64
    bad_claims("malformed_claims_extension_bignum_value", "an unknown claim whose value is "
               "2^64 (a bignum tag)", cose.dumps(bignum_value))

    def bad_map(name, description, **changes):
        m = t.to_map()
        for key, value in changes.items():
            number = int(key.lstrip("k"))
            if value is _DELETE:
                del m[number]
            else:
                m[number] = value
        bad_claims(name, description, cose.dumps(m))

    assert 0xA0 < payload[0] < 0xB8 and payload[1] == 0x01
    bad_claims("malformed_claims_map_length_not_shortest", "the map's length in an extra byte "
               "(0xb8 n)", bytes([0xB8, payload[0] - 0xA0]) + payload[1:])
    bad_claims("malformed_claims_int_not_shortest", "key 1 written as 0x18 0x01",
               payload[:1] + b"\x18\x01" + payload[2:])
    bad_claims("malformed_claims_unsorted", "the claims in descending key order",
               cbor2.dumps(dict(reversed(list(t.to_map().items())))))
    bad_claims("malformed_claims_indefinite_map", "the claims map with indefinite length",
               b"\xbf" + payload[1:] + b"\xff")
    bad_claims("malformed_claims_duplicate_key", "key 1 a second time, at the end",
               bytes([payload[0] + 1]) + payload[1:] + b"\x01" + cose.dumps(t.to_map()[1]))
    bad_claims("malformed_claims_trailing_byte", "a byte after the claims map", payload + b"\x00")
    bad_claims("malformed_claims_not_map", "the payload is an array",
               cose.dumps(list(t.to_map().items())))
    bad_claims("malformed_claims_text_key", "an extra claim with a text key",
               cose.dumps({**t.to_map(), "x": 1}))
    name_map = {**t.to_map(), 6: "ABCD"}
    plain = cose.dumps(name_map)
    assert plain.count(b"\x64ABCD") == 1
    bad_claims("malformed_claims_name_invalid_utf8", "the name's bytes are not UTF-8",
               plain.replace(b"\x64ABCD", b"\x64\xc3\x28\xa0\xa1"))
    bad_claims("malformed_claims_name_surrogate", "the name holds an encoded surrogate "
               "(ED A0 80), not valid UTF-8", plain.replace(b"\x64ABCD", b"\x64\xed\xa0\x80A"))
    bad_map("malformed_claims_missing_birth_date", "required claim 8 absent", k8=_DELETE)
    bad_map("malformed_claims_missing_revocation_id", "required claim 15 absent", k15=_DELETE)
    bad_map("malformed_claims_copay_4", "copay_ratio 4", k10=4)
    bad_map("malformed_claims_copay_0", "copay_ratio 0", k10=0)
    bad_map("malformed_claims_copay_float", "copay_ratio 3.0 (a float)", k10=3.0)
    bad_map("malformed_claims_relationship_true", "relationship true (a CBOR simple value)",
            k5=True)
    bad_map("malformed_claims_relationship_3", "relationship 3", k5=3)
    bad_map("malformed_claims_sex_0", "sex 0", k7=0)
    bad_map("malformed_claims_kind_3", "kind 3", k12=3)
    bad_map("malformed_claims_insurer_9_digits", "insurer number 100000000", k1=100_000_000)
    bad_map("malformed_claims_insurer_text", "insurer number as text", k1=KENPO)
    bad_map("malformed_claims_symbol_digits_as_text", "記号 \"1234\" as text (must be an integer)",
            k2="1234")
    bad_map("malformed_claims_symbol_empty_text", "記号 present but empty (must be absent)", k2="")
    bad_map("malformed_claims_number_zero", "番号 as the integer 0", k3=0)
    bad_map("malformed_claims_number_10_pow_18", "番号 as the integer 10^18 (19 digits)",
            k3=10 ** 18)
    bad_map("malformed_claims_number_39_bytes", "a text 番号 of 39 UTF-8 bytes",
            k3="番" * 13)
    bad_map("malformed_claims_branch_100", "枝番 100", k4=100)
    bad_map("malformed_claims_name_empty", "an empty name", k6="")
    bad_map("malformed_claims_name_101_code_points", "101 non-BMP characters", k6="𠮷" * 101)
    bad_map("malformed_claims_name_control", "a BEL control character in the name",
            k6="資格\u0007太郎")
    bad_map("malformed_claims_name_bidi", "a right-to-left override (U+202E) in the name",
            k6="資格\u202e太郎")
    for name, char, what in (
            ("alm", "\u061c", "an Arabic letter mark (U+061C)"),
            ("rlm", "\u200f", "a right-to-left mark (U+200F)"),
            ("lrm", "\u200e", "a left-to-right mark (U+200E)"),
            ("isolate", "\u2067", "a right-to-left isolate (U+2067)"),
            ("zero_width_space", "\u200b", "a zero-width space (U+200B)"),
            ("soft_hyphen", "\u00ad", "a soft hyphen (U+00AD)"),
            ("bom", "\ufeff", "a BOM / zero-width no-break space (U+FEFF)"),
            ("line_separator", "\u2028", "a line separator (U+2028)"),
            ("tag_character", "\U000e0041", "a tag character (U+E0041)"),
            ("egyptian_format", "\U00013439", "U+13439, a format character since Unicode 15 "
                                               "(the list is fixed, not the engine's category)"),
            ("c1_control", "\u0085", "a C1 control (U+0085, NEL)")):
        bad_map(f"malformed_claims_name_{name}", f"{what} in the name", k6=f"資格{char}太郎")
    bad_map("malformed_claims_symbol_control", "a BEL control character in a text 記号",
            k2="ＡＢ\u0007１")
    bad_map("malformed_claims_number_rlm", "a right-to-left mark (U+200F) in a text 番号",
            k3="ＡＢ\u200f１")
    bad_map("malformed_claims_symbol_zero", "記号 as the integer 0", k2=0)
    bad_map("malformed_claims_birth_date_range", "birth_date day 80001 (after 2189-01-12)",
            k8=80_001)
    bad_map("malformed_claims_birth_date_before_range", "birth_date day -40001", k8=-40_001)
    bad_map("malformed_claims_issued_at_negative", "issued_at -1", k13=-1)
    bad_map("malformed_claims_expires_2_32", "expires_at 2^32", k14=2 ** 32)
    bad_map("malformed_claims_expires_not_after_issue", "expires_at = issued_at",
            k14=t.issued_at)
    bad_map("malformed_claims_issued_at_tagged", "issued_at as tag 1 (epoch date/time)",
            k13=cbor2.CBORTag(1, t.issued_at))
    bad_map("malformed_claims_revocation_id_7_bytes", "a 7-byte revocation id",
            k15=RID["taro"][:7])
    bad_map("malformed_claims_revocation_id_text", "the revocation id as hex text",
            k15=RID["taro"].hex())
    bad_map("malformed_claims_limit_category_unknown", "限度額区分 C01 (no such code)",
            k16="C01")

    # Unknown claims: what must-ignore does not cover.
    for name, value, what in (
            ("depth_5", [[[[[1]]]]], "an item at depth 5"),
            ("undefined", cbor2.undefined, "undefined (0xf7)"),
            ("simple_value", cbor2.CBORSimpleValue(16), "the simple value 16 (0xf0)"),
            ("float", 0.5, "a float"),
            ("tag", cbor2.CBORTag(1, t.issued_at), "tag 1 (a date/time)"),
            ("nested_tag", [cbor2.CBORTag(32, "https://example.invalid/")], "a tag inside an array"),
            ("bytes_map_key", {b"k": 1}, "a map with a byte-string key"),
            ("array_map_key", {(1, 2): 1}, "a map with an array key"),
            ("bool_map_key", {True: 1}, "a map with a boolean key")):
        bad_map(f"malformed_claims_extension_{name}", f"unknown claim 17 holds {what}", k17=value)

    # ---- unknown_key ----------------------------------------------------------------------
    v.add("unknown_key_unlisted", "signed by a key in no trust list", issue(t, k.unlisted),
          V.UNKNOWN_KEY, kid=k.unlisted)
    long_kid = bytes(range(16))
    v.add("unknown_key_16_byte_kid", "a 16-byte kid (the longest allowed) that no key has",
          with_header(header(long_kid)), V.UNKNOWN_KEY, kid=long_kid)
    v.add("unknown_key_alg_not_es256", "'quirks' list: the signer's entry says alg ES384, so "
          "verifiers skip it", issue(t, k.es384), V.UNKNOWN_KEY, kid=k.es384, trust_list="quirks")
    v.add("trust_list_expired_unknown_key", "an unknown key when the list is past its grace: "
          "the list decides nothing but form, so re-sync first", issue(t, k.unlisted),
          V.TRUST_LIST_EXPIRED, kid=k.unlisted, now=LIST_EXP + LIST_GRACE + 1, warnings=[STALE])

    # ---- bad_signature --------------------------------------------------------------------
    def bad_sig(name, description, token, kid=cur, **kw):
        v.add(name, description, token, V.BAD_SIGNATURE, kid=kid, **kw)

    at = data.index(payload) + len(payload) - 1     # the last byte of the revocation id
    flipped = bytearray(data)
    flipped[at] ^= 0x01
    bad_sig("bad_signature_payload_byte_flipped", "one bit of the revocation id flipped",
            digits.encode(bytes(flipped)))
    flipped = bytearray(data)
    flipped[-1] ^= 0x80
    bad_sig("bad_signature_signature_byte_flipped", "one bit of s flipped",
            digits.encode(bytes(flipped)))
    bad_sig("bad_signature_zero", "r = s = 0",
            digits.encode(sign1([prot, {}, payload, bytes(64)])))
    bad_sig("bad_signature_all_ff", "r and s above the group order (all 0xff)",
            digits.encode(sign1([prot, {}, payload, b"\xff" * 64])))
    bad_sig("bad_signature_s_is_n", "s = n (out of range by one)",
            digits.encode(sign1([prot, {}, payload, r + P256_N.to_bytes(32, "big")])))
    forged = digits.encode(cose.sign(payload, cur.kid, k.forger.private_key))
    bad_sig("bad_signature_other_key_same_kid", "signed by another key under the trusted key's "
            "kid", forged)
    bad_sig("bad_signature_kid_shared_by_9_keys", "'quirks' list: the signer is the 9th key "
            "under its kid; verifiers try only the first 8", issue(t, k.crowded9),
            kid=k.crowded9, trust_list="quirks")
    missing = {key: value for key, value in t.to_map().items() if key != 8}
    bad_data = bytearray(signed_payload(cur, cose.dumps(missing)))
    bad_data[-1] ^= 0x01
    bad_sig("bad_signature_before_claims", "claims with birth_date missing and a broken "
            "signature: the signature is checked first", digits.encode(bytes(bad_data)))

    # ---- key_not_for_insurer --------------------------------------------------------------
    kni = V.KEY_NOT_FOR_INSURER
    v.add("key_not_for_insurer_scope", "the 国保 key signs a 健保組合 member", issue(t, k.kokuho),
          kni, claims=t, kid=k.kokuho)
    v.add("key_not_for_insurer_scope_kokuho", "the 健保組合 key signs a 国保 member",
          issue(jiro(), cur), kni, claims=jiro(), kid=cur)
    c = taro_card(issued_at=CURRENT_FROM - SKEW - 1)
    v.add("key_not_for_insurer_before_signs_from", "issued_at = signs_from - skew - 1",
          issue(c, cur), kni, claims=c, kid=cur)
    c = taro_card(issued_at=RETIRED_UNTIL + SKEW + 1)
    v.add("key_not_for_insurer_after_signs_until", "retired key, issued_at = signs_until + skew + 1",
          issue(c, k.retired), kni, claims=c, kid=k.retired)
    c = taro(revocation_id=RID["revoked"])
    v.add("key_not_for_insurer_before_revoked", "out of scope and revoked: the scope is checked "
          "first", issue(c, k.kokuho), kni, claims=c, kid=k.kokuho)

    # ---- revoked --------------------------------------------------------------------------
    revoked = taro(revocation_id=RID["revoked"])
    revoked_token = issue(revoked, cur)
    v.add("revoked", "issued before the revocation entry's before", revoked_token, V.REVOKED,
          claims=revoked, kid=cur)
    c = ume(revocation_id=RID["card_revoked"])
    v.add("revoked_card", "a 資格確認書, still unexpired, revoked by the list", issue(c, cur),
          V.REVOKED, claims=c, kid=cur)
    c = taro(revocation_id=RID["revoked"], issued_at=REVOKED_BEFORE - 1)
    v.add("revoked_one_second_before", "issued_at = before - 1", issue(c, cur), V.REVOKED,
          claims=c, kid=cur)
    c = taro(revocation_id=RID["revoked"], expires_at=NOW + DAY)
    v.add("revoked_before_expired", "revoked and expired: revoked wins", issue(c, cur),
          V.REVOKED, claims=c, kid=cur, now=c.expires_at + SKEW + 1)
    v.add("revoked_before_not_yet_valid", "revoked, with the device clock far behind: revoked "
          "wins", revoked_token, V.REVOKED, claims=revoked, kid=cur, now=NOW - 5000,
          warnings=[SUSPECT])
    c = taro(revocation_id=RID["dup"], issued_at=DUP_BEFORE[0] - 1)
    v.add("revoked_duplicate_entries_latest_wins", "'quirks' list: two entries for one rid "
          "(later before listed first); issued between the two: revoked", issue(c, cur),
          V.REVOKED, claims=c, kid=cur, trust_list="quirks")

    # ---- not_yet_valid --------------------------------------------------------------------
    future_token = issue(future, cur)
    v.add("not_yet_valid", "issued_at = now + skew + 1", future_token, V.NOT_YET_VALID,
          claims=future, kid=cur, now=NOW + 1000 - SKEW - 1)
    v.add("not_yet_valid_skew_0", "skew 0, issued_at = now + 1", future_token, V.NOT_YET_VALID,
          claims=future, kid=cur, now=NOW + 999, skew=0)

    # ---- expired --------------------------------------------------------------------------
    v.add("expired", "now = expires_at + skew + 1", short_token, V.EXPIRED, claims=short,
          kid=cur, now=short.expires_at + SKEW + 1)
    v.add("expired_skew_0", "skew 0, now = expires_at + 1", short_token, V.EXPIRED,
          claims=short, kid=cur, now=short.expires_at + 1, skew=0)
    v.add("trust_list_expired_card_past_expiry", "a 資格確認書 one second past expiry + skew, "
          "years after the list's grace: re-sync first", card_token, V.TRUST_LIST_EXPIRED,
          kid=cur, now=card.expires_at + SKEW + 1, warnings=[STALE])
    v.add("trust_list_expired_token_also_expired", "expired, with the list past its grace: "
          "re-sync comes first", token, V.TRUST_LIST_EXPIRED, kid=cur,
          now=LIST_EXP + LIST_GRACE + 1, warnings=[STALE])

    # ---- trust_list_expired ---------------------------------------------------------------
    v.add("trust_list_expired", "now = exp + grace + 1: the list may no longer decide",
          card_token, V.TRUST_LIST_EXPIRED, kid=cur,
          now=LIST_EXP + LIST_GRACE + 1, warnings=[STALE])
    v.add("trust_list_expired_large_skew", "skew does not extend the list's grace",
          card_token, V.TRUST_LIST_EXPIRED, kid=cur,
          now=LIST_EXP + LIST_GRACE + 1, skew=3600, warnings=[STALE])

    version_2_vectors(v, k)

    # ---- warnings on rejections -----------------------------------------------------------
    malformed("malformed_with_stale_warning", "warnings do not depend on the token", "",
              now=LIST_EXP + 1, warnings=[STALE])
    malformed("malformed_with_clock_suspect", "warnings do not depend on the token", "",
              now=LIST_IAT - SKEW - 1, warnings=[SUSPECT])
    return v.items



def v2(base=None, **overrides) -> Claims:
    """Version-2 claims: a status index instead of the revocation id."""
    return (base or taro)(**{"revocation_id": None, "status_index": 1, **overrides})


def version_2_vectors(v: Vectors, k: Keys) -> None:
    """Format version 2 (header 8802, claim 18) against the status lists (STATES)."""
    V, cur = Status, k.current
    STALE = VerifyWarning.TRUST_LIST_STALE
    S = dict(trust_list="status", lists="main")

    def add(name, description, claims, status, *, key=cur, token=None, **kw):
        kw = {**S, **kw}
        with_claims = status in _WITH_CLAIMS
        v.add(name, description, token or issue(claims, key), status,
              claims=claims if with_claims else None, kid=key, **kw)

    c = v2()
    token2 = issue(c, cur)
    assert token2.startswith("8802")
    add("valid_v2", "version 2 (8802), phone notice, index 1: its bit is clear", c, V.VALID)
    add("valid_v2_fullwidth_header", "version 2 with the header in full-width digits", c,
        V.VALID, token=to_fullwidth(token2[:4]) + token2[4:])
    add("revoked_v2", "phone notice, index 5: bit 5 of list (1, 06138093, 0) is set",
        v2(status_index=5), V.REVOKED)
    add("revoked_v2_last_bit_of_full_shard", "index 2^21 - 1: shard 1, bit 2^20 - 1 (a list of "
        "2^20 bits)", v2(status_index=2 * M20 - 1), V.REVOKED)
    add("valid_v2_shard_1_clear_bit", "index 2^20 + 1: shard 1, bit 1 (clear)",
        v2(status_index=M20 + 1), V.VALID)
    add("valid_v2_index_at_list_length", "index 1000 in a list of 1000 bits: past the list, so "
        "not revoked (enrolled after the list was built)", v2(status_index=1000), V.VALID)
    add("valid_v2_no_such_list", "index 2^21 (shard 2): no list, so not revoked",
        v2(status_index=2 * M20), V.VALID)
    add("revoked_v2_kokuho_last_bit", "国保 138156, index 12: the last bit of a 13-bit list",
        v2(jiro, status_index=12), V.REVOKED, key=k.kokuho)
    add("valid_v2_other_insurer_same_index", "国保 138156, index 5 (revoked in 06138093's list "
        "only)", v2(jiro, status_index=5), V.VALID, key=k.kokuho)
    card = v2(taro_card, status_index=42)
    assert card.expires_at // sl.CARD_BLOCK_SECONDS == CARD_BLOCK
    add("revoked_v2_card", "資格確認書, index 42 in its expiry block's list (2, block, 0)", card,
        V.REVOKED)
    add("valid_v2_card_other_block", "資格確認書 with index 42, expiring in another block",
        v2(taro_card, status_index=42, expires_at=NOW + 2 * 365 * DAY), V.VALID)
    add("valid_v2_card_index_of_phone_bit", "資格確認書 with index 5 (set in the phone list, not "
        "in the card list)", v2(taro_card, status_index=5), V.VALID)
    add("revoked_v2_next_state", "index 1100: set in the 'next' state, with the 'status_next' "
        "list", v2(status_index=1100), V.REVOKED, trust_list="status_next", lists="next")
    add("valid_v2_bit_cleared_in_next", "index 5 again (cleared for reuse) in 'next'",
        v2(status_index=5), V.VALID, trust_list="status_next", lists="next")
    add("valid_v2_status_index_max", "index 2^32 - 1 (shard 4095): no list",
        v2(status_index=2**32 - 1), V.VALID)
    add("valid_v2_empty_root_without_state", "the list's root is the empty state's: no lists "
        "needed", v2(status_index=5), V.VALID, trust_list="status_empty", lists=None)
    add("valid_v2_unknown_claims", "version 2 with unknown claims 17 and 19",
        v2(extensions={17: b"\x01", 19: 0}), V.VALID)
    add("status_unavailable_v2_list_without_status", "version 2 against a list that publishes "
        "no status root", v2(), V.STATUS_UNAVAILABLE, trust_list="main", lists=None)
    add("status_unavailable_v2_no_state", "version 2, the list has a root but the verifier has "
        "no lists", v2(), V.STATUS_UNAVAILABLE, lists=None)
    add("status_unavailable_v2_stale_state", "version 2 with the 'next' lists against the "
        "'status' list (another root)", v2(status_index=1100), V.STATUS_UNAVAILABLE,
        lists="next")
    short = v2(expires_at=NOW + DAY)
    add("status_unavailable_v2_before_expired", "no lists for the root, and expired: "
        "status_unavailable comes first (step 8)", short, V.STATUS_UNAVAILABLE, lists=None,
        now=short.expires_at + SKEW + 1)
    add("revoked_v2_before_expired", "revoked by its bit and expired: revoked",
        v2(status_index=5, expires_at=NOW + DAY), V.REVOKED, now=NOW + DAY + SKEW + 1)
    add("key_not_for_insurer_v2_before_status", "the 国保 key signs a 健保組合 version-2 token "
        "whose bit is set: the scope is checked first", v2(status_index=5),
        V.KEY_NOT_FOR_INSURER, key=k.kokuho)
    add("trust_list_expired_v2", "version 2 with the list past its grace", v2(),
        V.TRUST_LIST_EXPIRED, now=LIST_EXP + LIST_GRACE + 1, warnings=[STALE])
    add("valid_v2_stale_warning", "version 2, list stale but within grace", v2(), V.VALID,
        now=LIST_EXP + 1, warnings=[STALE])

    # version 1 beside status lists: the rid rules, claim 18 an unknown claim
    c = taro(revocation_id=RID["revoked"])
    add("revoked_v1_with_status_lists", "version 1 with a revoked rid, verified with a status "
        "list and lists: the rid decides", c, V.REVOKED)
    c = taro(extensions={18: 5})
    add("valid_v1_claim_18_ignored", "version 1 carrying claim 18 = 5 (set in the lists): in "
        "version 1 claim 18 is an unknown claim, ignored", c, V.VALID)
    c = taro(extensions={18: "x"})
    add("valid_v1_claim_18_text_ignored", "version 1 carrying claim 18 as text: ignored", c,
        V.VALID)

    def bad(name, description, claims_map, header="8802"):
        data = signed_payload(cur, cose.dumps(claims_map))
        v.add(name, description, header + digits.encode(data)[4:], V.MALFORMED, kid=cur, **S)

    m2 = v2().to_map()
    bad("malformed_v2_with_revocation_id", "version 2 carrying claim 15 as well",
        {**m2, 15: RID["taro"]})
    bad("malformed_v2_without_status_index", "version 2 without claim 18",
        {n: x for n, x in m2.items() if n != 18})
    bad("malformed_v2_status_index_2_32", "claim 18 = 2^32", {**m2, 18: 2**32})
    bad("malformed_v2_status_index_negative", "claim 18 = -1", {**m2, 18: -1})
    bad("malformed_v2_status_index_text", "claim 18 as text", {**m2, 18: "5"})
    bad("malformed_v2_status_index_bytes", "claim 18 as a byte string", {**m2, 18: b"\x05"})
    bad("malformed_v1_token_relabelled_8802", "a valid version-1 token's bytes under header 8802 "
        "(the header is not signed: the claims decide)", taro().to_map())
    bad("malformed_v2_token_relabelled_8801", "a valid version-2 token's bytes under header "
        "8801 (claim 15 missing)", m2, header="8801")


# -- build and check --------------------------------------------------------------------------

def build() -> dict:
    """Fresh keys, the trust lists and every vector; raises if the Python core disagrees."""
    k = Keys()
    lists, list_vectors = trust_lists(k)
    status = status_vectors()
    anchor = keys.public_jwk(k.anchor.public_key(), k.anchor_kid)
    doc = {"format": FORMAT, "version": VERSION, "default_skew": DEFAULT_SKEW,
           "forbidden_text_ranges": [list(r) for r in FORBIDDEN_TEXT_RANGES],
           "anchor": anchor, "trust_lists": lists, "vectors": token_vectors(k),
           "trust_list_vectors": list_vectors, "status_vectors": status}
    problems = check(doc)
    if problems:
        raise AssertionError("the Python core disagrees with the vectors:\n  " + "\n  ".join(problems))
    return doc


def check(doc: dict) -> list[str]:
    """Run the Python core on every vector; return one line per disagreement."""
    problems, parsed = [], {}
    for vector in doc["trust_list_vectors"]:
        try:
            parsed[vector["trust_list"]] = TrustList.from_signed(
                doc["trust_lists"][vector["trust_list"]], doc["anchor"])
            outcome = "accepted"
        except TrustListError:
            outcome = "rejected"
        if outcome != vector["expected"]:
            problems.append(f"trust list {vector['name']}: {outcome}, expected {vector['expected']}")
    names = [v["name"] for v in doc["vectors"]]
    if len(set(names)) != len(names):
        problems.append("duplicate vector names")
    for vector in doc["vectors"]:
        skew = {"skew": vector["skew"]} if "skew" in vector else {}
        state = STATES[vector["status"]] if "status" in vector else None
        got = verify(vector["token"], parsed[vector["trust_list"]], now=vector["now"],
                     status=state, **skew)
        got = got.to_json()
        got.pop("detail")
        got["warnings"] = sorted(got["warnings"])
        if got != vector["expected"]:
            problems.append(f"{vector['name']}: got {got}, expected {vector['expected']}")
    return problems


def dumps(doc: dict) -> str:
    """Readable JSON (Japanese as is) with invisible characters (NBSP, BOM, U+3000...) escaped,
    so that no editor or tool can strip them unnoticed."""
    text = json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
    return "".join(c if c.isprintable() or c == "\n" else json.dumps(c)[1:-1] for c in text)


def main() -> int:
    doc = build()
    OUT.write_text(dumps(doc), encoding="utf-8")
    counts = {}
    for vector in doc["vectors"]:
        counts[vector["expected"]["status"]] = counts.get(vector["expected"]["status"], 0) + 1
    print(f"wrote {OUT} ({len(doc['vectors'])} vectors, "
          f"{len(doc['trust_list_vectors'])} trust-list vectors)")
    for status in Status:
        print(f"  {status.value:20} {counts.get(status.value, 0)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
