from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class RevocationEntry(db.Model):
    """失効: tokens carrying ``revocation_id`` issued before ``revoked_before`` are void,
    from ``effective_at`` (a loss recorded ahead of its date takes effect on that date) until
    ``publish_until``. Only version-1 tokens carry revocation ids."""
    __tablename__ = "revocation"
    id: Mapped[int] = mapped_column(primary_key=True)
    revocation_id: Mapped[str] = mapped_column(String(16), index=True)   # hex of 8 bytes
    revoked_before: Mapped[int] = mapped_column()
    effective_at: Mapped[int] = mapped_column(default=0)   # published in trust lists from then
    reason: Mapped[str] = mapped_column(String(40))                      # loss, card_withdrawn, ...
    created_at: Mapped[int] = mapped_column()
    #: published until then: every token it revokes has expired (None: for ever, as before)
    publish_until: Mapped[int | None] = mapped_column()
