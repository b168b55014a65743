from sqlalchemy import BigInteger, ForeignKey, Index, LargeBinary, SmallInteger, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column

from ..extensions import db


class StatusSlot(db.Model):
    """One status index: a bit in a status list (docs/token-format.md, "Status lists").

    kind 1 (phone notices): ``group_no`` is the insurer number, the holder an eligibility
    period; the index is reused after a quarantine (server/keys/status.py). kind 2 (資格確認書):
    ``group_no`` is the card's 30-day expiry block, the holder a card; never reused.
    ``first_allocated_at`` never changes (a list's length at time t counts the indexes handed
    out by then); ``revoked_at``: the bit is set from then (a phone bit only for a while).
    """
    __tablename__ = "status_slot"
    __table_args__ = (UniqueConstraint("kind", "group_no", "idx", name="uq_status_slot_index"),
                      UniqueConstraint("eligibility_id", name="uq_status_slot_eligibility_id"),
                      UniqueConstraint("card_id", name="uq_status_slot_card_id"),
                      Index("ix_status_slot_revoked", "revoked_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[int] = mapped_column(SmallInteger)
    group_no: Mapped[int] = mapped_column(BigInteger)
    idx: Mapped[int] = mapped_column(BigInteger)
    eligibility_id: Mapped[int | None] = mapped_column(ForeignKey("eligibility.id"))
    card_id: Mapped[int | None] = mapped_column(ForeignKey("eligibility_card.id"))
    first_allocated_at: Mapped[int] = mapped_column()
    allocated_at: Mapped[int] = mapped_column()
    revoked_at: Mapped[int | None] = mapped_column()
    #: the trust-list content version its revocation was committed with: a publication built
    #: at version V holds exactly the revocations with revoked_version <= V
    revoked_version: Mapped[int | None] = mapped_column(BigInteger)


class StatusCounter(db.Model):
    """The next never-used index of a list group (an insurer's phone indexes, a card block)."""
    __tablename__ = "status_counter"
    kind: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    group_no: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    next_idx: Mapped[int] = mapped_column(BigInteger)


class StatusPublication(db.Model):
    """A status root the server signed into a trust list: ``seq`` (grows), what its state was
    built from — the time, the content version (which revocations) and each list's length —
    so that it can be rebuilt exactly from the slots and deltas from any seq a clinic may hold
    are computed on request; the root; the snapshot bytes for the newest only."""
    __tablename__ = "status_publication"
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    built_at: Mapped[int] = mapped_column()
    content_version: Mapped[int] = mapped_column(BigInteger)
    lengths: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))   # per list: key ‖ u32 bits
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    snapshot: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
