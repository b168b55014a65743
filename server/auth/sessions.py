"""Server-side sessions: what the cookie's random token stands for, and how they end.

The signed cookie holds only ``session["sid"]``, a random token; its SHA-256 is the
AuthSession row. Every request checks the row: not ended, within its idle and absolute
lifetime (MEMBER_SESSION_IDLE_DAYS / MEMBER_SESSION_MAX_DAYS, STAFF_IDLE_MINUTES /
STAFF_SESSION_MAX_HOURS). So a copied cookie stops working when the member signs out, signs
out everywhere, deletes a passkey, is re-activated or loses eligibility, or when an admin ends
the sessions or disables a staff account.
"""
from __future__ import annotations

import hashlib
import secrets

from flask import current_app, request, session

from .. import clock
from ..batches import chunks
from ..extensions import db
from ..models import AuthSession

#: How often last_seen_at is written (seconds): often enough for "last use", not every request.
TOUCH_EVERY = 60
#: A fresh user-verified passkey use is needed for sensitive changes (adding a passkey).
STEP_UP_SECONDS = 300


def _hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def _lifetimes(owner_type: str) -> tuple[int, int]:
    """(idle, absolute) in seconds."""
    config = current_app.config
    if owner_type == "staff":
        return config["STAFF_IDLE_MINUTES"] * 60, config["STAFF_SESSION_MAX_HOURS"] * 3600
    return config["MEMBER_SESSION_IDLE_DAYS"] * 86400, config["MEMBER_SESSION_MAX_DAYS"] * 86400


def _device() -> str:
    """A short description of the browser for "signed-in devices" (no address is kept)."""
    agent = request.headers.get("User-Agent", "")
    return agent[:120]


def start(owner_type: str, owner_id: int) -> AuthSession:
    """Sign in: a new session after a user-verified passkey ceremony (the caller commits).
    The cookie is renewed as a whole, so nothing from before the sign-in carries over."""
    now, token = clock.now(), secrets.token_urlsafe(32)
    _, absolute = _lifetimes(owner_type)
    record = AuthSession(token_hash=_hash(token), owner_type=owner_type, owner_id=owner_id,
                         created_at=now, last_seen_at=now, verified_at=now,
                         expires_at=now + absolute, device=_device())
    db.session.add(record)
    session.clear()
    session["sid"] = token
    session.permanent = True
    return record


def current(owner_type: str) -> AuthSession | None:
    """The live session of this browser for ``owner_type``, touched; None otherwise."""
    found = current_with_owner(owner_type)
    return found[0] if found else None


def current_with_owner(owner_type: str, owner_model=None, *options) -> tuple[AuthSession, object] | None:
    """The live session and, with ``owner_model``, its owner's row loaded in the same query
    (``options``: what else to load with it): one round trip for what every request reads."""
    token = session.get("sid")
    if not isinstance(token, str):
        return None
    query = db.select(AuthSession).where(AuthSession.token_hash == _hash(token))
    if owner_model is not None:
        query = (db.select(AuthSession, owner_model)
                 .join(owner_model, owner_model.id == AuthSession.owner_id)
                 .where(AuthSession.token_hash == _hash(token),
                        AuthSession.owner_type == owner_type).options(*options))
    row = db.session.execute(query).unique().first()
    record, owner = (row[0], row[1] if owner_model is not None else None) if row else (None, None)
    now = clock.now()
    idle, _ = _lifetimes(owner_type)
    if (record is None or record.owner_type != owner_type or record.ended_at is not None
            or now >= record.expires_at or now - record.last_seen_at > idle):
        return None
    if now - record.last_seen_at >= TOUCH_EVERY:
        record.last_seen_at = now
        db.session.commit()
    return record, owner


def recently_verified(record: AuthSession) -> bool:
    return clock.now() - record.verified_at <= STEP_UP_SECONDS


def mark_verified(record: AuthSession) -> None:
    record.verified_at = clock.now()


def end(record: AuthSession, reason: str) -> None:
    """End one session (the caller commits); the browser's cookie is cleared too."""
    if record.ended_at is None:
        record.ended_at, record.end_reason = clock.now(), reason


def sign_out() -> None:
    """End this browser's session, whoever it belongs to, and clear the cookie."""
    token = session.get("sid")
    if isinstance(token, str):
        db.session.execute(db.update(AuthSession).where(
            AuthSession.token_hash == _hash(token), AuthSession.ended_at.is_(None))
            .values(ended_at=clock.now(), end_reason="sign_out"))
        db.session.commit()
    session.clear()


def end_all(owner_type: str, owner_id: int, reason: str, *, keep: AuthSession | None = None) -> int:
    """End every live session of one person except ``keep`` (the caller commits). Returns
    how many ended."""
    return end_all_of(owner_type, [owner_id], reason, keep=keep)


def end_all_of(owner_type: str, owner_ids: list[int], reason: str, *,
               keep: AuthSession | None = None) -> int:
    """``end_all`` for many people at once (a batch of losses): a statement per thousand."""
    ended = 0
    for chunk in chunks(owner_ids):
        query = db.update(AuthSession).where(
            AuthSession.owner_type == owner_type, AuthSession.owner_id.in_(chunk),
            AuthSession.ended_at.is_(None))
        if keep is not None:
            query = query.where(AuthSession.id != keep.id)
        # "fetch": the ended rows' ids come back (RETURNING) and only those objects are
        # refreshed in the session, instead of testing every object it holds
        ended += db.session.execute(query.values(ended_at=clock.now(), end_reason=reason)
                                    .execution_options(synchronize_session="fetch")).rowcount
    return ended


def live(owner_type: str, owner_id: int) -> list[AuthSession]:
    """Signed-in devices, most recently used first."""
    now = clock.now()
    idle, _ = _lifetimes(owner_type)
    return list(db.session.scalars(db.select(AuthSession).where(
        AuthSession.owner_type == owner_type, AuthSession.owner_id == owner_id,
        AuthSession.ended_at.is_(None), AuthSession.expires_at > now,
        AuthSession.last_seen_at >= now - idle).order_by(AuthSession.last_seen_at.desc())))
