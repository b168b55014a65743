"""Revocation entries: "tokens with this revocation id issued before T are void".

Added in the same transaction as the change that causes them (a loss of eligibility, a
card withdrawn), so the very next trust list carries them.
"""
from .. import clock
from ..extensions import db
from ..models import RevocationEntry


def revoke(revocation_id: bytes, reason: str, *, effective_at: int | None = None) -> RevocationEntry:
    """Revoke tokens issued before ``effective_at`` (default: now), published from then on.

    A loss recorded late (its date in the past) revokes every token issued until now; a
    loss recorded ahead of its date is published on that date, so the member's tokens
    keep working until then."""
    now = clock.now()
    effective = max(now, effective_at or now)
    entry = RevocationEntry(revocation_id=revocation_id.hex(), revoked_before=effective + 1,
                            effective_at=effective, reason=reason, created_at=now)
    db.session.add(entry)
    return entry
