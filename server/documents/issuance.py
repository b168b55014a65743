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
from ..register import status_indexes
from ..register.revocation_ids import card_revocation_id
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


def claims_for(member: Member, kind: DocumentKind, now: int, *, card=None,
               version: int | None = None) -> Claims:
    """The claims of a member's token of ``kind`` issued ``now``, in format ``version``
    (default TOKEN_VERSION): version 2 carries the status index of the eligibility period
    (a phone notice) or of ``card`` (a 資格確認書), handed out on first use; version 1 the
    revocation id of either. The caller commits (an index handed out is a write)."""
    today = datetime.fromtimestamp(now, JST).date()
    eligibility = member.eligibility
    if eligibility is None or not eligibility.active_on(today):
        raise IssuanceError("not_eligible", "資格がありません", "no eligibility on this date")
    copay = member.copay_on(today)
    if copay is None:
        raise IssuanceError("no_copay_ratio", "負担割合が未登録です", "no co-payment ratio in effect")
    expiry = expires_at(member, kind, now, today)
    if (version or current_app.config["TOKEN_VERSION"]) == 2:
        revocation = {"status_index": status_indexes.card_index(card, expiry) if card is not None
                      else status_indexes.phone_index(eligibility, member.insurer.number)}
    elif card is not None:
        revocation = {"revocation_id": card_revocation_id(card)}
    else:
        revocation = {"revocation_id": member_revocation_id(eligibility)}
        eligibility.v1_tokens_until = max(eligibility.v1_tokens_until or 0, expiry)
    return Claims(
        insurer_number=member.insurer.number, symbol=member.symbol, number=member.number,
        branch=member.branch, relationship=Relationship(member.relationship), name=member.name,
        sex=Sex(member.sex), birth_date=member.birth_date, acquired_on=eligibility.acquired_on,
        copay_ratio=copay.ratio, copay_from=copay.effective_from, kind=kind,
        issued_at=now, expires_at=expiry, **revocation,
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
