"""Losses in batches (資格喪失届 from employers, monthly 国保 files): all rows or none, idempotent.

``import_losses(data)`` reads a CSV with the columns insurer_number, symbol, number, branch,
lost_on and (optional) reason — docs/csv-import.md, *Losses*. The file is read as the member
import reads one (``csv_import.decode``, ``read_table``; dates and keys by
``validation.validate_loss``), every row is checked against the register, and only when no
row has an error are the losses recorded through ``members.record_losses`` (a 本人's 家族
lose too; tokens and cards revoked), in one transaction, committed once.

A row whose loss is already recorded with the same date is "unchanged", so a file can be
run again. A 家族 row whose 本人 loses in the same file is ended by the 本人's loss: unchanged
with the same date, an error with another, whichever row comes first.
"""
from __future__ import annotations

import logging
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from .. import clock
from ..batches import chunks
from ..extensions import db
from ..models import Insurer, Member
from ..token_core.claims import Relationship
from . import members
from .csv_import import LOSS_REASON, RowChange, RowError, decode, header_aliases, read_table
from .validation import FieldError, LossInput, ValidationError, validate_loss

log = logging.getLogger("shikaku.loss_import")

#: field: (Japanese column name, required column).
COLUMNS = {
    "insurer_number": ("保険者番号", True), "symbol": ("記号", True), "number": ("番号", True),
    "branch": ("枝番", True), "lost_on": ("資格喪失年月日", True), "reason": ("喪失事由", False),
}
_ALIASES = header_aliases(COLUMNS)
#: A 家族's loss because their 本人 lost: set by record_loss, never written in a file.
FOLLOWS = "insured_person_lost"
#: What a file may say in ``reason``: the admin form's reasons, by key or Japanese word.
REASONS = {key: key for key in members.LOSS_REASONS if key != FOLLOWS} | {
    unicodedata.normalize("NFKC", ja): key for key, (ja, _) in members.LOSS_REASONS.items()
    if key != FOLLOWS}

_UNKNOWN_REASON = FieldError(
    "reason", "喪失事由は " + "・".join(ja for key, (ja, _) in members.LOSS_REASONS.items()
                                       if key != FOLLOWS) + " のいずれかです",
    "must be one of " + ", ".join(key for key in members.LOSS_REASONS if key != FOLLOWS))


@dataclass(frozen=True)
class LossReport:
    """The outcome. With any error nothing was written and the counts are 0.

    ``lost``: rows whose member loses eligibility; ``dependents``: 家族 who lose with them
    (record_loss); ``unchanged``: rows already so in the register (or ended by their 本人's
    row); ``changes``: per row, "lose" or "unchanged"."""
    lost: int
    dependents: int
    unchanged: int
    errors: tuple[RowError, ...]
    encoding: str | None
    changes: tuple[RowChange, ...]
    dry_run: bool

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> tuple[str, str]:
        """The one-line outcome, (日本語, English): the CLI prints it, the admin page shows it."""
        if self.errors:
            n = len(self.errors)
            return (f"登録しませんでした: エラー {n}件。何も書き込んでいません",
                    f"not recorded: {n} error(s); nothing was written")
        ja = (f"喪失 {self.lost}人（ほか家族 {self.dependents}人）・変更なし {self.unchanged}件"
              f"（文字コード {self.encoding}）")
        en = f"{self.lost} lost (+{self.dependents} dependents), {self.unchanged} unchanged"
        if self.dry_run:
            return (f"ドライラン（書き込みなし）: {ja}",
                    f"dry run, nothing written: {en} (encoding {self.encoding})")
        if not self.lost:
            return f"変更はありません: {ja}", f"nothing changed: {en} (encoding {self.encoding})"
        return f"資格喪失を登録しました: {ja}", f"recorded: {en} (encoding {self.encoding})"


@dataclass
class _Row:
    row: int
    data: LossInput
    reason: str | None               # None: not given (LOSS_REASON when recorded)
    member: Member | None = None
    action: str = ""                 # "lose" | "unchanged"
    leaving_first: set[int] = field(default_factory=set)   # a 本人's 家族 with an earlier row


def import_losses(data: bytes, *, encoding: str | None = None, dry_run: bool = False,
                  allowed_insurers: set[str] | None = None) -> LossReport:
    """Record the losses of a CSV file in the register (in the current app context).

    ``encoding`` as for ``csv_import.import_members`` (a bad name raises ValueError);
    ``dry_run``: check and count, write nothing; ``allowed_insurers``: the 保険者番号 the
    caller may touch (None: all) — a row for another insurer is a row error. The audit
    entries name the signed-in staff member, or "cli" (``audit.current_actor``)."""
    text, used, error = decode(data, encoding)
    if error:
        return _failed([error], used, dry_run)
    header, raw_rows, errors = read_table(text, COLUMNS, _ALIASES)
    if header is None:
        return _failed(errors, used, dry_run)

    def fail(r, field, ja, en):
        errors.append(RowError(r if isinstance(r, int) else r.row, header.get(field, field), ja, en))

    rows = _validate(raw_rows, allowed_insurers, fail)
    _find_members(rows, fail)
    rows = _plan(rows, fail)
    if errors:
        return _failed(errors, used, dry_run)
    dependents = sum(_followers(r.member) - len(r.leaving_first) for r in rows if r.action == "lose")
    if not dry_run:
        dependents = _write(rows, fail)
        if errors:
            return _failed(errors, used, dry_run)
    count = Counter(r.action for r in rows)
    log.info("member.loss_import lost=%d dependents=%d unchanged=%d dry_run=%s",
             count["lose"], dependents, count["unchanged"], dry_run)
    return LossReport(lost=count["lose"], dependents=dependents, unchanged=count["unchanged"],
                      errors=(), encoding=used, dry_run=dry_run,
                      changes=tuple(RowChange(r.row, r.action) for r in rows))


def _failed(errors: list[RowError], used: str | None, dry_run: bool) -> LossReport:
    return LossReport(0, 0, 0, tuple(sorted(errors, key=lambda e: e.row)), used, (), dry_run)


def _validate(raw_rows, allowed_insurers: set[str] | None, fail) -> list[_Row]:
    """Each row's key, date and reason; a row outside ``allowed_insurers`` goes no further."""
    today, rows = clock.today(), []
    for raw in raw_rows:
        problems = []
        try:
            data = validate_loss(raw.values, today=today)
        except ValidationError as exc:
            data, problems = None, list(exc.errors)
        reason = unicodedata.normalize("NFKC", raw.values.get("reason", "")).strip()
        if reason and reason.lower() not in REASONS:
            problems.append(_UNKNOWN_REASON)
        for e in problems:
            fail(raw.row, e.field, e.ja, e.en)
        if problems:
            continue
        if allowed_insurers is not None and data.insurer_number not in allowed_insurers:
            fail(raw.row, "insurer_number", "この保険者の資格は登録できません",
                 "you may not record losses for this insurer")
            continue
        rows.append(_Row(raw.row, data, REASONS[reason.lower()] if reason else None))
    return rows


_LOADS = (joinedload(Member.insurer), selectinload(Member.eligibilities),
          selectinload(Member.cards), selectinload(Member.copay_ratios),
          selectinload(Member.dependents).selectinload(Member.eligibilities),
          selectinload(Member.dependents).selectinload(Member.cards),
          selectinload(Member.dependents).selectinload(Member.copay_ratios))


def _find_members(rows: list[_Row], fail) -> None:
    """Each row's member, in a few queries: by the unique (insurer id, 記号, 番号, 枝番), which
    its index answers (through the insurer's number a database scans every member)."""
    numbers = {r.data.insurer_number for r in rows}
    known = dict(db.session.execute(select(Insurer.number, Insurer.id).where(Insurer.number.in_(numbers))).all())
    keys = sorted({(known[r.data.insurer_number], *r.data.key[1:]) for r in rows
                   if r.data.insurer_number in known})
    found = {}
    key = tuple_(Member.insurer_id, Member.symbol, Member.number, Member.branch)
    for chunk in chunks(keys, 200):
        for m in db.session.scalars(select(Member).where(key.in_(chunk)).options(*_LOADS)):
            found[(m.insurer.number, m.symbol, m.number, m.branch)] = m
    for r in rows:
        r.member = found.get(r.data.key)
        if r.data.insurer_number not in known:
            fail(r, "insurer_number", "登録されていない保険者です", "no such insurer in this register")
        elif r.member is None:
            fail(r, "number", "この保険者番号・記号・番号・枝番の加入者は登録されていません",
                 "no member with this 保険者番号・記号・番号・枝番")


def _plan(rows: list[_Row], fail) -> list[_Row]:
    """Each row as "lose" or "unchanged", or an error; returns the rows without errors."""
    first, kept = {}, []
    for r in (r for r in rows if r.member is not None):
        earlier = first.get(r.member.id)
        if earlier is None:
            first[r.member.id] = r
            if _against_register(r, fail):
                kept.append(r)
        elif earlier.data.lost_on != r.data.lost_on:
            fail(r, "lost_on", f"{earlier.row}行目と同じ加入者で資格喪失年月日が異なります",
                 f"the same member as row {earlier.row} with another date")
        elif None not in (earlier.reason, r.reason) and earlier.reason != r.reason:
            fail(r, "reason", f"{earlier.row}行目と同じ加入者で喪失事由が異なります",
                 f"the same member as row {earlier.row} with another reason")
        else:
            r.action = "unchanged"       # the same loss twice in the file
            kept.append(r)
    # a 家族 whose 本人 loses in this file on the same day is ended by that loss (whichever row
    # comes first); a 家族 may leave earlier (their own job, marriage), never later
    insured = {r.member.id: r for r in kept if r.action == "lose"
               and r.member.relationship is Relationship.INSURED}
    for r in kept:
        head = insured.get(r.member.insured_person_id)
        if r.action != "lose" or r.member.relationship is not Relationship.DEPENDENT or not head:
            continue
        if head.data.lost_on == r.data.lost_on:
            r.action = "unchanged"
        elif r.data.lost_on > head.data.lost_on:
            fail(r, "lost_on", f"{head.row}行目の本人の資格喪失年月日より後です（家族は本人の喪失日までに資格を失います）",
                 f"after the loss date of the insured person (本人) in row {head.row}, whose loss "
                 "ends the dependents' eligibility on that date")
        else:
            head.leaving_first.add(r.member.id)
    return [r for r in kept if r.action]


def _against_register(r: _Row, fail) -> bool:
    """Set ``r.action`` from the member's current eligibility, or report why not."""
    eligibility, lost_on = r.member.eligibility, r.data.lost_on
    if eligibility is None:
        fail(r, "number", "資格がありません", "the member has no eligibility")
    elif eligibility.lost_on is None:
        if lost_on < eligibility.acquired_on:
            fail(r, "lost_on", "資格取得年月日より前にはできません", "must not be before acquired_on")
        else:
            r.action = "lose"
    elif eligibility.lost_on != lost_on:
        fail(r, "lost_on", "すでに別の日付で資格喪失が登録されています",
             "a loss with another date is already recorded")
    elif r.reason not in (None, eligibility.loss_reason) and eligibility.loss_reason != FOLLOWS:
        fail(r, "reason", "同じ日付で別の喪失事由が登録されています",
             "a loss with another reason is already recorded for this date")
    else:
        r.action = "unchanged"
    return bool(r.action)


def _followers(member: Member) -> int:
    """The 家族 a 本人's loss ends (as record_loss: those still eligible)."""
    if member.relationship is not Relationship.INSURED:
        return 0
    return sum(1 for d in member.dependents if d.eligibility and d.eligibility.lost_on is None)


def _write(rows: list[_Row], fail) -> int:
    """Every loss through the register (``members.record_losses``: the same effects as one
    recorded on the member's page, written set-wise) in one transaction; one commit.
    Returns how many 家族 lost with their 本人."""
    # by date, so a 家族 leaving before their 本人 keeps their own date; 本人 first on a day
    losses = sorted((r for r in rows if r.action == "lose"),
                    key=lambda r: (r.data.lost_on, r.member.relationship, r.row))
    refused = False
    for r in losses:                 # the plan checked these: unless the register changed
        broken = members.loss_problem(r.member, r.data.lost_on, r.reason or LOSS_REASON)
        if broken:
            refused = True
            fail(r, "reason" if broken.field == "loss_reason" else broken.field, broken.ja, broken.en)
    if refused:
        return 0
    try:
        with db.session.no_autoflush:      # the objects were loaded up front; one flush at the end
            affected = members.record_losses(
                [(r.member, r.data.lost_on, r.reason or LOSS_REASON) for r in losses])
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        fail(0, "", "登録中に台帳が変更されました。もう一度実行してください",
             "the register changed meanwhile; run it again")
        return 0
    except BaseException:
        db.session.rollback()
        raise
    return len(affected) - len(losses)
