"""The trust list the server publishes: built from the register, signed by the anchor.

A snapshot is re-signed only when its content changes (a key rotated or revoked, a
revocation recorded, an insurer added) or when it is older than
TRUST_LIST_REFRESH_SECONDS, so its ETag stays stable between changes.
"""
from __future__ import annotations

import hashlib
import json

from flask import current_app

from .. import clock
from ..extensions import db
from ..models import Insurer, RevocationEntry, SigningKeyRecord, TrustListSnapshot
from ..token_core import TrustedKey, TrustList, sign_trust_list
from ..token_core.keys import kid_bytes, public_jwk, public_key_from_jwk
from . import store


def anchor_jwk() -> dict:
    """The trust anchor's public key: what verifiers pin."""
    anchor = store.anchor()
    return {**public_jwk(anchor.private_key.public_key(), anchor.kid), "alg": "ES256"}


def current_snapshot() -> TrustListSnapshot:
    now = clock.now()
    content = _content(now)
    digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
    latest = db.session.scalar(db.select(TrustListSnapshot).order_by(TrustListSnapshot.id.desc()))
    refresh = current_app.config["TRUST_LIST_REFRESH_SECONDS"]
    if latest and latest.content_hash == digest and 0 <= now - latest.issued_at < refresh:
        return latest
    trust_list = TrustList(
        issued_at=now, expires_at=now + current_app.config["TRUST_LIST_VALIDITY_SECONDS"],
        grace=current_app.config["TRUST_LIST_GRACE_SECONDS"], **content_objects(content))
    anchor = store.anchor()
    snapshot = TrustListSnapshot(content_hash=digest, issued_at=now,
                                 document=sign_trust_list(trust_list, anchor.private_key, anchor.kid))
    db.session.add(snapshot)
    db.session.commit()
    return snapshot


def _content(now: int) -> dict:
    insurers = {i.number: i.name for i in db.session.scalars(db.select(Insurer))}
    keys = [{"jwk": r.jwk, "insurers": r.insurers, "signs_from": r.signs_from,
             "signs_until": r.signs_until}
            for r in db.session.scalars(db.select(SigningKeyRecord).order_by(SigningKeyRecord.id))
            if r.published(now)]
    revocations: dict[str, int] = {}
    for entry in db.session.scalars(db.select(RevocationEntry).where(
            RevocationEntry.effective_at <= now)):
        revocations[entry.revocation_id] = max(entry.revoked_before,
                                               revocations.get(entry.revocation_id, 0))
    return {"insurers": insurers, "keys": keys, "revocations": revocations}


def content_objects(content: dict) -> dict:
    return {
        "insurers": content["insurers"],
        "keys": tuple(TrustedKey(kid=kid_bytes(k["jwk"]["kid"]),
                                 public_key=public_key_from_jwk(k["jwk"]),
                                 insurers=frozenset(k["insurers"]), signs_from=k["signs_from"],
                                 signs_until=k["signs_until"]) for k in content["keys"]),
        "revocations": {bytes.fromhex(rid): before for rid, before in content["revocations"].items()},
    }


def current_trust_list() -> TrustList:
    """The published list, parsed back through the same check a verifier makes."""
    return TrustList.from_signed(current_snapshot().document, anchor_jwk())
