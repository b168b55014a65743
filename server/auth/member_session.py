"""The member's signed-in session (a server-side AuthSession, see sessions.py), and which
members they may see.

A member sees themself; an insured person (本人) also sees their dependents (家族).
A dependent who signs in themself sees only their own card.
"""
from __future__ import annotations

from functools import wraps

from flask import abort, g
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import AuthSession, Member
from . import sessions
from ..token_core.claims import Relationship


def sign_in(member: Member) -> AuthSession:
    """A new session for this browser after a user-verified passkey ceremony (commits)."""
    record = sessions.start("member", member.id)
    db.session.commit()
    return record


def current_member() -> Member | None:
    """The signed-in member, with what every member request reads (a token's claims, /me:
    insurer, eligibility, ratios), in the session's own query: one round trip."""
    found = sessions.current_with_owner(
        "member", Member, joinedload(Member.insurer), joinedload(Member.eligibilities),
        joinedload(Member.copay_ratios))
    if found is None:
        return None
    g.auth_session, member = found
    return member


def member_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        member = current_member()
        if member is None:
            abort(401)          # answered as {"error": "signed_out", …} (views/errors.py)
        g.member = member
        g.actor = f"member:{member.id}"
        return view(*args, **kwargs)
    return wrapped


def visible_members(member: Member) -> list[Member]:
    """Yourself first, then (for an insured person) each dependent."""
    if member.relationship is Relationship.INSURED:
        return [member, *sorted(member.dependents, key=lambda d: d.branch)]
    return [member]


def visible(member: Member, member_id: int | None) -> Member:
    """The member ``member_id`` if the signed-in member may see them; 404 otherwise
    (no hint whether someone else with that id exists)."""
    if member_id is None:
        return member
    for candidate in visible_members(member):
        if candidate.id == member_id:
            return candidate
    abort(404)
