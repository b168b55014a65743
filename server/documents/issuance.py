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
from ..register.revocation_ids import revocation_id as member_revocation_id
from ..token_core import Claims, DocumentKind, Relationship, Sex, issue

MAX_CARD_DAYS = 5 * 365 + 1


class IssuanceError(Exception):
    """A token cannot be issued for this member now; ``message`` is Japanese first."""
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


@dataclass(frozen=True)
class IssuedToken:
    text: str
    claims: Claims


def issue_token(member: Member, kind: DocumentKind = DocumentKind.NOTICE) -> IssuedToken:
    now = clock.now()
    claims = claims_for(member, kind, now)
    record, key = lifecycle.key_for(claims.insurer_number)
    text = issue(claims, key)
    lifecycle.note_signed(record, claims.expires_at)
    db.session.commit()
    return IssuedToken(text=text, claims=claims)


def claims_for(member: Member, kind: DocumentKind, now: int, *, expires_at: int | None = None,
               revocation_id: bytes | None = None) -> Claims:
    today = datetime.fromtimestamp(now, JST).date()
    eligibility = member.eligibility
    if eligibility is None or not eligibility.active_on(today):
        raise IssuanceError("not_eligible", "資格がありません (no eligibility on this date)")
    copay = member.copay_on(today)
    if copay is None:
        raise IssuanceError("no_copay_ratio", "負担割合が未登録です (no co-payment ratio in effect)")
    if expires_at is None:
        expires_at = _expiry(member, kind, now, today)
    if eligibility.lost_on is not None:
        expires_at = min(expires_at, start_of_day(eligibility.lost_on))
    return Claims(
        insurer_number=member.insurer.number, symbol=member.symbol, number=member.number,
        branch=member.branch, relationship=Relationship(member.relationship), name=member.name,
        sex=Sex(member.sex), birth_date=member.birth_date, acquired_on=eligibility.acquired_on,
        copay_ratio=copay.ratio, copay_from=copay.effective_from, kind=kind,
        issued_at=now, expires_at=expires_at,
        revocation_id=revocation_id or member_revocation_id(eligibility),
        limit_category=member.limit_category if member.limit_consent else None)


def _expiry(member: Member, kind: DocumentKind, now: int, today: date) -> int:
    if kind is DocumentKind.NOTICE:
        return now + current_app.config["NOTICE_TOKEN_DAYS"] * 86400
    days = min(current_app.config["CARD_VALIDITY_DAYS"], MAX_CARD_DAYS)
    end = today + timedelta(days=days)
    if 70 <= age_on(member.birth_date, today) <= 74:   # 高齢受給者: annual, to 7/31
        july = date(today.year if today <= date(today.year, 7, 31) else today.year + 1, 7, 31)
        end = min(end, july + timedelta(days=1))
    return start_of_day(end)


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
