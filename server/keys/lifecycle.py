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
    record = new_key(insurers)
    db.session.commit()
    return record


def new_key(insurers: list[str]) -> SigningKeyRecord:
    """A new current key for ``insurers`` (the private half in the key directory); the caller
    commits."""
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


def ensure_keys() -> list[SigningKeyRecord]:
    """A current signing key of its own for every insurer that has none (commits)."""
    covered = {n for record in current_keys() for n in record.insurers}
    created = [new_key([number]) for number in all_insurer_numbers() if number not in covered]
    if created:
        db.session.commit()
    return created


def all_insurer_numbers() -> list[str]:
    return [i.number for i in db.session.scalars(db.select(Insurer).order_by(Insurer.number))]


def current_keys() -> list[SigningKeyRecord]:
    return list(db.session.scalars(db.select(SigningKeyRecord).where(
        SigningKeyRecord.signs_until.is_(None), SigningKeyRecord.revoked_at.is_(None))
        .order_by(SigningKeyRecord.id)))


def find(kid: str, allowed=None) -> SigningKeyRecord:
    record = db.session.scalar(db.select(SigningKeyRecord).where(SigningKeyRecord.kid == kid))
    if record is None or (allowed is not None and not allowed(record)):
        raise KeyManagementError(f"no signing key {kid}")
    return record


def rotate(kid: str | None = None, *, insurer: str | None = None, actor: str | None = None,
           allowed=None) -> list[tuple[SigningKeyRecord, SigningKeyRecord]]:
    """Retire the current key(s) — KID, or those signing for ``insurer``, or all — and make
    new ones with the same scope. ``allowed(record)``: may the caller touch this key (an
    insurer admin: keys of their insurers only)? A key outside it is "no such key".

    The old public keys stay in the trust list until the last token they signed expires.
    """
    if kid:
        olds = [find(kid, allowed)]
    else:
        olds = [r for r in current_keys() if insurer is None or insurer in r.insurers]
    if not olds:
        raise KeyManagementError("no current signing key to rotate; run `shikaku keys init`")
    pairs = []
    for old in olds:
        if old.signs_until is not None or old.revoked_at is not None:
            raise KeyManagementError(f"key {old.kid} is not current")
        new = new_key(old.insurers)
        old.signs_until = clock.now()
        pairs.append((old, new))
    db.session.flush()
    for old, new in pairs:
        audit.record("key.rotate", new, before={"kid": old.kid}, after={"kid": new.kid}, actor=actor)
    db.session.commit()
    return pairs


def revoke(kid: str, *, replace: bool = True, actor: str | None = None,
           allowed=None) -> tuple[SigningKeyRecord, SigningKeyRecord | None]:
    """Compromise: withdraw trust at once (the next trust list drops the key, so every token
    it signed verifies as ``unknown_key``) and destroy the private key. Only this key: other
    insurers' keys are untouched. ``replace``: when it was current, a new key with the same
    scope takes over at once, so members' phones get new tokens at their next fetch (printed
    資格確認書 signed by it must be reissued). Returns (revoked, replacement or None)."""
    record = find(kid, allowed)
    if record.revoked_at is not None:
        raise KeyManagementError(f"key {kid} is already revoked")
    now = clock.now()
    was_current = record.signs_until is None
    record.revoked_at = now
    if was_current:
        record.signs_until = now
    replacement = new_key(record.insurers) if replace and was_current else None
    db.session.flush()
    audit.record("key.revoke", record, before={"kid": record.kid},
                 after={"replaced_by": replacement.kid if replacement else None}, actor=actor)
    db.session.commit()
    store.destroy_signing_key(kid_bytes(kid))
    return record, replacement


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
