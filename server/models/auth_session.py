from sqlalchemy import Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class AuthSession(db.Model):
    """A signed-in device of a member or a staff member. The cookie carries only a random
    token whose hash is stored here, so the server can end a session (sign-out, a lost
    phone, a deleted passkey, a loss of eligibility) wherever its cookie has been copied."""
    __tablename__ = "auth_session"
    __table_args__ = (Index("ix_auth_session_owner", "owner_type", "owner_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    owner_type: Mapped[str] = mapped_column(String(10))     # "member" or "staff"
    owner_id: Mapped[int] = mapped_column()
    created_at: Mapped[int] = mapped_column()
    last_seen_at: Mapped[int] = mapped_column()
    expires_at: Mapped[int] = mapped_column()                # absolute lifetime
    verified_at: Mapped[int] = mapped_column()               # last user-verified passkey use
    device: Mapped[str] = mapped_column(String(120), default="")
    ended_at: Mapped[int | None] = mapped_column()
    end_reason: Mapped[str | None] = mapped_column(String(30))


class CeremonyChallenge(db.Model):
    """A WebAuthn challenge, kept by the server and consumed exactly once: an assertion or
    attestation replayed (from a proxy log, or with an older cookie) finds it used."""
    __tablename__ = "ceremony_challenge"
    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(30))
    challenge: Mapped[bytes] = mapped_column(LargeBinary(64), unique=True)
    browser_hash: Mapped[bytes] = mapped_column(LargeBinary(32))   # binds it to the browser that asked
    state_json: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[int] = mapped_column()
    expires_at: Mapped[int] = mapped_column(index=True)
    consumed_at: Mapped[int | None] = mapped_column()
