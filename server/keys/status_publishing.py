"""The status lists of version-2 tokens, as the server publishes them: the state at a moment
built from the status slots (register/status_indexes.py), its signed root in the trust list
(a ``StatusPublication`` per root), the snapshot of the newest root and deltas between roots.

Any state published in the last ``validity + grace`` days can be rebuilt exactly from the
slots: a publication keeps its time, its content version (each revocation is stamped with the
version it was committed with, and versions follow commit order) and its lists' lengths; a
revocation's time is never before it was recorded; a reused index was cleared long before it
is handed out again. So a delta from any root a clinic may still hold is computed on request
from two rebuilt states, checked against both signed roots, and cached.
"""
from __future__ import annotations

import struct
from collections import OrderedDict

from flask import current_app
from sqlalchemy import func

from ..extensions import db
from ..models import StatusCounter, StatusPublication, StatusSlot, TrustListState
from ..register.status_indexes import DAY, phone_bit_seconds, quarantine
from ..token_core.status_lists import (
    CARD_BLOCK_SECONDS,
    KEY_BYTES,
    KIND_CARD,
    KIND_NOTICE,
    MAX_LIST_BITS,
    SHARD_BITS,
    SNAPSHOT_MAGIC,
    ListKey,
    StatusList,
    StatusState,
    build_delta,
    build_snapshot,
)

#: Where the snapshot and deltas are, relative to the trust list's URL (/api/v1/trust-list).
STATUS_URL = "status/"
_U32 = struct.Struct(">I")
_DELTAS = "shikaku.status_deltas"
_KEEP_DELTAS = 64


def card_list_dropped_at(block: int) -> int:
    """A card block's list leaves the state a day after its last card expired (clocks)."""
    return (block + 1) * CARD_BLOCK_SECONDS + DAY


def state_at(t: int, version: int, lengths: dict[ListKey, int]) -> StatusState:
    """The lists of ``lengths`` as they stood at ``t`` holding the revocations committed by
    content ``version``: a card bit from its revocation on, a phone bit for
    ``phone_bit_seconds()`` after it."""
    keep = phone_bit_seconds()
    positions: dict[ListKey, list[int]] = {}
    for kind, group, idx in db.session.execute(
            db.select(StatusSlot.kind, StatusSlot.group_no, StatusSlot.idx).where(
                StatusSlot.revoked_at <= t, StatusSlot.revoked_version <= version,
                (StatusSlot.kind == KIND_CARD) | (StatusSlot.revoked_at > t - keep))):
        key, position = ListKey(kind, group, idx >> SHARD_BITS), idx & (MAX_LIST_BITS - 1)
        if position < lengths.get(key, 0):
            positions.setdefault(key, []).append(position)
    return StatusState({key: StatusList.from_positions(length, positions.get(key, ()))
                        for key, length in lengths.items()})


def current_lengths(t: int) -> dict[ListKey, int]:
    """Every list now: each group's indexes handed out so far, in shards of 2^20; a card
    block's list only until card_list_dropped_at."""
    lengths = {}
    for kind, group, count in db.session.execute(db.select(
            StatusCounter.kind, StatusCounter.group_no, StatusCounter.next_idx).where(StatusCounter.next_idx > 0)):
        if kind == KIND_CARD and card_list_dropped_at(group) <= t:
            continue
        for shard in range((count - 1 >> SHARD_BITS) + 1):
            lengths[ListKey(kind, group, shard)] = min(MAX_LIST_BITS, count - (shard << SHARD_BITS))
    return lengths


def _pack(lengths: dict[ListKey, int]) -> bytes:
    return b"".join(key.to_bytes() + _U32.pack(n) for key, n in sorted(lengths.items()))


def _unpack(data: bytes) -> dict[ListKey, int]:
    step = KEY_BYTES + 4
    return {ListKey.from_bytes(data[i:i + KEY_BYTES]): _U32.unpack(data[i + KEY_BYTES:i + step])[0]
            for i in range(0, len(data), step)}


def publish(now: int) -> StatusPublication:
    """The publication for the state now: the latest one if its root is unchanged, else a new
    seq with the snapshot (older snapshots' bytes are dropped; publications older than any
    list a clinic may decide with are deleted). The caller commits."""
    version = db.session.scalar(db.select(TrustListState.version).where(TrustListState.id == 1))
    lengths = current_lengths(now)
    state = state_at(now, version, lengths)
    latest = db.session.scalar(db.select(StatusPublication).order_by(StatusPublication.seq.desc()).limit(1))
    if latest is not None and latest.root == state.root:
        if latest.snapshot is not None and not latest.snapshot.startswith(SNAPSHOT_MAGIC):
            latest.snapshot = build_snapshot(state)     # stored in an older snapshot format
        return latest
    publication = StatusPublication(seq=(latest.seq + 1) if latest else 1, built_at=now, content_version=version,
                                    lengths=_pack(lengths), root=state.root, snapshot=build_snapshot(state))
    db.session.add(publication)
    db.session.flush()
    db.session.execute(db.update(StatusPublication).where(StatusPublication.seq < publication.seq,
                                                          StatusPublication.snapshot.is_not(None))
                       .values(snapshot=None))
    oldest = now - (current_app.config["TRUST_LIST_VALIDITY_SECONDS"]
                    + current_app.config["TRUST_LIST_GRACE_SECONDS"] + DAY)
    db.session.execute(db.delete(StatusPublication).where(StatusPublication.built_at < oldest,
                                                          StatusPublication.seq < publication.seq))
    return publication


def state_now(now: int) -> StatusState:
    """The state as a publication built now would hold it."""
    version = db.session.scalar(db.select(TrustListState.version).where(TrustListState.id == 1))
    return state_at(now, version, current_lengths(now))


def rebuilt(publication: StatusPublication) -> StatusState:
    """The state a publication signed, rebuilt from the slots."""
    return state_at(publication.built_at, publication.content_version, _unpack(publication.lengths))


def state_for(status_root) -> StatusState | None:
    """The state a trust list's ``status`` root vouches for, if this server published it and
    can still rebuild it (for verifying on the server: the CLI); None otherwise."""
    if status_root is None:
        return None
    publication = db.session.get(StatusPublication, status_root.seq)
    if publication is None or publication.root != status_root.root:
        return None
    state = rebuilt(publication)
    return state if state.root == status_root.root else None


def snapshot(seq: int) -> bytes | None:
    """The snapshot of ``seq`` if it is the newest (older ones are served as deltas)."""
    return db.session.scalar(db.select(StatusPublication.snapshot).where(StatusPublication.seq == seq))


def delta(from_seq: int, to_seq: int) -> bytes | None:
    """The delta from one published root to a later one, or None when either is unknown or
    the older state can no longer be rebuilt (the clinic then takes the snapshot)."""
    if from_seq >= to_seq:
        return None
    cache: OrderedDict = current_app.extensions.setdefault(_DELTAS, OrderedDict())
    if (from_seq, to_seq) in cache:
        cache.move_to_end((from_seq, to_seq))
        return cache[(from_seq, to_seq)]
    old, new = (db.session.get(StatusPublication, seq) for seq in (from_seq, to_seq))
    if old is None or new is None:
        return None
    old_state, new_state = rebuilt(old), rebuilt(new)
    if old_state.root != old.root or new_state.root != new.root:
        return None
    data = build_delta(old_state, new_state)
    cache[(from_seq, to_seq)] = data
    while len(cache) > _KEEP_DELTAS:
        cache.popitem(last=False)
    return data


def next_change(now: int) -> int | None:
    """The first moment after ``now`` at which the state changes with no write: a loss
    recorded ahead of its date taking effect, a phone bit clearing, a card block's list
    dropped."""
    keep = phone_bit_seconds()
    times = [
        db.session.scalar(db.select(func.min(StatusSlot.revoked_at)).where(StatusSlot.revoked_at > now)),
        db.session.scalar(db.select(func.min(StatusSlot.revoked_at + keep)).where(
            StatusSlot.kind == KIND_NOTICE, StatusSlot.revoked_at > now - keep)),
    ]
    blocks = db.session.scalars(db.select(StatusCounter.group_no).where(StatusCounter.kind == KIND_CARD))
    times += [card_list_dropped_at(b) for b in blocks if card_list_dropped_at(b) > now]
    future = [t for t in times if t is not None and t > now]
    return min(future) if future else None


__all__ = ["STATUS_URL", "state_at", "state_for", "current_lengths", "publish", "rebuilt", "snapshot", "delta",
           "next_change", "quarantine"]
