"""CSV member import (加入者の一括取り込み): all rows or none, idempotent.

``import_members(data)`` runs these steps in order; docs/csv-import.md lists the columns.

1. bytes → text: UTF-8 (with or without BOM) or CP932, detected or chosen.
2. text → rows: the header row maps each column to a field (English or Japanese names).
3. each row → ``MemberInput`` through ``validation.validate_member`` (the one rule set).
4. the file as a whole: no duplicate 保険者番号・記号・番号・枝番, one 本人 per 記号・番号,
   every 家族 has a 本人 (in the file, in any order, or in the register).
5. the plan: each row is a create, an update (with the changed fields) or unchanged,
   against the register loaded in a few queries; updates are checked by the register's rules.
6. the write (not in a dry run, and only when no row has an error): new members, their
   eligibility, ratio and audit entries as bulk inserts (on PostgreSQL with psycopg: COPY,
   with the members' ids drawn from their sequence first); updates and losses through
   ``register``; one commit.

Errors never repeat a cell's value (no name, 記号・番号 or My Number digits): a row number,
the column as written in the header and the reason in Japanese and English.
"""
from __future__ import annotations

import csv
import functools
import gc
import io
import logging
import secrets
import unicodedata
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import Integer, insert, select, text, type_coerce
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from .. import clock
from ..batches import chunks
from ..extensions import db
from ..models import AuditEntry, CopayRatio, Eligibility, ImportBatch, Insurer, Member, import_batch_member
from ..token_core.claims import Relationship
from . import audit, household, members, search_keys
from .validation import ADDRESS_FIELDS, LABELS, MemberInput, ValidationError, validate_member

log = logging.getLogger("shikaku.csv_import")

#: field: (Japanese column name, required column). Order = the documented column order.
COLUMNS = {
    "insurer_number": ("保険者番号", True), "symbol": ("記号", True), "number": ("番号", True),
    "branch": ("枝番", True), "relationship": ("本人家族区分", True), "name": ("氏名", True),
    "name_kana": ("フリガナ", True), "sex": ("性別", True), "birth_date": ("生年月日", True),
    "acquired_on": ("資格取得年月日", True), "copay_ratio": ("負担割合", True),
    "copay_from": ("負担割合開始日", True), "mynumber_last4": ("マイナンバー下4桁", True),
    "lost_on": ("資格喪失年月日", False), "limit_category": ("限度額適用区分", False),
    "limit_consent": ("限度額同意", False),
    "postal_code": ("郵便番号", False), "address1": ("住所1", False), "address2": ("住所2", False),
    "addressee": ("宛名", False),
}
OPTIONAL = [name for name, (_, required) in COLUMNS.items() if not required]
ENCODINGS = {"auto": None, "utf-8": "utf-8", "utf8": "utf-8", "utf-8-sig": "utf-8",
             "cp932": "cp932", "shift_jis": "cp932", "sjis": "cp932", "windows-31j": "cp932"}
#: A new loss recorded by import: the file has no reason column (set it in the admin pages).
LOSS_REASON = "other"


def _header_key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace(" ", "").replace("\u3000", "").lower()


def header_aliases(columns: dict) -> dict[str, str]:
    """How a header cell names a field of ``columns`` ({field: (Japanese name, required)}):
    the field, its Japanese column name or its form label, compared by ``_header_key``."""
    return {_header_key(name): name for name in columns} | {
        _header_key(ja): name for name, (ja, _) in columns.items()} | {
        _header_key(label): name for name, label in LABELS.items() if name in columns}


_ALIASES = header_aliases(COLUMNS) | {_header_key("本人・家族区分"): "relationship"}


@dataclass(frozen=True)
class RowError:
    """One problem: ``row`` is the line in the file (the header is row 1; 0 = the whole
    file), ``column`` the column as written in the header ("" when no one column)."""
    row: int
    column: str
    ja: str
    en: str

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row else "file"
        return f"{where}, {self.column}: {self.ja} / {self.en}" if self.column else \
            f"{where}: {self.ja} / {self.en}"


@dataclass(frozen=True)
class RowChange:
    """What a row does to the register: "create", "update" (``fields`` changed) or "unchanged"."""
    row: int
    action: str
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportReport:
    """The outcome. With any error nothing was written and the counts are 0."""
    created: int
    updated: int
    unchanged: int
    errors: tuple[RowError, ...]
    encoding: str | None
    changes: tuple[RowChange, ...]
    dry_run: bool
    batch_id: int | None = None       # the ImportBatch written (not in a dry run)

    @property
    def ok(self) -> bool:
        return not self.errors


def _without_cycle_collection(function):
    """Run ``function`` with Python's cyclic garbage collector paused (then as it was).

    An import holds a few million small objects (rows, values, snapshots) for its whole run
    and makes almost no reference cycles; each full collection would walk all of them again
    (a third of a 100,000-row import's time). Reference counting still frees everything else.
    Only a speed setting: a concurrent import may turn it on early."""
    @functools.wraps(function)
    def run(*args, **kwargs):
        if not gc.isenabled():
            return function(*args, **kwargs)
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            gc.enable()
    return run


@_without_cycle_collection
def import_members(data: bytes, *, encoding: str | None = None, dry_run: bool = False,
                   actor: str | None = None, allowed_insurers: set[str] | None = None) -> ImportReport:
    """Import a member CSV into the register (in the current app context).

    ``encoding``: "utf-8", "cp932" or None/"auto" (BOM → UTF-8; valid UTF-8 → UTF-8; else
    CP932); anything else raises ValueError. ``dry_run``: plan and report, write nothing.
    ``actor``: who the audit entries name (default: the signed-in staff member, or "cli").
    ``allowed_insurers``: the 保険者番号 the caller may touch (None: all) — a row for another
    insurer is a row error, worded the same whether that insurer exists or not.
    """
    text, used, error = decode(data, encoding)
    if error:
        return _failed([error], used, dry_run)
    header, raw_rows, errors = read_table(text)
    if header is None:
        return _failed(errors, used, dry_run)
    rows, broken = _validate(raw_rows, header, errors)
    rows = _check_file(rows, header, errors)
    if allowed_insurers is not None:
        rows = _in_scope(rows, allowed_insurers, header, errors)
    plan = _plan(rows, broken, header, errors)
    if errors:
        return _failed(errors, used, dry_run)
    changes = tuple(sorted((p.change for p in plan), key=lambda c: c.row))
    count = Counter(c.action for c in changes)
    batch_id = None
    if not dry_run:
        batch_id = _write(plan, header, actor or audit.current_actor(), errors, count)
        if errors:
            return _failed(errors, used, dry_run)
    return ImportReport(created=count["create"], updated=count["update"],
                        unchanged=count["unchanged"], errors=(), encoding=used,
                        changes=changes, dry_run=dry_run, batch_id=batch_id)


def _failed(errors: list[RowError], used: str | None, dry_run: bool) -> ImportReport:
    errors = sorted(errors, key=lambda e: e.row)
    return ImportReport(0, 0, 0, tuple(errors), used, (), dry_run)


# -- 1. bytes → text ---------------------------------------------------------------------

def decode(data: bytes, encoding: str | None) -> tuple[str, str | None, RowError | None]:
    """(text, the encoding used, None) or ("", encoding, the error naming the row).

    ``encoding``: None/"auto" (BOM → UTF-8; valid UTF-8 → UTF-8; else CP932), "utf-8",
    "cp932" or an alias in ENCODINGS; anything else raises ValueError."""
    if (encoding or "auto").lower() not in ENCODINGS:
        raise ValueError(f"unknown encoding {encoding!r}: use utf-8, cp932 or auto")
    encoding = ENCODINGS[(encoding or "auto").lower()]
    bom = data.startswith(b"\xef\xbb\xbf")
    if encoding == "utf-8" or (encoding is None and bom):
        encoding = "utf-8-sig" if bom else "utf-8"
    elif encoding is None:
        try:
            return data.decode("utf-8"), "utf-8", None
        except UnicodeDecodeError:
            encoding = "cp932"
    try:
        return data.decode(encoding), encoding, None
    except UnicodeDecodeError as exc:
        row = data[:exc.start].count(b"\n") + 1
        label = "UTF-8" if encoding.startswith("utf") else "CP932 (Shift_JIS)"
        return "", encoding, RowError(row, "", f"文字コード {label} として読めないバイトがあります",
                                      f"bytes that are not valid {label}")


# -- 2. text → rows ----------------------------------------------------------------------

@dataclass
class _RawRow:
    row: int
    values: dict[str, str]


def read_table(text: str, columns: dict = COLUMNS, aliases: dict = _ALIASES
               ) -> tuple[dict | None, list[_RawRow], list[RowError]]:
    """The header ({field: column as written}) and the data rows, or the errors.
    ``columns`` and ``aliases``: the fields a file may have (default: the member import's)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    errors, rows, header, fields, line = [], [], None, [], 0
    try:
        for cells in reader:
            start, line = line + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                header, fields = _header(cells, errors, columns, aliases)
                if errors:
                    return None, [], errors
                continue
            if len(cells) != len(fields):
                errors.append(RowError(start, "", "列の数が見出し行と合いません",
                                       f"{len(cells)} cells; the header has {len(fields)}"))
                continue
            if any(c.strip() for f, c in zip(fields, cells) if not f):
                errors.append(RowError(start, "", "見出しのない列に値があります",
                                       "a value in a column without a header"))
            rows.append(_RawRow(start, {f: c for f, c in zip(fields, cells) if f}))
    except csv.Error:
        errors.append(RowError(line + 1, "", "CSVとして読めません（引用符や制御文字を確認してください）",
                               "not valid CSV (check quotes and control characters)"))
    if header is None and not errors:
        errors.append(RowError(1, "", "見出し行（列名）が必要です", "a header row is required"))
    return header, rows, errors


def _header(cells: list[str], errors: list[RowError], columns: dict,
            aliases: dict) -> tuple[dict, list]:
    fields = [aliases.get(_header_key(c)) for c in cells]
    if not any(fields):
        errors.append(RowError(1, "", "見出し行（列名）が必要です。1行目に既知の列名がありません",
                               "a header row is required; row 1 names no known column"))
        return {}, []
    header = {}
    for cell, field in zip(cells, fields):
        name = cell.strip()[:40]
        if field is None and name:
            errors.append(RowError(1, name, "不明な列です", "unknown column"))
        elif field in header:
            errors.append(RowError(1, name, f"列「{header[field]}」と同じ項目です",
                                   f"the same field as column {header[field]!r}"))
        elif field:
            header[field] = name
    for field, (ja, required) in columns.items():
        if required and field not in header:
            errors.append(RowError(1, field, f"必須の列「{ja}」がありません",
                                   f"required column {field} ({ja}) is missing"))
    return header, fields


# -- 3. each row → MemberInput -------------------------------------------------------------

@dataclass
class _Row:
    row: int
    data: MemberInput

    household: tuple[str, str, str] = ()         # 保険者番号・記号・番号
    key: tuple[str, str, str, str] = ()           # … and 枝番

    def __post_init__(self):   # only the optional fields of ``data`` are ever replaced
        self.household = (self.data.insurer_number, self.data.symbol, self.data.number)
        self.key = (*self.household, self.data.branch)


def _validate(raw_rows: list[_RawRow], header: dict,
              errors: list[RowError]) -> tuple[list[_Row], set]:
    """Valid rows, and the households of invalid ones (their 家族 get no second error)."""
    today, rows, broken = clock.today(), [], set()
    for raw in raw_rows:
        try:
            rows.append(_Row(raw.row, validate_member(raw.values, today=today)))
        except ValidationError as exc:
            errors.extend(RowError(raw.row, _column(header, e.field), e.ja, e.en)
                          for e in exc.errors)
            broken.add(tuple(unicodedata.normalize("NFKC", raw.values.get(f, "")).strip()
                             for f in ("insurer_number", "symbol", "number")))
    return rows, broken


def _column(header: dict, field: str) -> str:
    return header.get(field, field)


# -- 4. the file as a whole -----------------------------------------------------------------

def _check_file(rows: list[_Row], header: dict, errors: list[RowError]) -> list[_Row]:
    """Duplicate keys and a second 本人 for one 記号・番号; returns the rows without them."""
    first_key, first_insured, kept = {}, {}, []
    for r in rows:
        if r.key in first_key:
            errors.append(RowError(r.row, _column(header, "branch"),
                                   f"{first_key[r.key]}行目と保険者番号・記号・番号・枝番が重複しています",
                                   f"same 保険者番号・記号・番号・枝番 as row {first_key[r.key]}"))
            continue
        first_key[r.key] = r.row
        if r.data.relationship is Relationship.INSURED:
            if r.household in first_insured:
                errors.append(RowError(
                    r.row, _column(header, "relationship"),
                    f"{first_insured[r.household]}行目にも同じ記号・番号の本人があります（本人は1人です）",
                    f"row {first_insured[r.household]} is already the insured person (本人) "
                    "with this 記号・番号"))
                continue
            first_insured[r.household] = r.row
        kept.append(r)
    return kept


# -- 5. the plan ----------------------------------------------------------------------------

@dataclass
class _Existing:
    id: int
    relationship: Relationship
    insured_person_id: int | None
    lost_on: date | None
    snapshot: dict
    address: dict          # 送付先: not in the audit snapshot (never audited as values)


@dataclass
class _Head:
    """A household's 本人: in the register (``existing``), in the file (``row``) or both."""
    key: tuple
    existing: _Existing | None = None
    row: _Row | None = None

    @property
    def lost_on(self) -> date | None:
        return self.row.data.lost_on if self.row else self.existing.lost_on


@dataclass
class _Planned:
    source: _Row
    action: str
    fields: tuple[str, ...] = ()
    existing: _Existing | None = None
    head: _Head | None = None             # a 家族's 本人

    @property
    def change(self) -> RowChange:
        return RowChange(self.source.row, self.action, self.fields)


def _in_scope(rows: list[_Row], allowed: set[str], header: dict, errors: list[RowError]) -> list[_Row]:
    """The rows of the insurers the caller works for; each other row is an error."""
    for r in rows:
        if r.data.insurer_number not in allowed:
            errors.append(RowError(r.row, _column(header, "insurer_number"),
                                   "この保険者の加入者は取り込めません（担当外の保険者です）",
                                   "you may not import members of this insurer"))
    return [r for r in rows if r.data.insurer_number in allowed]


def _plan(rows: list[_Row], broken: set, header: dict, errors: list[RowError]) -> list[_Planned]:
    insurers = dict(db.session.execute(select(Insurer.number, Insurer.id).where(
        Insurer.number.in_({r.data.insurer_number for r in rows}))).all())
    known = []
    for r in rows:
        if r.data.insurer_number in insurers:
            known.append(r)
        else:
            errors.append(RowError(r.row, _column(header, "insurer_number"),
                                   "登録されていない保険者です", "no such insurer in this register"))
    existing = _load_register(known, insurers)
    absent = [f for f in OPTIONAL if f not in header]
    for r in known:          # an optional column left out keeps the register's value
        if absent and r.key in existing:
            found = existing[r.key]
            r.data = replace(r.data, **{f: found.snapshot[f] if f in found.snapshot
                                        else found.address[f] for f in absent})
    heads = _heads(known, existing)
    plan = []
    for r in known:
        item = _plan_row(r, existing.get(r.key), heads.get(r.household), broken, header, errors)
        if item is not None:
            plan.append(item)
    return plan


def _heads(rows: list[_Row], existing: dict) -> dict[tuple, _Head]:
    heads = {key[:3]: _Head(key, existing=found) for key, found in existing.items()
             if found.relationship is Relationship.INSURED}
    for r in rows:
        if r.data.relationship is Relationship.INSURED:
            head = heads.setdefault(r.household, _Head(r.key))
            if head.key == r.key:
                head.row = r
    return heads


def _plan_row(r: _Row, found: _Existing | None, head: _Head | None, broken_households: set,
              header: dict, errors: list[RowError]) -> _Planned | None:
    data, problems = r.data, len(errors)

    def fail(field, ja, en):
        errors.append(RowError(r.row, _column(header, field), ja, en))

    dependent = data.relationship is Relationship.DEPENDENT
    other_head = head if head is not None and (dependent or head.key != r.key) else None
    broken = household.problem(
        relationship=data.relationship, lost_on=data.lost_on,
        insured=household.InsuredPerson(other_head.lost_on) if other_head else None,
        current=found.relationship if found else None, is_new=found is None, by_import=True)
    if broken and not (dependent and head is None and r.household in broken_households):
        fail(broken.field, broken.ja, broken.en)   # (a 本人 row with errors is reported already)
    if len(errors) > problems:
        return None
    if found is None:
        return _Planned(r, "create", head=head if dependent else None)
    insured_id = head.existing.id if dependent and head.existing else None
    fields = _changed(found, data, insured_id)
    if not fields:
        return _Planned(r, "unchanged", existing=found)
    broken = members.correction_problem(   # the register's own rules, on the preloaded values
        data, lost_on=found.snapshot["lost_on"], ratio=found.snapshot["copay_ratio"],
        ratio_from=found.snapshot["copay_from"])
    if broken:
        fail(broken.field, broken.ja, broken.en)
        return None
    return _Planned(r, "update", fields, existing=found)


def _changed(found: _Existing, data: MemberInput, insured_id) -> tuple[str, ...]:
    after = audit.input_snapshot(data, insured_person_id=insured_id,
                                 loss_reason=found.snapshot["loss_reason"])   # not in the file
    address = tuple(k for k in ADDRESS_FIELDS if getattr(data, k) != found.address[k])
    if after == found.snapshot:                  # the usual case, one comparison
        return address
    return tuple(k for k, v in after.items() if v != found.snapshot[k]) + address


#: Up to this many households, look each one up by the unique index; above it, read the
#: file's insurers once (SQLite cannot use the index for a list of (記号, 番号) pairs).
FEW_HOUSEHOLDS = 500
_M, _E, _C = Member.__table__, Eligibility.__table__, CopayRatio.__table__
_MEMBER_COLUMNS = (_M.c.id, _M.c.insurer_id, _M.c.symbol, _M.c.number, _M.c.branch,
                   _M.c.relationship, _M.c.insured_person_id, _M.c.name, _M.c.name_kana,
                   type_coerce(_M.c.sex, Integer).label("sex"),   # the snapshot's code, no enum
                   _M.c.birth_date, _M.c.mynumber_last4, _M.c.limit_category,
                   _M.c.limit_consent, *(_M.c[f] for f in ADDRESS_FIELDS))


def _load_register(rows: list[_Row], insurers: dict) -> dict[tuple, _Existing]:
    """The members of the file's households, keyed like the rows, in a few queries."""
    numbers = {v: k for k, v in insurers.items()}
    households = {(insurers[r.data.insurer_number], r.data.symbol, r.data.number) for r in rows}
    if len(households) <= FEW_HOUSEHOLDS:
        rows_found = [row for h in sorted(households) for row in db.session.execute(
            select(*_MEMBER_COLUMNS).where(_M.c.insurer_id == h[0], _M.c.symbol == h[1],
                                           _M.c.number == h[2]))]
        ids = [row.id for row in rows_found]
        scope = (lambda table: table.c.member_id.in_(ids)) if ids else None
    else:
        in_file = _M.c.insurer_id.in_(numbers)
        rows_found = [row for row in db.session.execute(
            select(*_MEMBER_COLUMNS).where(in_file)).all()
            if (row.insurer_id, row.symbol, row.number) in households]
        scope = lambda table: table.c.member_id.in_(select(_M.c.id).where(in_file))  # noqa: E731
    eligibility = _latest(scope, _E.c.acquired_on, _E.c.lost_on, _E.c.loss_reason)
    ratio = _latest(scope, _C.c.effective_from, type_coerce(_C.c.ratio, Integer).label("ratio"))
    found = {}
    for row in rows_found:
        e, c = eligibility.get(row.id), ratio.get(row.id)
        snapshot = audit.snapshot(
            insurer_number=numbers[row.insurer_id], symbol=row.symbol, number=row.number,
            branch=row.branch, relationship=row.relationship,
            insured_person_id=row.insured_person_id, name=row.name, name_kana=row.name_kana,
            sex=row.sex, birth_date=row.birth_date, mynumber_last4=row.mynumber_last4,
            acquired_on=e.acquired_on if e else None, lost_on=e.lost_on if e else None,
            loss_reason=e.loss_reason if e else None, copay_ratio=c.ratio if c else None,
            copay_from=c.effective_from if c else None, limit_category=row.limit_category,
            limit_consent=row.limit_consent)
        found[(numbers[row.insurer_id], row.symbol, row.number, row.branch)] = _Existing(
            row.id, row.relationship, row.insured_person_id, e.lost_on if e else None, snapshot,
            {f: getattr(row, f) for f in ADDRESS_FIELDS})
    return found


def _latest(scope, order, *columns) -> dict:
    """member id → its last eligibility or ratio row, ordered as Member's relationships are."""
    if scope is None:
        return {}
    table = order.table
    query = (select(table.c.member_id, order, *columns).where(scope(table))
             .order_by(table.c.member_id, order, table.c.id))
    return {row.member_id: row for row in db.session.execute(query).all()}



# -- 6. the write ---------------------------------------------------------------------------

def _write(plan: list[_Planned], header: dict, actor: str, errors: list[RowError],
           count: Counter) -> int | None:
    """Everything in one transaction; on any error roll back and report. Returns the id of
    the ImportBatch that names the file's members (for printing their notices)."""
    try:
        new_ids: dict = {}
        created = _insert_new(plan, actor, new_ids)
        db.session.expire_all()
        updated = _apply_updates(plan, header, errors)
        if errors:
            db.session.rollback()
            return None
        batch_id = _record_batch(plan, new_ids, actor, count)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        errors.append(RowError(0, "", "取り込み中に台帳が変更されました。もう一度取り込んでください",
                               "the register changed during the import; run it again"))
        return None
    except BaseException:
        db.session.rollback()
        raise
    log.info("member.import batch=%d created=%d updated=%d by %s", batch_id, created, updated, actor)
    return batch_id


def _record_batch(plan: list[_Planned], new_ids: dict, actor: str, count: Counter) -> int:
    """The import batch and every member its file names (created, updated or unchanged)."""
    batch = ImportBatch(at=clock.now(), actor=actor, created=count["create"],
                        updated=count["update"], unchanged=count["unchanged"])
    db.session.add(batch)
    db.session.flush()
    ids = {new_ids[p.source.key] if p.action == "create" else p.existing.id for p in plan}
    _insert(import_batch_member, [{"batch_id": batch.id, "member_id": i} for i in sorted(ids)])
    return batch.id


def _insert_new(plan: list[_Planned], actor: str, ids: dict) -> int:
    """New members as bulk inserts: 本人 first (their ids link the 家族), then 家族.
    ``ids`` gets each new member's id by its key."""
    new = [p for p in plan if p.action == "create"]
    if not new:
        return 0
    now = clock.now()
    insurer_ids = dict(db.session.execute(select(Insurer.number, Insurer.id)).all())
    eligibilities, ratios, entries = [], [], []
    for relationship in (Relationship.INSURED, Relationship.DEPENDENT):   # 本人 first
        group = [p for p in new if p.source.data.relationship is relationship]
        if not group:
            continue
        values = [_member_values(p.source.data, insurer_ids, _insured_id(p, ids), now)
                  for p in group]
        for p, member_id, row in zip(group, _insert_members(values), values):
            data = p.source.data
            ids[p.source.key] = member_id
            eligibilities.append({"member_id": member_id, "acquired_on": data.acquired_on,
                                  "lost_on": data.lost_on, "loss_reason": None,
                                  "revocation_seed": secrets.token_bytes(16)})
            ratios.append({"member_id": member_id, "ratio": data.copay_ratio,
                           "effective_from": data.copay_from})
            after = audit.input_snapshot(data, insured_person_id=row["insured_person_id"])
            entries.append({"at": now, "actor": actor, "action": "member.create",
                            "target_type": "member", "target_id": member_id,
                            "insurer_id": row["insurer_id"],
                            "before_json": None, "after_json": audit.dump(after)})
    _insert(_E, eligibilities)
    _insert(_C, ratios)
    _insert(AuditEntry.__table__, entries)
    return len(new)


# The one dialect switch: PostgreSQL through psycopg 3 takes the rows by COPY (a multi-row
# INSERT of 100,000 rows spends most of its time building and parsing placeholders); any
# other database (SQLite) by an executemany INSERT. Both run in the session's transaction.

def _copy_connection(connection):
    """The psycopg connection under ``connection`` when COPY can be used, else None."""
    if connection.dialect.name == "postgresql" and connection.dialect.driver == "psycopg":
        return connection.connection.driver_connection
    return None


def _insert_members(values: list[dict]) -> list[int]:
    """Insert member rows; returns their new ids in the order of ``values``."""
    connection = db.session.connection()
    if _copy_connection(connection) is None:
        return connection.execute(insert(_M).returning(_M.c.id, sort_by_parameter_order=True),
                                  values).scalars().all()
    sequence = connection.execute(text("SELECT pg_get_serial_sequence(:table, 'id')"),
                                  {"table": _M.name}).scalar_one()
    ids = connection.execute(text(    # taken from the sequence, as an INSERT would (never reused)
        "SELECT array_agg(nextval(CAST(:sequence AS regclass))) FROM generate_series(1, :n)"),
        {"sequence": sequence, "n": len(values)}).scalar_one()
    _insert(_M, [{"id": member_id, **row} for member_id, row in zip(ids, values)])
    return ids


def _insert(table, rows: list[dict]) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table`` in the session's transaction."""
    if not rows:
        return
    connection = db.session.connection()
    raw = _copy_connection(connection)
    if raw is None:
        connection.execute(insert(table), rows)
        return
    dialect, quote = connection.dialect, connection.dialect.identifier_preparer.quote
    names = list(rows[0])
    columns = [table.c[name] for name in names]
    convert = [(i, f) for i, f in enumerate(c.type.bind_processor(dialect) for c in columns)
               if f is not None]           # as an INSERT binds them (enum codes, bytes, …)
    statement = (f"COPY {quote(table.name)} ({', '.join(quote(c.name) for c in columns)}) "
                 "FROM STDIN")
    try:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                values = [row[name] for name in names]
                for i, f in convert:
                    if values[i] is not None:
                        values[i] = f(values[i])
                copy.write_row(values)
    except dialect.loaded_dbapi.Error as exc:   # as SQLAlchemy's own (IntegrityError, …)
        raise DBAPIError.instance(statement, None, exc, dialect.loaded_dbapi.Error) from exc


def _insured_id(p: _Planned, new_ids: dict) -> int | None:
    if p.head is None:
        return None
    return p.head.existing.id if p.head.existing else new_ids[p.head.key]


def _member_values(data: MemberInput, insurer_ids: dict, insured_id, now: int) -> dict:
    """The member row build_member would write (members._apply's fields)."""
    return {"insurer_id": insurer_ids[data.insurer_number], "symbol": data.symbol,
            "number": data.number, "branch": data.branch, "relationship": data.relationship,
            "insured_person_id": insured_id if data.relationship is Relationship.DEPENDENT else None,
            "name": data.name, "name_kana": data.name_kana, "sex": data.sex,
            "birth_date": data.birth_date, "mynumber_last4": data.mynumber_last4,
            "limit_category": data.limit_category, "limit_consent": data.limit_consent,
            "limit_consent_at": now if data.limit_consent else None,
            "created_at": now, "updated_at": now, **data.address,
            **search_keys.member_keys(data.name, data.name_kana)}


_UPDATE_LOADS = (joinedload(Member.insurer), selectinload(Member.eligibilities),
                 selectinload(Member.copay_ratios), selectinload(Member.dependents),
                 selectinload(Member.cards))


def _apply_updates(plan: list[_Planned], header: dict, errors: list[RowError]) -> int:
    """Changed rows through the register (audit before/after; a new loss revokes, and a
    本人's loss reaches their 家族 as in members.record_loss). 本人 first."""
    updates = sorted((p for p in plan if p.action == "update"),
                     key=lambda p: (p.source.data.relationship, p.source.row))
    loaded = {}
    for chunk in chunks([p.existing.id for p in updates], 500):   # a few queries, not 3 each
        loaded.update((m.id, m) for m in db.session.scalars(select(Member).where(
            Member.id.in_(chunk)).options(*_UPDATE_LOADS)))
    for p in updates:
        data, member = p.source.data, loaded[p.existing.id]
        try:
            if data.lost_on is not None and member.eligibility.lost_on is None:
                members.update_member(member, replace(data, lost_on=None), commit=False)
                members.record_loss(member, data.lost_on, LOSS_REASON, commit=False)
            else:
                members.update_member(member, data, commit=False)
        except ValidationError as exc:
            errors.extend(RowError(p.source.row, _column(header, e.field), e.ja, e.en)
                          for e in exc.errors)
    return len(updates)
