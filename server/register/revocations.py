"""Revocation entries: "tokens with this revocation id issued before T are void".

Added in the same transaction as the change that causes them (a loss of eligibility, a
card withdrawn), so the very next trust list carries them.
"""
from flask import current_app

from .. import clock
from ..extensions import db
from ..models import RevocationEntry


def revoke(revocation_id: bytes, reason: str, *, effective_at: int | None = None,
           tokens_until: int | None = None) -> RevocationEntry:
    """Revoke (version-1) tokens issued before ``effective_at`` (default: now), published from
    then on, until every token it revokes has expired (``tokens_until``, their latest expiry,
    plus the clock skew; None: for ever).

    A loss recorded late (its date in the past) revokes every token issued until now; a
    loss recorded ahead of its date is published on that date, so the member's tokens
    keep working until then."""
    now = clock.now()
    effective = max(now, effective_at or now)
    until = None if tokens_until is None else tokens_until + current_app.config["VERIFY_SKEW_SECONDS"]
    entry = RevocationEntry(revocation_id=revocation_id.hex(), revoked_before=effective + 1,
                            effective_at=effective, reason=reason, created_at=now, publish_until=until)
    db.session.add(entry)
    return entry
