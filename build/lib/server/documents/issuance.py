"""Issuing a member's token: from the register to signed claims."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app

from .. import clock
from ..clock import JST, start_of_day
from ..extensions import db
from ..keys import lifecycle
from ..models import Member
from ..problems import Problem
from ..register.revocation_ids import revocation_id as member_revocation_id
from ..token_core import Claims, DocumentKind, Relationship, Sex, issue
from . import validity


class IssuanceError(Problem):
    """A token cannot be issued for this member now."""
    status = 409


@dataclass(frozen=True)
class IssuedToken:
    text: str
    claims: Claims


def issue_token(member: Member, kind: DocumentKind = DocumentKind.NOTICE) -> IssuedToken:
    claims = claims_for(member, kind, clock.now())
    text = sign_and_record(claims)
    db.session.commit()
    return IssuedToken(text=text, claims=claims)


def sign_and_record(claims: Claims) -> str:
    """Sign with the current key for the insurer and remember the latest expiry that key
    signed (it stays in the trust list until then). The caller commits."""
    record, key = lifecycle.key_for(claims.insurer_number)
    text = issue(claims, key)
    lifecycle.note_signed(record, claims.expires_at)
    return text


def claims_for(member: Member, kind: DocumentKind, now: int, *,
               revocation_id: bytes | None = None) -> Claims:
    today = datetime.fromtimestamp(now, JST).date()
    eligibility = member.eligibility
    if eligibility is None or not eligibility.active_on(today):
        raise IssuanceError("not_eligible", "資格がありません", "no eligibility on this date")
    copay = member.copay_on(today)
    if copay is None:
        raise IssuanceError("no_copay_ratio", "負担割合が未登録です", "no co-payment ratio in effect")
    return Claims(
        insurer_number=member.insurer.number, symbol=member.symbol, number=member.number,
        branch=member.branch, relationship=Relationship(member.relationship), name=member.name,
        sex=Sex(member.sex), birth_date=member.birth_date, acquired_on=eligibility.acquired_on,
        copay_ratio=copay.ratio, copay_from=copay.effective_from, kind=kind,
        issued_at=now, expires_at=expires_at(member, kind, now, today),
        revocation_id=revocation_id or member_revocation_id(eligibility),
        limit_category=member.limit_category if member.limit_consent else None)


def expires_at(member: Member, kind: DocumentKind, now: int, today: date) -> int:
    """The token's 有効期限 in seconds: the start of the day after its last valid day (JST);
    a phone token lives NOTICE_TOKEN_DAYS from ``now`` unless the same rule ends it sooner."""
    lost_on = member.eligibility.lost_on
    if kind is DocumentKind.CARD:
        last = validity.card_valid_until(member.birth_date, today, lost_on,
                                         current_app.config["CARD_VALIDITY_DAYS"])
        return start_of_day(last + timedelta(days=1))
    until = now + current_app.config["NOTICE_TOKEN_DAYS"] * 86400
    cap = validity.last_day_allowed(member.birth_date, today, lost_on)
    return until if cap is None else min(until, start_of_day(cap + timedelta(days=1)))
