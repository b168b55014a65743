from sqlalchemy import LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class PasskeyCredential(db.Model):
    """A WebAuthn credential (passkey) of a staff member or a member."""
    __tablename__ = "passkey_credential"
    __table_args__ = (UniqueConstraint("credential_id", name="uq_passkey_credential_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_type: Mapped[str] = mapped_column(String(10))     # "staff" or "member"
    owner_id: Mapped[int] = mapped_column(index=True)
    credential_id: Mapped[bytes] = mapped_column(LargeBinary(1024))
    public_key: Mapped[bytes] = mapped_column(LargeBinary(1024))
    sign_count: Mapped[int] = mapped_column(default=0)
    transports: Mapped[str] = mapped_column(String(200), default="")
    name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[int] = mapped_column()
    last_used_at: Mapped[int | None] = mapped_column()
