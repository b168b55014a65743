"""The audit trail: every write records who, when, and what changed (before/after).

Entries go to the database in the same transaction as the change they describe, so a
change and its record are written together or not at all. Application logs get only
the action and ids, never 記号・番号 or names.
"""
from __future__ import annotations

import json
import logging
from datetime import date

from flask import g, has_request_context
from sqlalchemy import select

from .. import clock
from ..batches import chunks
from ..extensions import db
from ..models import AuditEntry, Insurer, Member, SigningKeyRecord, Staff, StaffInvite

log = logging.getLogger("shikaku.audit")


def current_actor() -> str:
    if has_request_context() and getattr(g, "actor", None):
        return g.actor
    return "cli"


def record(action: str, target, *, before: dict | None = None, after: dict | None = None,
           actor: str | None = None, insurer_id: int | None = None) -> AuditEntry:
    """``insurer_id``: the target's insurer when the caller knows it (else ``insurer_of``)."""
    entry = AuditEntry(**entry_values(action, target, before=before, after=after, actor=actor,
                                      insurer_id=insurer_id))
    db.session.add(entry)
    return entry


def entry_values(action: str, target, *, before: dict | None = None, after: dict | None = None,
                 actor: str | None = None, insurer_id: int | None = None) -> dict:
    """An entry's columns (``record``; a batch writes many with ``record_all``), logged."""
    values = dict(at=clock.now(), actor=actor or current_actor(), action=action,
                  target_type=type(target).__name__.lower(), target_id=getattr(target, "id", None),
                  insurer_id=insurer_id or insurer_of(target), before_json=dump(before),
                  after_json=dump(after))
    log.info("%s %s#%s by %s", action, values["target_type"], values["target_id"], values["actor"])
    return values


def record_all(entries: list[dict]) -> None:
    """Many entries (``entry_values``) in one executemany per thousand: a batch of losses
    writes thousands. (The table's insert: the ORM's would drop NULL columns row by row and
    so insert one row per statement.)"""
    for chunk in chunks(entries):
        db.session.execute(AuditEntry.__table__.insert(), list(chunk))


def insurer_of(target) -> int | None:
    """The one insurer whose record ``target`` is (its staff may read the entry), or None
    when it belongs to none or to several (only operators read those entries)."""
    if isinstance(target, Insurer):
        return target.id
    if isinstance(target, Member):
        return target.insurer_id or (target.insurer.id if target.insurer else None)
    member_id = getattr(target, "member_id", None)            # cards, activation codes
    if member_id is not None:
        return db.session.scalar(select(Member.insurer_id).where(Member.id == member_id))
    if isinstance(target, Staff):
        return target.insurers[0].id if len(target.insurers) == 1 else None
    numbers = (target.insurer_numbers if isinstance(target, StaffInvite) else
               target.insurers if isinstance(target, SigningKeyRecord) else [])
    if len(numbers) != 1:
        return None
    return db.session.scalar(select(Insurer.id).where(Insurer.number == numbers[0]))


def changes(before: dict | None, after: dict | None) -> dict:
    """Only the fields that differ: {field: (before, after)}."""
    before, after = before or {}, after or {}
    return {k: (before.get(k), after.get(k)) for k in sorted(set(before) | set(after))
            if before.get(k) != after.get(k)}


def member_snapshot(member) -> dict:
    """What the audit trail records of a member (before/after a change)."""
    eligibility = member.eligibility
    copay = member.copay_ratios[-1] if member.copay_ratios else None
    return snapshot(
        insurer_number=member.insurer.number if member.insurer else None,
        symbol=member.symbol, number=member.number, branch=member.branch,
        relationship=member.relationship, insured_person_id=member.insured_person_id,
        name=member.name, name_kana=member.name_kana, sex=member.sex,
        birth_date=member.birth_date, mynumber_last4=member.mynumber_last4,
        acquired_on=eligibility.acquired_on if eligibility else None,
        lost_on=eligibility.lost_on if eligibility else None,
        loss_reason=eligibility.loss_reason if eligibility else None,
        copay_ratio=copay.ratio if copay else None,
        copay_from=copay.effective_from if copay else None,
        limit_category=member.limit_category, limit_consent=member.limit_consent)


def input_snapshot(data, *, insured_person_id: int | None = None,
                   loss_reason: str | None = None) -> dict:
    """The snapshot of the member a validated MemberInput describes (CSV import)."""
    return snapshot(
        insurer_number=data.insurer_number, symbol=data.symbol, number=data.number,
        branch=data.branch, relationship=data.relationship, insured_person_id=insured_person_id,
        name=data.name, name_kana=data.name_kana, sex=data.sex, birth_date=data.birth_date,
        mynumber_last4=data.mynumber_last4, acquired_on=data.acquired_on, lost_on=data.lost_on,
        loss_reason=loss_reason, copay_ratio=data.copay_ratio, copay_from=data.copay_from,
        limit_category=data.limit_category, limit_consent=data.limit_consent)


def snapshot(*, insurer_number, symbol, number, branch, relationship, insured_person_id, name,
             name_kana, sex, birth_date, mynumber_last4, acquired_on, lost_on, loss_reason,
             copay_ratio, copay_from, limit_category, limit_consent) -> dict:
    """One member's audited fields from plain values; codes as their integers."""
    return {
        "insurer_number": insurer_number, "symbol": symbol, "number": number, "branch": branch,
        "relationship": _code(relationship), "insured_person_id": insured_person_id,
        "name": name, "name_kana": name_kana, "sex": _code(sex), "birth_date": birth_date,
        "mynumber_last4": mynumber_last4, "acquired_on": acquired_on, "lost_on": lost_on,
        "loss_reason": loss_reason, "copay_ratio": _code(copay_ratio), "copay_from": copay_from,
        "limit_category": limit_category, "limit_consent": limit_consent,
    }


def _code(value):
    return None if value is None else int(value)


def dump(value) -> str | None:
    """JSON for an audit column: dates as ISO 8601, Japanese kept readable."""
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True,
                      default=lambda v: v.isoformat() if isinstance(v, date) else str(v))
