"""The member register (加入者台帳): every write to members goes through here.

Each function validates, changes the register, writes its audit entry and (for a loss)
the revocation entries, and commits once: a change is written whole or not at all.
Errors are ValidationError with per-field reasons.
"""
from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date, timedelta

from .. import clock
from ..clock import start_of_day
from ..auth import sessions
from ..batches import chunks
from ..extensions import db
from ..models import ActivationCode, CopayRatio, Eligibility, Insurer, Member
from ..token_core.claims import Relationship
from . import household
from . import audit, revocations, search_keys, status_indexes  # search_keys: on every write
from .revocation_ids import card_revocation_id, revocation_id
from .validation import ADDRESS_FIELDS, FieldError, MemberInput, ValidationError

LOSS_REASONS = {
    "retirement": ("退職", "retirement"),
    "dependent_removed": ("被扶養者でなくなった", "no longer a dependent"),
    "insured_person_lost": ("被保険者の資格喪失", "the insured person lost eligibility"),
    "age_75": ("75歳到達（後期高齢者医療へ）", "turned 75"),
    "death": ("死亡", "death"),
    "other": ("その他", "other"),
}


def field_error(field: str, ja: str, en: str):
    """Raise a ValidationError for one field."""
    raise ValidationError([FieldError(field, ja, en)])


def insurer(number: str) -> Insurer:
    found = db.session.scalar(db.select(Insurer).where(Insurer.number == number))
    if found is None:
        field_error("insurer_number", "登録されていない保険者です", "no such insurer in this register")
    return found


def find(insurer_number: str, symbol: str, number: str, branch: str) -> Member | None:
    return db.session.scalar(db.select(Member).join(Insurer).where(
        Insurer.number == insurer_number, Member.symbol == symbol, Member.number == number,
        Member.branch == branch))


def _insured_person_for(data: MemberInput, member: Member | None = None) -> Member | None:
    """The household's 本人 for ``data`` after the household rules (household.py) agree."""
    insured = db.session.scalar(db.select(Member).join(Insurer).where(
        Insurer.number == data.insurer_number, Member.symbol == data.symbol,
        Member.number == data.number, Member.relationship == Relationship.INSURED))
    other = insured if insured is not None and insured is not member else None
    broken = household.problem(
        relationship=data.relationship, lost_on=data.lost_on,
        insured=household.InsuredPerson(other.eligibility.lost_on if other.eligibility else None)
        if other else None,
        current=member.relationship if member else None, is_new=member is None,
        has_dependents=bool(member and any(d is not member for d in member.dependents)),
        moves_household=bool(member and (data.symbol, data.number) != (member.symbol, member.number)))
    if broken:
        raise ValidationError([broken])
    return other if data.relationship is Relationship.DEPENDENT else None


def _check_unique(data: MemberInput, member: Member | None = None) -> None:
    existing = find(data.insurer_number, data.symbol, data.number, data.branch)
    if existing is not None and existing is not member:
        field_error("branch", "この記号・番号・枝番は登録済みです",
              "this 記号・番号・枝番 is already registered")


def _apply(member: Member, data: MemberInput, insured: Member | None) -> None:
    now = clock.now()
    member.symbol, member.number, member.branch = data.symbol, data.number, data.branch
    member.relationship, member.insured_person = data.relationship, insured
    member.name, member.name_kana, member.sex = data.name, data.name_kana, data.sex
    member.birth_date, member.mynumber_last4 = data.birth_date, data.mynumber_last4
    if (member.limit_category, member.limit_consent) != (data.limit_category, data.limit_consent):
        member.limit_consent_at = now if data.limit_consent else None
    member.limit_category, member.limit_consent = data.limit_category, data.limit_consent
    for name in ADDRESS_FIELDS:
        setattr(member, name, getattr(data, name))
    member.updated_at = now


def address_changes(member: Member, data: MemberInput) -> list[str]:
    """The 送付先 fields ``data`` changes (names only: the address is never logged or audited
    as values)."""
    return [name for name in ADDRESS_FIELDS if getattr(member, name) != getattr(data, name)]


def create_member(data: MemberInput) -> Member:
    member = build_member(data)
    audit.record("member.create", member, after=audit.member_snapshot(member))
    db.session.commit()
    return member


def build_member(data: MemberInput) -> Member:
    """Add a new member to the session (no commit): shared by forms and CSV import."""
    found_insurer = insurer(data.insurer_number)
    _check_unique(data)
    insured = _insured_person_for(data)
    member = Member(insurer=found_insurer, created_at=clock.now())
    _apply(member, data, insured)
    member.eligibilities.append(Eligibility(acquired_on=data.acquired_on, lost_on=data.lost_on,
                                            revocation_seed=secrets.token_bytes(16)))
    member.copay_ratios.append(CopayRatio(ratio=data.copay_ratio, effective_from=data.copay_from))
    db.session.add(member)
    db.session.flush()
    return member


def update_member(member: Member, data: MemberInput, *, commit: bool = True) -> dict:
    """Correct a member's details. Returns the audit changes ({} when nothing changed)."""
    if data.insurer_number != member.insurer.number:
        field_error("insurer_number", "保険者は変更できません（新しい資格として登録してください）",
              "the insurer cannot change; enrol anew")
    before = audit.member_snapshot(member)
    _check_unique(data, member)
    insured = _insured_person_for(data, member)
    check_update(member, data)
    address = address_changes(member, data)
    _apply(member, data, insured)
    eligibility = member.eligibility
    eligibility.acquired_on = data.acquired_on
    if data.lost_on != eligibility.lost_on:
        losses = _Losses()               # a correction's loss: this member only
        losses.add(member, data.lost_on, "other")
        losses.write()
    current = member.copay_ratios[-1]
    if (current.ratio, current.effective_from) != (data.copay_ratio, data.copay_from):
        if data.copay_from == current.effective_from:
            current.ratio = data.copay_ratio
        else:
            member.copay_ratios.append(CopayRatio(ratio=data.copay_ratio,
                                                  effective_from=data.copay_from))
    db.session.flush()
    after = audit.member_snapshot(member)
    changed = audit.changes(before, after)
    if changed:
        audit.record("member.update", member, before=before, after=after)
    if address:
        audit.record("member.address", member, after={"changed": address})
        changed.update({name: ("***", "***") for name in address})    # which, never the values
    if commit:
        db.session.commit()
    return changed


def check_update(member: Member, data: MemberInput) -> None:
    current = member.copay_ratios[-1]
    broken = correction_problem(data, lost_on=member.eligibility.lost_on, ratio=current.ratio,
                                ratio_from=current.effective_from)
    if broken:
        raise ValidationError([broken])


def correction_problem(data: MemberInput, *, lost_on: date | None, ratio: int,
                       ratio_from: date) -> FieldError | None:
    """The history rules of a correction over the register's current values, checked before
    anything changes (the CSV import asks them while planning): a recorded loss is not
    undone, and a new ratio does not start before the current one."""
    if lost_on is not None and data.lost_on is None:
        return FieldError("lost_on", "資格喪失の取り消しは再加入として登録してください", "re-enrol instead")
    if (ratio, ratio_from) != (data.copay_ratio, data.copay_from) and data.copay_from < ratio_from:
        return FieldError("copay_from", "現在の負担割合の開始日より前にはできません",
                          "must not be before the current ratio's start")
    return None


def record_loss(member: Member, lost_on: date, reason: str, *, commit: bool = True) -> list[Member]:
    """資格喪失: stop issuance from ``lost_on``, revoke the member's tokens and cards, and
    do the same for the dependents of an insured person. Returns everyone affected.
    ``commit=False`` leaves the commit to the caller (CSV import writes all or nothing)."""
    broken = loss_problem(member, lost_on, reason)
    if broken:
        raise ValidationError([broken])
    affected = record_losses([(member, lost_on, reason)])
    if commit:
        db.session.commit()
    return affected


def loss_problem(member: Member, lost_on: date, reason: str) -> FieldError | None:
    """Why this loss cannot be recorded, or None."""
    eligibility = member.eligibility
    if reason not in LOSS_REASONS:
        return FieldError("loss_reason", "喪失事由を選んでください", "choose a loss reason")
    if eligibility is None or eligibility.lost_on is not None:
        return FieldError("lost_on", "すでに資格喪失が登録されています", "a loss is already recorded")
    if lost_on < eligibility.acquired_on:
        return FieldError("lost_on", "資格取得年月日より前にはできません", "must not be before acquired_on")
    if lost_on > clock.today() + timedelta(days=366):
        return FieldError("lost_on", "1年より先の日付は登録できません", "must not be more than a year ahead")
    return None


def loss_reaches(member: Member) -> list[Member]:
    """Who a loss of ``member`` ends (``record_losses``): the member, and for a 本人 the 家族
    still eligible."""
    reached = [member]
    if member.relationship is Relationship.INSURED:
        reached += [d for d in member.dependents if d.eligibility and d.eligibility.lost_on is None]
    return reached


def record_losses(losses: Iterable[tuple[Member, date, str]]) -> list[Member]:
    """Losses already checked (``loss_problem``), in order, each with the effects of
    ``record_loss`` (a 本人's 家族 still eligible lose with them). Written together: the
    register's rows as objects, and the status bits, activation codes and sessions with a
    few statements per thousand members (a 資格喪失届 file holds tens of thousands). The
    caller commits. Returns everyone affected, in order."""
    batch = _Losses()
    for member, lost_on, reason in losses:
        member, *dependents = loss_reaches(member)
        batch.add(member, lost_on, reason)
        for dependent in dependents:
            batch.add(dependent, lost_on, "insured_person_lost")
    batch.write()
    return batch.members


class _Losses:
    """Losses gathered, then written: each member's eligibility ends, their v1 revocation
    entries and audit entries are added, their active cards withdrawn; ``write`` sets the
    status bits, invalidates unused activation codes and ends the members' sessions."""

    def __init__(self) -> None:
        self.members: list[Member] = []
        self.bits = status_indexes.Revocations()
        self.entries: list[dict] = []         # audit entries, written together

    def add(self, member: Member, lost_on: date, reason: str) -> None:
        before = audit.member_snapshot(member)
        now, eligibility = clock.now(), member.eligibility
        eligibility.lost_on, eligibility.loss_reason = lost_on, reason
        member.updated_at = now
        effective_at = start_of_day(lost_on)     # a future loss revokes on its date, not now
        if eligibility.v1_tokens_until is not None and eligibility.v1_tokens_until > now:
            revocations.revoke(revocation_id(eligibility), "loss", effective_at=effective_at,
                               tokens_until=eligibility.v1_tokens_until)      # version-1 tokens
        self.bits.eligibility(eligibility, effective_at)                       # version-2 tokens
        for card in member.cards:
            if card.status == "active":
                withdraw(card, "loss", effective_at=effective_at, batch=self,
                         insurer_id=member.insurer_id)
        self.members.append(member)
        self.entries.append(audit.entry_values("member.loss", member, before=before,
                                               after=audit.member_snapshot(member)))

    def write(self) -> None:
        audit.record_all(self.entries)
        self.bits.write()
        ids = [m.id for m in self.members]
        now = clock.now()
        for chunk in chunks(ids):
            db.session.execute(db.update(ActivationCode).where(
                ActivationCode.member_id.in_(chunk), ActivationCode.used_at.is_(None),
                ActivationCode.invalidated_at.is_(None)).values(invalidated_at=now)
                .execution_options(synchronize_session="fetch"))
        sessions.end_all_of("member", ids, "loss")     # the app shows nothing more to anyone


def withdraw(card, reason: str, *, effective_at: int | None = None, batch: _Losses | None = None,
             insurer_id: int | None = None) -> None:
    """回収: the card's token is revoked in the trust list from ``effective_at`` (now).
    ``batch``: a batch of losses, which writes the status bit and the audit entry with the
    others (default: now), ``insurer_id`` the card holder's insurer."""
    card.status, card.withdrawn_at, card.withdraw_reason = "withdrawn", clock.now(), reason
    after = {"member_id": card.member_id, "reason": reason}
    if card.token.startswith("8801"):                 # a version-1 card: its revocation id
        revocations.revoke(card_revocation_id(card), "card_withdrawn", effective_at=effective_at,
                           tokens_until=start_of_day(card.valid_until + timedelta(days=1)))
    elif batch is not None:
        batch.bits.card(card, effective_at)
    else:
        status_indexes.revoke_card(card, effective_at)
    if batch is None:
        audit.record("card.withdraw", card, after=after)
    else:
        batch.entries.append(audit.entry_values("card.withdraw", card, after=after,
                                                insurer_id=insurer_id))


def re_enrol(member: Member, acquired_on: date) -> None:
    """再加入: a new eligibility period with a fresh revocation id, so new tokens are valid."""
    current = member.eligibility
    if current is None or current.lost_on is None:
        field_error("acquired_on", "資格喪失が登録されていません", "the member has not lost eligibility")
    if acquired_on < current.lost_on:
        field_error("acquired_on", "前回の資格喪失日より前にはできません", "must not be before the last loss")
    before = audit.member_snapshot(member)
    member.eligibilities.append(Eligibility(acquired_on=acquired_on,
                                            revocation_seed=secrets.token_bytes(16)))
    db.session.flush()
    audit.record("member.re_enrol", member, before=before, after=audit.member_snapshot(member))
    db.session.commit()
