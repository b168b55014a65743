"""Staff accounts: one-time invitation links, passkey-only accounts, roles."""
from __future__ import annotations

import hashlib
import json
import re
import secrets

from flask import current_app

from .. import clock
from ..extensions import db
from ..models import ROLES, Insurer, Staff, StaffInvite
from ..problems import Problem
from ..register import audit
from . import sessions
from .scope import Scope

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class StaffError(Problem):
    """A staff invitation or account cannot be used."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite(email: str, role: str, insurers=(), *, invited_by: str, scope: Scope | None = None) -> str:
    """Create a one-time registration link, valid STAFF_INVITE_HOURS. Returns the link; its
    token is in the fragment (``#token=``), which browsers never send, so no access log or
    proxy keeps it: the page posts it.

    ``insurers``: the 保険者番号 a clerk or an insurer admin works for (one or more; none for
    an operator). ``scope``: the inviter's (None: the command line, which may do anything);
    an insurer admin invites clerks and admins of their own insurers only."""
    email = email.strip().lower()
    numbers = sorted({n.strip() for n in insurers if n.strip()})
    if not _EMAIL.fullmatch(email):
        raise StaffError("invalid_email", "メールアドレスの形式が正しくありません",
            "not an email address")
    if role not in ROLES:
        raise StaffError("invalid_role", f"役割は {' / '.join(ROLES)} のいずれかです",
            f"role must be one of {ROLES}")
    _check_scope(role, numbers, scope)
    if db.session.scalar(db.select(Staff).where(Staff.email == email)):
        raise StaffError("staff_exists", "この職員はすでに登録されています",
            "this staff member already exists")
    token = secrets.token_urlsafe(32)
    now = clock.now()
    record = StaffInvite(email=email, role=role, token_hash=_hash(token), created_at=now,
                         expires_at=now + current_app.config["STAFF_INVITE_HOURS"] * 3600,
                         invited_by=invited_by, insurers_json=json.dumps(numbers) if numbers else None)
    db.session.add(record)
    db.session.flush()
    audit.record("staff.invite", record, after={"email": email, "role": role, "insurers": numbers},
                 actor=invited_by)
    db.session.commit()
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}/admin/invite#token={token}"


def _check_scope(role: str, numbers: list[str], scope: Scope | None) -> None:
    if role == "operator":
        if numbers:
            raise StaffError("operator_scope", "運用者は保険者を指定せずに招待します（全保険者が対象）",
                "an operator is not scoped to insurers")
        if scope is not None and not scope.everything:
            raise StaffError("forbidden_role", "運用者を招待できるのは運用者だけです",
                "only an operator may invite an operator")
        return
    if not numbers:
        raise StaffError("insurer_required", "担当する保険者（保険者番号）を1つ以上指定してください",
            "name at least one insurer this staff member works for")
    known = set(db.session.scalars(db.select(Insurer.number).where(Insurer.number.in_(numbers))))
    unknown = [n for n in numbers if n not in known]
    if unknown:
        raise StaffError("unknown_insurer", f"登録されていない保険者番号です: {', '.join(unknown)}",
            f"no such insurer: {', '.join(unknown)}")
    if scope is not None and not scope.covers_numbers(numbers):
        raise StaffError("forbidden_insurer", "担当外の保険者の職員は招待できません",
            "you may invite staff of your own insurers only")


def open_invite(token: str) -> StaffInvite:
    """The open invitation behind ``token`` (its link's fragment)."""
    record = db.session.scalar(db.select(StaffInvite).where(StaffInvite.token_hash == _hash(token)))
    return still_open(record)


def still_open(record: StaffInvite | None) -> StaffInvite:
    if record is None:
        raise StaffError("invalid_invitation", "招待リンクが正しくありません",
            "invalid invitation link")
    if record.used_at is not None:
        raise StaffError("invitation_used", "この招待リンクは使用済みです",
            "this invitation was already used")
    if clock.now() >= record.expires_at:
        raise StaffError("invitation_expired", "招待リンクの有効期限が切れています。管理者に再発行を依頼してください",
            "the invitation expired; ask an admin for a new one")
    return record


def accept(invite_record: StaffInvite, *, user_handle: bytes) -> Staff:
    """Create the account (the caller adds the passkey and commits in the same transaction)."""
    if db.session.scalar(db.select(Staff).where(Staff.email == invite_record.email)):
        raise StaffError("staff_exists", "この職員はすでに登録されています",
            "this staff member already exists")
    staff = Staff(email=invite_record.email, role=invite_record.role,
                  user_handle=user_handle, created_at=clock.now(),
                  insurers=list(db.session.scalars(db.select(Insurer).where(
                      Insurer.number.in_(invite_record.insurer_numbers)))))
    db.session.add(staff)
    invite_record.used_at = clock.now()
    db.session.flush()
    audit.record("staff.create", staff, after={"email": staff.email, "role": staff.role,
                                               "insurers": staff.insurer_numbers},
                 actor=f"staff:{staff.id}")
    return staff


def active(staff_id: int | None) -> Staff | None:
    staff = db.session.get(Staff, staff_id) if staff_id else None
    return staff if staff and staff.disabled_at is None else None


def end_sessions(staff: Staff, *, actor: str | None = None) -> int:
    """Sign a staff member out on every device (the caller commits)."""
    ended = sessions.end_all("staff", staff.id, "ended_by_admin")
    audit.record("staff.sessions_end", staff, after={"sessions_ended": ended}, actor=actor)
    return ended


def disable(staff: Staff, *, actor: str | None = None) -> None:
    """An account that can no longer sign in; every session of it ends now (commits)."""
    if staff.disabled_at is not None:
        raise StaffError("already_disabled", "この職員はすでに無効です", "this account is already disabled")
    staff.disabled_at = clock.now()
    ended = sessions.end_all("staff", staff.id, "disabled")
    audit.record("staff.disable", staff, after={"sessions_ended": ended}, actor=actor)
    db.session.commit()
