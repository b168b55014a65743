"""The trust list the server publishes: built from the register, signed by the anchor, and
served as stored bytes.

Building the list reads every insurer, key and revocation and signs the result: far too much
for each request (at 10⁶ revocations, seconds). So:

- Any change to what the list says (an Insurer, a SigningKeyRecord, a RevocationEntry written
  through the ORM, bulk statements included) bumps ``TrustListState.version`` in the same
  transaction (the session events below), so committed changes and the version move together.
- A snapshot stores the signed text, its gzip bytes, its ETag, the version it was built from
  and ``valid_until``: when time alone would change it (a future revocation taking effect, a
  retired key's last token expiring) or it is due for re-signing (TRUST_LIST_REFRESH_SECONDS).
- A worker keeps the current snapshot in memory and looks at the version (one integer) at most
  every TRUST_LIST_CHECK_SECONDS; the worker that commits a change forgets its copy at once.
  A 304 or a 200 is then answered from memory, with no query and no signature.
- A new snapshot is signed only when the content (its SHA-256) changed or the list is due;
  all but the newest two snapshots are deleted then.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import time
from dataclasses import dataclass, field

from flask import current_app, has_app_context
from sqlalchemy import event, func, inspect
from sqlalchemy.orm import Session

from .. import clock
from ..extensions import db
from ..models import (
    Insurer,
    RevocationEntry,
    SigningKeyRecord,
    StatusSlot,
    TrustListSnapshot,
    TrustListState,
)
from ..token_core import StatusRoot, TrustedKey, TrustList, sign_trust_list
from ..token_core.keys import kid_bytes, public_jwk, public_key_from_jwk
from . import status_publishing, store

#: The tables whose rows the trust list is made of. Status slots count through statements
#: only (a revocation is an UPDATE; handing out an index changes no published bit).
_CONTENT = (Insurer, SigningKeyRecord, RevocationEntry)
_CONTENT_TABLES = {model.__table__.name for model in _CONTENT} | {StatusSlot.__table__.name}
#: Columns that change no list: when a current key last signed (it is published anyway).
_NOT_CONTENT = {"tokens_valid_until"}
#: Snapshots kept: the one served and the one before it (a request may still be reading it).
KEEP_SNAPSHOTS = 2
_MEMO = "shikaku.trust_list"


@dataclass(frozen=True)
class Published:
    """The list as served: what a request needs, without the database."""
    id: int
    etag: str
    issued_at: int
    valid_until: int
    version: int | None
    document: str
    document_gzip: bytes
    checked_at: float = field(compare=False)      # time.monotonic() of the last version check


def anchor_jwk() -> dict:
    """The trust anchor's public key: what verifiers pin."""
    anchor = store.anchor()
    return {**public_jwk(anchor.private_key.public_key(), anchor.kid), "alg": "ES256"}


def current() -> Published:
    """The list to serve now."""
    memo: Published | None = current_app.extensions.get(_MEMO)
    now = clock.now()
    check = current_app.config["TRUST_LIST_CHECK_SECONDS"]
    if memo and memo.issued_at <= now < memo.valid_until and time.monotonic() - memo.checked_at < check:
        return memo
    version = db.session.scalar(db.select(TrustListState.version).where(TrustListState.id == 1))
    latest = db.session.scalar(db.select(TrustListSnapshot).order_by(TrustListSnapshot.id.desc()))
    if (latest is not None and version is not None and latest.content_version == version
            and latest.etag and latest.issued_at <= now < (latest.valid_until or 0)):
        published = _published(latest, version, memo)
    else:
        published = _published(_build(now, version, latest), version, None)
    current_app.extensions[_MEMO] = published
    return published


def current_trust_list() -> TrustList:
    """The published list, parsed back through the same check a verifier makes."""
    return TrustList.from_signed(current().document, anchor_jwk())


def verify_now(text, *, now: int | None = None):
    """Verify a token as a clinic holding the current list and its status lists would (the
    CLI, tests): a VerificationResult."""
    from ..token_core import verify
    trust_list = current_trust_list()
    return verify(text, trust_list, now=clock.now() if now is None else now,
                  skew=current_app.config["VERIFY_SKEW_SECONDS"],
                  status=status_publishing.state_for(trust_list.status))


def forget() -> None:
    """Drop this worker's copy (after it committed a change, or in tests)."""
    if has_app_context():
        current_app.extensions.pop(_MEMO, None)


def _published(snapshot: TrustListSnapshot, version: int | None, memo: Published | None) -> Published:
    if memo is not None and memo.id == snapshot.id:       # same bytes: no need to load them again
        document, document_gzip = memo.document, memo.document_gzip
    else:
        document, document_gzip = snapshot.document, snapshot.document_gzip
    return Published(id=snapshot.id, etag=snapshot.etag, issued_at=snapshot.issued_at,
                     valid_until=snapshot.valid_until, version=version, document=document,
                     document_gzip=document_gzip, checked_at=time.monotonic())


def _build(now: int, version: int | None, latest: TrustListSnapshot | None) -> TrustListSnapshot:
    """Re-read the register; sign a new snapshot only if the content changed or is due."""
    content = _content(now)
    digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
    refresh = current_app.config["TRUST_LIST_REFRESH_SECONDS"]
    if (latest is not None and latest.etag and latest.content_hash == digest
            and 0 <= now - latest.issued_at < refresh):
        snapshot = latest                                  # same list: keep its bytes and ETag
    else:
        trust_list = TrustList(
            issued_at=now, expires_at=now + current_app.config["TRUST_LIST_VALIDITY_SECONDS"],
            grace=current_app.config["TRUST_LIST_GRACE_SECONDS"], **content_objects(content))
        anchor = store.anchor()
        document = sign_trust_list(trust_list, anchor.private_key, anchor.kid)
        body = document.encode()
        snapshot = TrustListSnapshot(
            content_hash=digest, issued_at=now, document=document,
            document_gzip=gzip.compress(body, 9, mtime=0),
            etag=hashlib.sha256(body).hexdigest()[:32])
        db.session.add(snapshot)
        db.session.flush()
        _prune(snapshot.id)
    snapshot.content_version = version
    snapshot.valid_until = _valid_until(now, snapshot.issued_at + refresh)
    db.session.commit()
    return snapshot


def _prune(newest_id: int) -> None:
    kept = db.session.scalars(db.select(TrustListSnapshot.id).order_by(TrustListSnapshot.id.desc())
                              .limit(KEEP_SNAPSHOTS)).all()
    db.session.execute(db.delete(TrustListSnapshot).where(TrustListSnapshot.id < min(kept + [newest_id])))


def _valid_until(now: int, due: int) -> int:
    """The first moment the list's content can change with no write: a revocation recorded
    ahead of its date taking effect, a retired key's last token expiring; or ``due``."""
    next_revocation = db.session.scalar(db.select(func.min(RevocationEntry.effective_at))
                                        .where(RevocationEntry.effective_at > now))
    next_key_end = db.session.scalar(db.select(func.min(SigningKeyRecord.tokens_valid_until)).where(
        SigningKeyRecord.signs_until.is_not(None), SigningKeyRecord.revoked_at.is_(None),
        SigningKeyRecord.tokens_valid_until > now))
    next_revocation_end = db.session.scalar(db.select(func.min(RevocationEntry.publish_until))
                                            .where(RevocationEntry.publish_until > now))
    return min(t for t in (due, next_revocation, next_key_end, next_revocation_end,
                           status_publishing.next_change(now)) if t is not None)


def _content(now: int) -> dict:
    insurers = {i.number: i.name for i in db.session.scalars(db.select(Insurer))}
    keys = [{"jwk": r.jwk, "insurers": r.insurers, "signs_from": r.signs_from,
             "signs_until": r.signs_until}
            for r in db.session.scalars(db.select(SigningKeyRecord).order_by(SigningKeyRecord.id))
            if r.published(now)]
    revocations: dict[str, int] = {}
    for rid, before in db.session.execute(db.select(RevocationEntry.revocation_id,
                                                    RevocationEntry.revoked_before)
                                          .where(RevocationEntry.effective_at <= now,
                                                 db.or_(RevocationEntry.publish_until.is_(None),
                                                        RevocationEntry.publish_until > now))):
        revocations[rid] = max(before, revocations.get(rid, 0))
    publication = status_publishing.publish(now)
    status = {"seq": publication.seq, "root": publication.root.hex(), "url": status_publishing.STATUS_URL}
    return {"insurers": insurers, "keys": keys, "revocations": revocations, "status": status}


def content_objects(content: dict) -> dict:
    return {
        "insurers": content["insurers"],
        "keys": tuple(TrustedKey(kid=kid_bytes(k["jwk"]["kid"]),
                                 public_key=public_key_from_jwk(k["jwk"]),
                                 insurers=frozenset(k["insurers"]), signs_from=k["signs_from"],
                                 signs_until=k["signs_until"]) for k in content["keys"]),
        "revocations": {bytes.fromhex(rid): before for rid, before in content["revocations"].items()},
        "status": StatusRoot(seq=content["status"]["seq"], root=bytes.fromhex(content["status"]["root"]),
                             url=content["status"]["url"]),
    }


# -- the content version: bumped in the transaction that changes the content -------------

def _bump(session: Session) -> None:
    TrustListState.bump(session)


def _content_changed(obj) -> bool:
    state = inspect(obj)
    return any(attr.history.has_changes() for attr in state.attrs if attr.key not in _NOT_CONTENT)


@event.listens_for(Session, "before_flush")
def _before_flush(session, flush_context, instances):
    changed = (any(isinstance(o, _CONTENT) for o in session.new)
               or any(isinstance(o, _CONTENT) for o in session.deleted)
               or any(isinstance(o, _CONTENT) and _content_changed(o) for o in session.dirty))
    if changed:
        session.info["trust_list_bump"] = True


@event.listens_for(Session, "after_flush")
def _after_flush(session, flush_context):
    if session.info.pop("trust_list_bump", False):
        _bump(session)


@event.listens_for(Session, "do_orm_execute")
def _bulk_statement(state):
    """UPDATE / DELETE / INSERT statements on a content table (e.g. revocations written in
    bulk), unless marked ``execution_options(trust_list_content=False)``."""
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in _CONTENT_TABLES and state.execution_options.get(
            "trust_list_content", True):
        _bump(state.session)


@event.listens_for(Session, "after_commit")
def _after_commit(session):
    session.info.pop("trust_list_version", None)
    if session.info.pop("trust_list_changed", False):
        forget()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session):
    session.info.pop("trust_list_version", None)
    session.info.pop("trust_list_changed", None)
    session.info.pop("trust_list_bump", None)
