"""Signing-key life cycle: provision, rotate, revoke; pick the key for an insurer."""
from __future__ import annotations

import json

from .. import clock
from ..extensions import db
from ..models import Insurer, SigningKeyRecord
from ..register import audit
from ..token_core.keys import SigningKey, kid_bytes, kid_text, public_jwk
from . import store


class KeyManagementError(Exception):
    pass


def has_anchor() -> bool:
    return store.has_anchor()


def ensure_anchor() -> bool:
    """Create the trust-anchor key if there is none. Returns True when created."""
    if store.has_anchor():
        return False
    store.create_anchor()
    return True


def create_key(insurers: list[str]) -> SigningKeyRecord:
    record = _new_key(insurers)
    db.session.commit()
    return record


def _new_key(insurers: list[str]) -> SigningKeyRecord:
    if not insurers:
        raise KeyManagementError("a signing key needs at least one insurer in scope")
    key = store.create_signing_key(taken=lambda kid: db.session.scalar(
        db.select(SigningKeyRecord.id).where(SigningKeyRecord.kid == kid_text(kid))) is not None)
    now = clock.now()
    record = SigningKeyRecord(
        kid=kid_text(key.kid), public_jwk=json.dumps(public_jwk(key.private_key.public_key(), key.kid)),
        insurers_json=json.dumps(sorted(set(insurers))), created_at=now, signs_from=now)
    db.session.add(record)
    return record


def all_insurer_numbers() -> list[str]:
    return [i.number for i in db.session.scalars(db.select(Insurer).order_by(Insurer.number))]


def current_keys() -> list[SigningKeyRecord]:
    return list(db.session.scalars(db.select(SigningKeyRecord).where(
        SigningKeyRecord.signs_until.is_(None), SigningKeyRecord.revoked_at.is_(None))
        .order_by(SigningKeyRecord.id)))


def find(kid: str) -> SigningKeyRecord:
    record = db.session.scalar(db.select(SigningKeyRecord).where(SigningKeyRecord.kid == kid))
    if record is None:
        raise KeyManagementError(f"no signing key {kid}")
    return record


def rotate(kid: str | None = None, *, actor: str | None = None) -> list[tuple[SigningKeyRecord, SigningKeyRecord]]:
    """Retire the current key(s) and make new ones with the same scope.

    The old public keys stay in the trust list until the last token they signed expires.
    """
    olds = [find(kid)] if kid else current_keys()
    if not olds:
        raise KeyManagementError("no current signing key to rotate; run `shikaku keys init`")
    pairs = []
    for old in olds:
        if old.signs_until is not None or old.revoked_at is not None:
            raise KeyManagementError(f"key {old.kid} is not current")
        new = _new_key(old.insurers)
        old.signs_until = clock.now()
        pairs.append((old, new))
    db.session.flush()
    for old, new in pairs:
        audit.record("key.rotate", new, before={"kid": old.kid}, after={"kid": new.kid}, actor=actor)
    db.session.commit()
    return pairs


def revoke(kid: str) -> SigningKeyRecord:
    """Compromise drill: withdraw trust at once and destroy the private key."""
    record = find(kid)
    if record.revoked_at is not None:
        raise KeyManagementError(f"key {kid} is already revoked")
    now = clock.now()
    record.revoked_at = now
    if record.signs_until is None:
        record.signs_until = now
    db.session.commit()
    store.destroy_signing_key(kid_bytes(kid))
    return record


def key_for(insurer_number: str) -> tuple[SigningKeyRecord, SigningKey]:
    for record in reversed(current_keys()):
        if insurer_number in record.insurers:
            return record, store.signing_key(kid_bytes(record.kid))
    raise KeyManagementError(f"no current signing key may sign for insurer {insurer_number}")


#: How far ahead of a token's expiry ``note_signed`` moves the key's mark: one write per key
#: per hour instead of one per token; a retired key stays published at most this much longer.
NOTE_SIGNED_AHEAD = 3600


def note_signed(record: SigningKeyRecord, expires_at: int) -> None:
    """Keep the key published until the last token it signed has expired (an atomic
    "raise to at least", so a short token signed at the same time cannot lower it). Written
    only when the mark is behind, and then an hour ahead of the token (NOTE_SIGNED_AHEAD)."""
    if record.tokens_valid_until is not None and record.tokens_valid_until >= expires_at:
        return
    db.session.execute(db.update(SigningKeyRecord).where(
        SigningKeyRecord.id == record.id,
        db.or_(SigningKeyRecord.tokens_valid_until.is_(None),
               SigningKeyRecord.tokens_valid_until < expires_at))
        .values(tokens_valid_until=expires_at + NOTE_SIGNED_AHEAD)
        .execution_options(trust_list_content=False))     # a current key is published anyway
