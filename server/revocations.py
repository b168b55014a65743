"""Revocation entries: "tokens with this revocation id issued before T are void".

Added in the same transaction as the change that causes them (a loss of eligibility, a
card withdrawn), so the very next trust list carries them.
"""
from . import clock
from .db import db
from .models import RevocationEntry


def revoke(revocation_id: bytes, reason: str) -> RevocationEntry:
    entry = RevocationEntry(revocation_id=revocation_id.hex(), revoked_before=clock.now() + 1,
                            reason=reason, created_at=clock.now())
    db.session.add(entry)
    return entry
