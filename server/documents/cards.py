"""資格確認書: issue a card with a long-lived signed token; withdraw it (revocation)."""
from __future__ import annotations

import secrets
from datetime import date, timedelta

from flask import current_app

from .. import clock
from ..clock import start_of_day
from ..extensions import db
from ..keys import lifecycle
from ..models import EligibilityCard, Member
from ..register import audit, members
from ..register.revocation_ids import card_revocation_id
from ..token_core import DocumentKind, issue
from .issuance import MAX_CARD_DAYS, age_on, claims_for


def valid_until(member: Member, today: date) -> date:
    """有効期限 (last valid day): the configured validity (at most 5 years); for a
    70–74-year-old (高齢受給者) the next 7/31; never past a recorded loss."""
    days = min(current_app.config["CARD_VALIDITY_DAYS"], MAX_CARD_DAYS)
    end = today + timedelta(days=days - 1)
    if 70 <= age_on(member.birth_date, today) <= 74:
        end = min(end, date(today.year if today <= date(today.year, 7, 31) else today.year + 1, 7, 31))
    lost_on = member.eligibility.lost_on if member.eligibility else None
    if lost_on is not None:
        end = min(end, lost_on - timedelta(days=1))
    return end


def issue_card(member: Member) -> EligibilityCard:
    now, today = clock.now(), clock.today()
    until = valid_until(member, today)
    card = EligibilityCard(member_id=member.id, issued_at=now, valid_until=until,
                           revocation_seed=secrets.token_bytes(16), token="")
    db.session.add(card)
    db.session.flush()
    expires_at = start_of_day(until + timedelta(days=1))
    try:
        claims = claims_for(member, DocumentKind.CARD, now, expires_at=expires_at,
                            revocation_id=card_revocation_id(card))
    except Exception:
        db.session.rollback()
        raise
    record, key = lifecycle.key_for(claims.insurer_number)
    card.token = issue(claims, key)
    lifecycle.note_signed(record, claims.expires_at)
    audit.record("card.issue", card, after={"member_id": member.id,
                                            "valid_until": until.isoformat()})
    db.session.commit()
    return card


def withdraw_card(card: EligibilityCard, reason: str = "withdrawn") -> None:
    if card.status != "active":
        members.field_error("card", "この資格確認書はすでに回収済みです", "the card is already withdrawn")
    members.withdraw(card, reason)
    db.session.commit()
