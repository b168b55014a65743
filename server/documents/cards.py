"""資格確認書: issue a card with a long-lived signed token; withdraw it (revocation)."""
from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from .. import clock
from ..clock import JST
from ..extensions import db
from ..models import EligibilityCard, Member
from ..register import audit, members
from ..token_core import DocumentKind
from .issuance import claims_for, sign_and_record


def issue_card(member: Member) -> EligibilityCard:
    """A 資格確認書 with its own revocation id, valid until validity.card_valid_until."""
    now, today = clock.now(), clock.today()
    card = EligibilityCard(member_id=member.id, issued_at=now, valid_until=today,
                           revocation_seed=secrets.token_bytes(16), token="")
    db.session.add(card)
    db.session.flush()
    try:
        claims = claims_for(member, DocumentKind.CARD, now, card=card)
        card.token = sign_and_record(claims)
    except Exception:
        db.session.rollback()
        raise
    card.valid_until = _day_before(claims.expires_at)
    audit.record("card.issue", card, after={"member_id": member.id,
                                            "valid_until": card.valid_until.isoformat()})
    db.session.commit()
    return card


def _day_before(expires_at: int) -> date:
    """The card's last valid day: the token expires at 00:00 JST of the day after it."""
    return datetime.fromtimestamp(expires_at, JST).date() - timedelta(days=1)


def withdraw_card(card: EligibilityCard, reason: str = "withdrawn") -> None:
    if card.status != "active":
        members.field_error("card", "この資格確認書はすでに回収済みです", "the card is already withdrawn")
    members.withdraw(card, reason)
    db.session.commit()
