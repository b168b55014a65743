from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

ROLES = ("clerk", "admin")


class Staff(db.Model):
    """保険者の職員: signs in with passkeys only. clerk: members and notices; admin: + staff, keys."""
    __tablename__ = "staff"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    role: Mapped[str] = mapped_column(String(10))
    user_handle: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)   # WebAuthn user.id
    created_at: Mapped[int] = mapped_column()
    disabled_at: Mapped[int | None] = mapped_column()

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class StaffInvite(db.Model):
    """A one-time, expiring link to register a staff member's first passkey. Hash only."""
    __tablename__ = "staff_invite"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[int] = mapped_column()
    expires_at: Mapped[int] = mapped_column()
    used_at: Mapped[int | None] = mapped_column()
    invited_by: Mapped[str] = mapped_column(String(80))
