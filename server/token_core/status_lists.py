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

A snapshot carries every list (each zlib-compressed); a delta carries, per changed list, its new
length and the flipped bits. :func:`parse_snapshot` and :func:`apply_delta` refuse anything
whose recomputed root differs from the signed one. Work and memory are bounded (the MAX_*
constants): nothing is decompressed past them.
"""
from __future__ import annotations

import hashlib
import re
import struct
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
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
SNAPSHOT_MAGIC = b"SPS\x01"
DELTA_MAGIC = b"SPD\x01"
KEY_BYTES = 7
DIGEST_BYTES = 32
DIRECTORY_ENTRY_BYTES = KEY_BYTES + 4 + DIGEST_BYTES     # 43
_KEY = struct.Struct(">BIH")
_U32 = struct.Struct(">I")
_NONZERO = re.compile(rb"[^\x00]")


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
    """magic ‖ u32 count ‖ per list (key order): key ‖ u32 bit length ‖ u32 n ‖ n bytes of zlib."""
    out = [SNAPSHOT_MAGIC, _U32.pack(len(state.lists))]
    for key, s in state.lists.items():
        packed = zlib.compress(s.bits, 9)
        out += [key.to_bytes(), _U32.pack(s.length), _U32.pack(len(packed)), packed]
    return b"".join(out)


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
            bits = inflate(reader.take(reader.u32()), (length + 7) // 8)
            if len(bits) != (length + 7) // 8:
                raise StatusListError("a list inflates to the wrong size")
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
