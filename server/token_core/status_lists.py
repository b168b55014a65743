"""Status lists: the revocation data of format-version-2 tokens (docs/token-format.md,
"Status lists").

One bit per status index, as in the IETF OAuth Token Status List: bit ``i`` of a list is bit
``i & 7`` of byte ``i >> 3`` (little-endian within the byte); a set bit means revoked. A token
names its list by what it already carries:

    phone notice (kind 1): ListKey(1, insurer number,                       index >> 20)
    資格確認書   (kind 2): ListKey(2, expires_at // CARD_BLOCK_SECONDS,      index >> 20)

and its bit in that list is ``index & 0xFFFFF``: every list covers one shard of 2^20 indexes.

The state a clinic holds is bound to the signed trust list by one digest:

    list digest = SHA-256(u32 bit length ‖ packed bits)
    directory   = for each list in key order: key (7 bytes) ‖ u32 bit length ‖ list digest
    root        = SHA-256(directory)

A snapshot carries every list, each either zlib-compressed or as Golomb-Rice coded gaps between
its set bits (whichever is shorter); a delta carries, per changed list, its new length and the
flipped bits. :func:`parse_snapshot` and :func:`apply_delta` refuse anything
whose recomputed root differs from the signed one. Work and memory are bounded (the MAX_*
constants): nothing is decompressed past them.
"""
from __future__ import annotations

import functools
import hashlib
import re
import struct
import zlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from itertools import repeat
from operator import lshift, or_
from typing import NamedTuple

from .errors import StatusListError

#: Bits of an index that select the shard; a list holds the rest: at most 2^20 bits.
SHARD_BITS = 20
MAX_LIST_BITS = 1 << SHARD_BITS                 # 1,048,576 indexes
MAX_LIST_BYTES = MAX_LIST_BITS // 8             # 131,072 bytes, the most a list inflates to
MAX_SHARD = (2**32 - 1) >> SHARD_BITS           # 4095: indexes are below 2^32
#: A 資格確認書's list is the 30-day block of its expires_at.
CARD_BLOCK_SECONDS = 30 * 86_400
#: Bounds on a whole state: at most this many lists and this many bytes of bitstrings
#: (national: 3,090 lists, 11.8 MB).
MAX_LISTS = 65_536
MAX_STATE_BYTES = 1 << 25                       # 32 MiB
#: Bounds on what is read: a snapshot's bytes, and a delta's bytes before and after inflating.
MAX_SNAPSHOT_BYTES = 1 << 26                    # 64 MiB
MAX_DELTA_BYTES = 1 << 24                       # 16 MiB

KIND_NOTICE, KIND_CARD = 1, 2
SNAPSHOT_MAGIC = b"SPS\x02"
#: How a snapshot entry holds its bits: zlib of the packed bits, or Golomb-Rice coded gaps.
ENCODING_ZLIB, ENCODING_RICE = 0, 1
#: The largest Rice parameter (a gap is below 2^20).
MAX_RICE_BITS = 20
DELTA_MAGIC = b"SPD\x01"
KEY_BYTES = 7
DIGEST_BYTES = 32
DIRECTORY_ENTRY_BYTES = KEY_BYTES + 4 + DIGEST_BYTES     # 43
_KEY = struct.Struct(">BIH")
_U32 = struct.Struct(">I")
_NONZERO = re.compile(rb"[^\x00]")
_ENCODING = {ENCODING_ZLIB: b"\x00", ENCODING_RICE: b"\x01"}


class ListKey(NamedTuple):
    """Which list: ``kind`` 1 (phone notices) or 2 (資格確認書), ``group`` the insurer number
    (kind 1) or the expiry block (kind 2), ``shard`` = status index >> 20."""
    kind: int
    group: int
    shard: int

    def to_bytes(self) -> bytes:
        return _KEY.pack(self.kind, self.group, self.shard)

    @classmethod
    def from_bytes(cls, data: bytes) -> "ListKey":
        key = cls(*_KEY.unpack(data))
        if key.kind not in (KIND_NOTICE, KIND_CARD) or key.shard > MAX_SHARD:
            raise StatusListError(f"not a list key: {data.hex()}")
        return key

    def __str__(self) -> str:
        return f"{self.kind}:{self.group}:{self.shard}"


def position_of(claims) -> tuple[ListKey, int]:
    """The list and the bit of a version-2 token's claims."""
    index = claims.status_index
    if index is None:
        raise ValueError("a version-1 token has no status index")
    group = (int(claims.insurer_number) if int(claims.kind) == KIND_NOTICE
             else claims.expires_at // CARD_BLOCK_SECONDS)
    return ListKey(int(claims.kind), group, index >> SHARD_BITS), index & (MAX_LIST_BITS - 1)


@dataclass(frozen=True)
class StatusList:
    """One list: ``length`` bits (1 - 2^20), packed little-endian, unused high bits of the last
    byte zero (so that one list has one digest)."""
    length: int
    bits: bytes

    def __post_init__(self):
        if type(self.length) is not int or not 0 < self.length <= MAX_LIST_BITS:
            raise StatusListError(f"list length {self.length!r}: must be 1 - {MAX_LIST_BITS}")
        if type(self.bits) is not bytes or len(self.bits) != (self.length + 7) // 8:
            raise StatusListError(f"{self.length} bits need {(self.length + 7) // 8} bytes")
        if self.length % 8 and self.bits[-1] >> (self.length % 8):
            raise StatusListError("bits past the list's length must be zero")

    @classmethod
    def from_positions(cls, length: int, positions: Iterable[int]) -> "StatusList":
        bits = bytearray((length + 7) // 8)
        for i in positions:
            if not 0 <= i < length:
                raise StatusListError(f"bit {i} outside a list of {length}")
            bits[i >> 3] |= 1 << (i & 7)
        return cls(length, bytes(bits))

    def is_set(self, position: int) -> bool:
        return position < self.length and bool(self.bits[position >> 3] >> (position & 7) & 1)

    def positions(self) -> list[int]:
        """The set bits, ascending."""
        return [m.start() * 8 + j for m in _NONZERO.finditer(self.bits)
                for j in range(8) if m.group()[0] >> j & 1]

    def digest(self) -> bytes:
        return hashlib.sha256(_U32.pack(self.length) + self.bits).digest()


@dataclass(frozen=True)
class StatusState:
    """Every list a trust list's status root covers. Absent list or a bit past a list's
    length: not revoked (a member enrolled after the list was built is never refused)."""
    lists: Mapping[ListKey, StatusList]

    def __post_init__(self):
        if len(self.lists) > MAX_LISTS:
            raise StatusListError(f"more than {MAX_LISTS} lists")
        if sum(len(s.bits) for s in self.lists.values()) > MAX_STATE_BYTES:
            raise StatusListError(f"more than {MAX_STATE_BYTES} bytes of lists")
        object.__setattr__(self, "lists", dict(sorted(self.lists.items())))

    def directory(self) -> bytes:
        return b"".join(key.to_bytes() + _U32.pack(s.length) + s.digest()
                        for key, s in self.lists.items())

    @cached_property
    def root(self) -> bytes:
        return hashlib.sha256(self.directory()).digest()

    def is_revoked(self, key: ListKey, position: int) -> bool:
        found = self.lists.get(key)
        return found is not None and found.is_set(position)

    def is_token_revoked(self, claims) -> bool:
        return self.is_revoked(*position_of(claims))


#: The root of the state without lists (SHA-256 of the empty directory).
EMPTY_ROOT = hashlib.sha256(b"").digest()


# -- snapshots ----------------------------------------------------------------------------------

def build_snapshot(state: StatusState) -> bytes:
    """magic ‖ u32 count ‖ per list (key order): key ‖ u32 bit length ‖ u8 encoding ‖ u32 n ‖
    n bytes of payload (:func:`encode_list`)."""
    out = [SNAPSHOT_MAGIC, _U32.pack(len(state.lists))]
    for key, s in state.lists.items():
        encoding, payload = encode_list(s)
        out += [key.to_bytes(), _U32.pack(s.length), _ENCODING[encoding], _U32.pack(len(payload)),
                payload]
    return b"".join(out)


def encode_list(s: StatusList) -> tuple[int, bytes]:
    """A list's snapshot encoding and payload: the Rice code of its gaps, with the parameter
    that makes it shortest (ties: the smallest), when it is strictly shorter than zlib 9 of its
    bits (a dense list: ~12 % set of 400,000 bits, is 13 % shorter; a sparse one less than
    half); otherwise zlib 9."""
    gaps = _gaps(s.bits, s.length)
    r, size = _best_rice(gaps)
    packed = zlib.compress(s.bits, 9)
    if size < len(packed):
        return ENCODING_RICE, rice_encode(gaps, r)
    return ENCODING_ZLIB, packed


def parse_snapshot(data: bytes, *, expected_root: bytes) -> StatusState:
    """The state in a snapshot, if its root is ``expected_root`` (from the signed trust list).
    Raises StatusListError."""
    return _checked(read_snapshot(data), expected_root)


def read_snapshot(data: bytes) -> StatusState:
    """The state in a snapshot, its root not yet checked: only for tests and tools; a verifier
    calls :func:`parse_snapshot`."""
    try:
        if len(data) > MAX_SNAPSHOT_BYTES:
            raise StatusListError("snapshot too large")
        reader = _Reader(bytes(data))
        if reader.take(4) != SNAPSHOT_MAGIC:
            raise StatusListError("not a status-list snapshot")
        count = reader.u32()
        if count > MAX_LISTS:
            raise StatusListError(f"more than {MAX_LISTS} lists")
        lists, previous, total = {}, b"", 0
        for _ in range(count):
            raw_key = reader.take(KEY_BYTES)
            if raw_key <= previous:
                raise StatusListError("lists out of order or repeated")
            previous = raw_key
            length = reader.u32()
            if not 0 < length <= MAX_LIST_BITS:
                raise StatusListError(f"list length {length}: must be 1 - {MAX_LIST_BITS}")
            total += (length + 7) // 8
            if total > MAX_STATE_BYTES:
                raise StatusListError(f"more than {MAX_STATE_BYTES} bytes of lists")
            encoding = reader.take(1)[0]
            payload = reader.take(reader.u32())
            if encoding == ENCODING_ZLIB:
                bits = inflate(payload, (length + 7) // 8)
                if len(bits) != (length + 7) // 8:
                    raise StatusListError("a list inflates to the wrong size")
            elif encoding == ENCODING_RICE:
                bits = rice_decode(payload, length)
            else:
                raise StatusListError(f"list encoding {encoding}: not 0 (zlib) or 1 (Rice)")
            lists[ListKey.from_bytes(raw_key)] = StatusList(length, bits)
        reader.end()
        return StatusState(lists)
    except StatusListError:
        raise
    except (ValueError, struct.error, zlib.error) as exc:
        raise StatusListError(f"malformed snapshot: {exc}") from exc


# -- deltas -------------------------------------------------------------------------------------

def build_delta(old: StatusState, new: StatusState) -> bytes:
    """zlib 9 of: magic ‖ old root ‖ u32 count ‖ per changed list (key order): key ‖ u32 new
    bit length (0: dropped) ‖ varint n ‖ n flipped bits as varint gaps."""
    out = [DELTA_MAGIC, old.root]
    entries = []
    for key in sorted(old.lists.keys() | new.lists.keys()):
        before, after = old.lists.get(key), new.lists.get(key)
        if after is None:
            entries.append(key.to_bytes() + _U32.pack(0) + _varint(0))
            continue
        if before == after:
            continue
        base = _resized(before, after.length)
        flipped = StatusList(after.length, _xor(base, after.bits)).positions()
        entry = [key.to_bytes(), _U32.pack(after.length), _varint(len(flipped))]
        previous = -1
        for p in flipped:
            entry.append(_varint(p - previous - 1))
            previous = p
        entries.append(b"".join(entry))
    out += [_U32.pack(len(entries)), *entries]
    return zlib.compress(b"".join(out), 9)


def apply_delta(state: StatusState, data: bytes, *, expected_root: bytes) -> StatusState:
    """``state`` with the delta applied, if the result's root is ``expected_root`` (from the
    signed trust list); the caller then refetches a snapshot. Raises StatusListError."""
    return _checked(read_delta(state, data), expected_root)


def read_delta(state: StatusState, data: bytes) -> StatusState:
    """``state`` with the delta applied, the result's root not yet checked: only for tests and
    tools; a verifier calls :func:`apply_delta`."""
    try:
        if len(data) > MAX_DELTA_BYTES:
            raise StatusListError("delta too large")
        reader = _Reader(inflate(bytes(data), MAX_DELTA_BYTES))
        if reader.take(4) != DELTA_MAGIC:
            raise StatusListError("not a status-list delta")
        if reader.take(DIGEST_BYTES) != state.root:
            raise StatusListError("the delta is for another state")
        count = reader.u32()
        if count > MAX_LISTS:
            raise StatusListError(f"more than {MAX_LISTS} lists")
        lists, previous = dict(state.lists), b""
        for _ in range(count):
            raw_key = reader.take(KEY_BYTES)
            if raw_key <= previous:
                raise StatusListError("lists out of order or repeated")
            previous = raw_key
            key = ListKey.from_bytes(raw_key)
            length, flips = reader.u32(), reader.varint()
            if length == 0:
                if key not in lists or flips:
                    raise StatusListError(f"list {key}: dropped, but absent or with flips")
                del lists[key]
                continue
            if length > MAX_LIST_BITS or flips > length:
                raise StatusListError(f"list {key}: length {length}, {flips} flips")
            bits = bytearray(_resized(lists.get(key), length))
            position = -1
            for _ in range(flips):
                position += reader.varint() + 1
                if position >= length:
                    raise StatusListError(f"list {key}: bit {position} past its length")
                bits[position >> 3] ^= 1 << (position & 7)
            lists[key] = StatusList(length, bytes(bits))
        reader.end()
        return StatusState(lists)
    except StatusListError:
        raise
    except (ValueError, struct.error, zlib.error) as exc:
        raise StatusListError(f"malformed delta: {exc}") from exc


# -- Golomb-Rice --------------------------------------------------------------------------------
#
# payload = varint k ‖ u8 r ‖ k remainders of r bits ‖ k quotients in unary, each bit stream
# packed least significant bit first (stream bit j is bit j & 7 of byte j >> 3), the remainders
# padded to a byte with zeros, the quotients running to the end of the payload. Gap i is
# g = p_i - p_(i-1) - 1 (p_(-1) = -1), its remainder g & (2^r - 1) and its quotient g >> r,
# written as that many 0 bits and a 1. The loops are C loops over strings of '0'/'1' (str.split,
# str.join, int(text, 2) and format(n, 'b') are linear for base 2): a national snapshot holds
# 2.8 M set bits.

#: '0' * g + '1': a gap or a quotient in unary, LSB-first (the table covers the common ones).
_UNARY = ["0" * q + "1" for q in range(1024)]
#: r -> the r-bit binary texts of 0 .. 2^r - 1 (MSB first), for small r.
_BINARY: dict[int, list[str]] = {}


def _gaps(bits: bytes, length: int) -> list[int]:
    """The gaps before each set bit: p_i - p_(i-1) - 1, with p_(-1) = -1."""
    text = format(int.from_bytes(bits, "little"), f"0{length}b")[::-1]     # char j = bit j
    gaps = list(map(len, text.split("1")))
    gaps.pop()                                      # the zeros after the last set bit
    return gaps


def _rice_size(k: int, r: int, quotients: int) -> int:
    return len(_varint(k)) + 1 + (k * r + 7) // 8 + (k + quotients + 7) // 8


def _best_rice(gaps: list[int]) -> tuple[int, int]:
    """The Rice parameter giving the shortest payload (ties: the smallest) and that size."""
    k, counts = len(gaps), Counter(gaps).items()     # < 1,500 distinct gaps in 2^20 bits
    best = None
    for r in range(MAX_RICE_BITS + 1):
        size = _rice_size(k, r, sum(c * (g >> r) for g, c in counts))
        if best is None or size < best[1]:
            best = (r, size)
    return best


def _unary(values: list[int]) -> str:
    if max(values) < len(_UNARY):
        return "".join(map(_UNARY.__getitem__, values))
    return "".join(["0" * v + "1" for v in values])


def rice_encode(gaps: list[int], r: int) -> bytes:
    """The encoding-1 payload of a list whose gaps are ``gaps``, with parameter ``r``."""
    k = len(gaps)
    out = [_varint(k), bytes((r,))]
    if not k:
        return b"".join(out)
    if r:
        mask = (1 << r) - 1
        if r <= 12:
            table = _BINARY.get(r) or _BINARY.setdefault(
                r, [format(v, f"0{r}b") for v in range(1 << r)])
            text = "".join([table[g & mask] for g in reversed(gaps)])
        else:
            text = "".join([format(g & mask, f"0{r}b") for g in reversed(gaps)])
        out.append(int(text, 2).to_bytes((k * r + 7) // 8, "little"))
        gaps = [g >> r for g in gaps]
    text = _unary(gaps)
    out.append(int(text[::-1], 2).to_bytes((len(text) + 7) // 8, "little"))
    return b"".join(out)


def rice_decode(payload: bytes, length: int) -> bytes:
    """The packed bits of a ``length``-bit list from its encoding-1 payload. Refuses (before
    any work beyond what ``length`` allows) r > 20, k > length, non-zero padding after the
    remainders, quotient bits that could only reach past the list's end, other than k ones
    among them, bytes after the last one's byte, and a set bit at or past ``length``."""
    reader = _Reader(payload)
    k = reader.varint()
    r = reader.take(1)[0]
    if r > MAX_RICE_BITS:
        raise StatusListError(f"Rice parameter {r}: at most {MAX_RICE_BITS}")
    if k > length:
        raise StatusListError(f"{k} set bits in a list of {length}")
    nbits = k * r
    remainders = reader.take((nbits + 7) // 8)
    if nbits % 8 and remainders[-1] >> (nbits % 8):
        raise StatusListError("Rice remainders: padding bits not zero")
    unary = payload[reader.at:]
    size = (length + 7) // 8
    if not k:
        if unary:
            raise StatusListError("bytes after a list's Rice code")
        return bytes(size)
    # the quotients sum to at most (length - k) >> r: more bytes can only reach past the end
    if len(unary) > (k + ((length - k) >> r) + 7) // 8:
        raise StatusListError("a list's Rice quotients run past its length")
    if not unary or not unary[-1]:
        raise StatusListError("bytes after a list's Rice code, or a Rice code cut short")
    value = int.from_bytes(unary, "little")
    if value.bit_count() != k:
        raise StatusListError(f"{value.bit_count()} Rice quotients for {k} set bits")
    gaps = list(map(len, format(value, "b")[::-1].split("1")))     # the quotients
    gaps.pop()                                      # '' after the last one
    if r:
        # the remainders' big-endian text holds them last first, r digits each
        text = format(int.from_bytes(remainders, "little"), f"0{nbits}b")
        digits = re.findall("." * r, text)
        digits.reverse()
        low = (map(_binary_values(r).__getitem__, digits) if r <= 8
               else map(int, digits, repeat(2)))
        gaps = list(map(or_, map(lshift, gaps, repeat(r)), low))
    end = sum(gaps) + k
    if end > length:
        raise StatusListError(f"a set bit at {end - 1}, past the list's {length} bits")
    return int(_unary(gaps)[::-1], 2).to_bytes(size, "little")


@functools.cache
def _binary_values(r: int) -> dict[str, int]:
    """r binary digits -> their value (r <= 8)."""
    return {format(m, f"0{r}b"): m for m in range(1 << r)}


# -- helpers ------------------------------------------------------------------------------------

def inflate(data: bytes, limit: int) -> bytes:
    """zlib (RFC 1950) data inflated to at most ``limit`` bytes, the stream complete and nothing
    after it; anything else raises StatusListError without inflating further."""
    d = zlib.decompressobj()
    try:
        out = d.decompress(data, limit + 1)
    except zlib.error as exc:
        raise StatusListError(f"not zlib data: {exc}") from exc
    if len(out) > limit:
        raise StatusListError(f"inflates past {limit} bytes")
    if not d.eof or d.unused_data or d.unconsumed_tail:
        raise StatusListError("incomplete zlib data, or bytes after it")
    return out


def _checked(state: StatusState, expected_root: bytes) -> StatusState:
    if state.root != expected_root:
        raise StatusListError("the lists' root is not the signed root")
    return state


def _resized(found: StatusList | None, length: int) -> bytes:
    """A list's bits cut or zero-extended to ``length`` bits (unused high bits cleared)."""
    bits = bytearray((found.bits if found else b"")[:(length + 7) // 8])
    bits.extend(bytes((length + 7) // 8 - len(bits)))
    if length % 8:
        bits[-1] &= (1 << (length % 8)) - 1
    return bytes(bits)


def _xor(a: bytes, b: bytes) -> bytes:
    return (int.from_bytes(a, "little") ^ int.from_bytes(b, "little")).to_bytes(len(a), "little")


def _varint(value: int) -> bytes:
    """Unsigned LEB128."""
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


class _Reader:
    def __init__(self, data: bytes):
        self.data, self.at = data, 0

    def take(self, n: int) -> bytes:
        if self.at + n > len(self.data):
            raise StatusListError("truncated")
        self.at += n
        return self.data[self.at - n:self.at]

    def u32(self) -> int:
        return _U32.unpack(self.take(4))[0]

    def varint(self) -> int:
        """Unsigned LEB128 in its shortest form, below 2^32 (at most 5 bytes)."""
        value = 0
        for shift in range(0, 35, 7):
            byte = self.take(1)[0]
            value |= (byte & 0x7F) << shift
            if not byte & 0x80:
                if (byte == 0 and shift) or value >= 2**32:
                    raise StatusListError("varint not in its shortest form, or too large")
                return value
        raise StatusListError("varint too long")

    def end(self) -> None:
        if self.at != len(self.data):
            raise StatusListError("bytes after the end")
