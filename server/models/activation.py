from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class ActivationCode(db.Model):
    """利用開始コード printed on the notice: stored as a hash only; single use; expires;
    locked after too many failed attempts; a reissue invalidates the previous one."""
    __tablename__ = "activation_code"
    # At most one live code per member, even when two notices are printed at once.
    __table_args__ = (Index("uq_activation_code_live", "member_id", unique=True,
                            sqlite_where=text("used_at IS NULL AND invalidated_at IS NULL"),
                            postgresql_where=text("used_at IS NULL AND invalidated_at IS NULL")),)
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[int] = mapped_column()
    expires_at: Mapped[int] = mapped_column()
    used_at: Mapped[int | None] = mapped_column()
    invalidated_at: Mapped[int | None] = mapped_column()
    failed_attempts: Mapped[int] = mapped_column(default=0)
    # 暗証番号: the second factor, printed on a separate sheet (never on the notice); HMAC only.
    pin_hash: Mapped[str | None] = mapped_column(String(64))
    pin_issued_at: Mapped[int | None] = mapped_column()

    def state(self, now: int, max_attempts: int) -> str:
        if self.used_at is not None:
            return "used"
        if self.invalidated_at is not None:
            return "replaced"
        if self.failed_attempts >= max_attempts:
            return "locked"
        if now >= self.expires_at:
            return "expired"
        return "active"


class ActivationGuess(db.Model):
    """Wrong answers given for a code that does not exist, counted like a real code's (by the
    code's hash, until it would have expired), so that unknown and real codes answer alike —
    the same tries left, the same lock, the same database work."""
    __tablename__ = "activation_guess"
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failed_attempts: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[int] = mapped_column(index=True)
