from __future__ import annotations

import json

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class SigningKeyRecord(db.Model):
    """A token-signing key's public half and life cycle. The private half is a file
    in the key directory (see server/keys/store.py), never in the database.

    current: signs_until is None. retired: signs_until set; stays published while
    tokens it signed are unexpired (tokens_valid_until). revoked: never published again.
    """
    __tablename__ = "signing_key"
    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(16), unique=True)    # base64url of 4 bytes
    public_jwk: Mapped[str] = mapped_column(Text)
    insurers_json: Mapped[str] = mapped_column(Text)              # scope: insurer numbers
    created_at: Mapped[int] = mapped_column()
    signs_from: Mapped[int] = mapped_column()
    signs_until: Mapped[int | None] = mapped_column()
    tokens_valid_until: Mapped[int | None] = mapped_column()      # latest expiry it signed
    revoked_at: Mapped[int | None] = mapped_column()

    @property
    def insurers(self) -> list[str]:
        return json.loads(self.insurers_json)

    @property
    def jwk(self) -> dict:
        return json.loads(self.public_jwk)

    def state(self, now: int) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.signs_until is None:
            return "current"
        return "retired" if self.published(now) else "expired"

    def published(self, now: int) -> bool:
        if self.revoked_at is not None:
            return False
        return self.signs_until is None or (self.tokens_valid_until or 0) > now
