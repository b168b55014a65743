from datetime import date

from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class EligibilityCard(db.Model):
    """資格確認書: a printed card with a long-lived signed token of kind `card`.

    Each card has its own revocation seed, so withdrawing one card revokes that card's
    token only; a loss of eligibility withdraws every active card.
    """
    __tablename__ = "eligibility_card"
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    issued_at: Mapped[int] = mapped_column()
    valid_until: Mapped[date] = mapped_column()          # 有効期限 (last valid day)
    status: Mapped[str] = mapped_column(String(10), default="active")   # active / withdrawn
    withdrawn_at: Mapped[int | None] = mapped_column()
    withdraw_reason: Mapped[str | None] = mapped_column(String(200))
    revocation_seed: Mapped[bytes] = mapped_column(LargeBinary(16))
    token: Mapped[str] = mapped_column(Text)             # the signed text printed as the QR
