"""Records by id, as the signed-in staff member may see them (``g.scope``).

A record of an insurer outside the scope is answered 404, exactly like an id that does not
exist: staff of one insurer cannot tell the other insurers' records from gaps.
"""
from __future__ import annotations

from flask import abort, g

from ...extensions import db
from ...models import EligibilityCard, Insurer, Member


def member(member_id: int) -> Member:
    found = db.session.get(Member, member_id)
    if found is None or not g.scope.covers(found.insurer_id):
        abort(404)
    return found


def card(card_id: int) -> EligibilityCard:
    found = db.session.get(EligibilityCard, card_id)
    if found is None:
        abort(404)
    member(found.member_id)
    return found


def insurers() -> list[Insurer]:
    """The insurers in scope, by 保険者番号."""
    return list(db.session.scalars(db.select(Insurer).where(g.scope.where(Insurer.id))
                                   .order_by(Insurer.number)))
