"""Status indexes: each version-2 token's bit in a status list (docs/token-format.md,
"Status lists"), handed out and revoked here; the lists are built in keys/status_publishing.py.

- A **phone notice** index belongs to an eligibility period, per insurer: given at its first
  version-2 token, revoked by its loss. The bit stays set ``phone_bit_seconds()`` (every phone token
  it revoked has expired by then), is cleared, and the index waits ``quarantine()`` more before
  another member gets it: beyond the oldest list a clinic may still decide with, so no clinic
  can refuse the new holder with an old bit.
- A **資格確認書** index belongs to one card, in the national list of its 30-day expiry block, in
  issuance order; never reused: the block's list is dropped once its cards have all expired.
"""
from __future__ import annotations

from collections import defaultdict

from flask import current_app
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .. import clock
from ..batches import chunks
from ..extensions import db
from ..models import StatusCounter, StatusSlot, TrustListState
from ..token_core.status_lists import CARD_BLOCK_SECONDS, KIND_CARD, KIND_NOTICE

DAY = 86_400


def phone_bit_seconds() -> int:
    """How long a phone index's bit stays set after its loss: a phone token lives
    NOTICE_TOKEN_DAYS, plus a day for clocks and tokens fetched just before the loss."""
    return (current_app.config["NOTICE_TOKEN_DAYS"] + 1) * DAY


def quarantine() -> int:
    """From the bit's clearing to the index's reuse: the oldest trust list a clinic may decide
    with (validity + grace) and a day."""
    config = current_app.config
    return config["TRUST_LIST_VALIDITY_SECONDS"] + config["TRUST_LIST_GRACE_SECONDS"] + DAY


def card_block(expires_at: int) -> int:
    return expires_at // CARD_BLOCK_SECONDS


def phone_index(eligibility, insurer_number: str) -> int:
    """The eligibility period's phone index, handed out at its first version-2 token (reusing
    a quarantined index of the same insurer when there is one). The caller commits."""
    slot = db.session.scalar(db.select(StatusSlot).where(StatusSlot.eligibility_id == eligibility.id))
    if slot is not None:
        return slot.idx
    group, now = int(insurer_number), clock.now()
    free_before = now - phone_bit_seconds() - quarantine()
    for reusable in db.session.scalars(db.select(StatusSlot).where(
            StatusSlot.kind == KIND_NOTICE, StatusSlot.group_no == group,
            StatusSlot.revoked_at.is_not(None), StatusSlot.revoked_at <= free_before)
            .order_by(StatusSlot.idx).limit(3)).all():
        taken = db.session.execute(db.update(StatusSlot).where(    # another request may take it
            StatusSlot.id == reusable.id, StatusSlot.revoked_at == reusable.revoked_at)
            .values(eligibility_id=eligibility.id, allocated_at=now, revoked_at=None, revoked_version=None)
            .execution_options(synchronize_session=False, trust_list_content=False)).rowcount
        if taken:
            return reusable.idx
    return _fresh(KIND_NOTICE, group, now, eligibility_id=eligibility.id)


def card_index(card, expires_at: int) -> int:
    """A new card's index in the list of its expiry block (never reused). The caller commits."""
    return _fresh(KIND_CARD, card_block(expires_at), clock.now(), card_id=card.id)


def _fresh(kind: int, group: int, now: int, **holder) -> int:
    """The group's next never-used index: one atomic UPDATE … RETURNING on its counter."""
    idx = _take(kind, group)
    if idx is None:
        insert = (pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert)
        db.session.execute(insert(StatusCounter).values(kind=kind, group_no=group, next_idx=0)
                           .on_conflict_do_nothing())
        idx = _take(kind, group)
    if idx >= 2**32:
        raise RuntimeError("status indexes exhausted for this list group")
    db.session.add(StatusSlot(kind=kind, group_no=group, idx=idx, first_allocated_at=now,
                              allocated_at=now, **holder))
    db.session.flush()
    return idx


def _take(kind: int, group: int) -> int | None:
    taken = db.session.execute(db.update(StatusCounter).where(
        StatusCounter.kind == kind, StatusCounter.group_no == group)
        .values(next_idx=StatusCounter.next_idx + 1).returning(StatusCounter.next_idx)
        .execution_options(synchronize_session=False)).scalar()
    return None if taken is None else taken - 1


def revoke_eligibility(eligibility, effective_at: int) -> None:
    """A loss: the period's phone bit is set from ``effective_at`` (never before now, so a list
    built earlier is never contradicted), if it ever had a version-2 token."""
    bits = Revocations()
    bits.eligibility(eligibility, effective_at)
    bits.write()


def revoke_card(card, effective_at: int | None = None) -> None:
    bits = Revocations()
    bits.card(card, effective_at)
    bits.write()


class Revocations:
    """Bits to set, gathered and written together: a batch of losses sets thousands with
    one version stamp and a few statements per thousand. A holder that never had a
    version-2 token has no index: nothing to set."""

    def __init__(self) -> None:
        self._at: dict[tuple[str, int], int | None] = {}

    def eligibility(self, eligibility, effective_at: int | None) -> None:
        self._at[("eligibility_id", eligibility.id)] = effective_at

    def card(self, card, effective_at: int | None = None) -> None:
        self._at[("card_id", card.id)] = effective_at

    def write(self) -> int:
        """Set the bits (the caller commits); returns how many were set."""
        now, found = clock.now(), defaultdict(list)       # revoked_at: [slot id]
        for name in ("eligibility_id", "card_id"):
            column = getattr(StatusSlot, name)
            holders = [holder for kind, holder in self._at if kind == name]
            for chunk in chunks(holders):
                for slot_id, holder in db.session.execute(db.select(StatusSlot.id, column).where(
                        column.in_(chunk), StatusSlot.revoked_at.is_(None))):
                    at = self._at[(name, holder)]
                    found[max(now, at or now)].append(slot_id)
        if not found:
            return 0
        version = TrustListState.bumped(db.session)        # the trust list changes with them
        for revoked_at, slot_ids in found.items():
            for chunk in chunks(slot_ids):
                db.session.execute(db.update(StatusSlot).where(StatusSlot.id.in_(chunk))
                                   .values(revoked_at=revoked_at, revoked_version=version)
                                   .execution_options(synchronize_session=False,
                                                      trust_list_content=False))
        self._at.clear()
        return sum(map(len, found.values()))

