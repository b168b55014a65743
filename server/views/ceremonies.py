"""Passkey ceremonies as JSON endpoints (/auth/…) for staff and members.

The browser gets options JSON, runs navigator.credentials.create/get, and posts the
credential's toJSON() back. A failed ceremony raises PasskeyError or StaffError (Problems),
which views/errors.py answers in the one JSON error shape.
"""
from __future__ import annotations

import secrets

from flask import Blueprint, current_app, g, jsonify, session, url_for

from .. import clock
from ..auth import member_session, passkeys, sessions, staff_accounts
from ..auth.member_session import member_required
from ..auth.passkeys import PasskeyError
from ..auth.staff_accounts import StaffError
from ..auth.staff_session import sign_in
from ..documents import activation_codes
from ..documents.activation_codes import ActivationError
from ..extensions import db, limiter
from ..models import ActivationCode, Member, StaffInvite
from ..problems import Problem
from ..register import audit
from ..register.wareki import parse_date
from . import json_body

bp = Blueprint("ceremonies", __name__, url_prefix="/auth")


def _json(text: str):
    return current_app.response_class(text, mimetype="application/json")


def _invite_from_body():
    token = json_body.read().text("token", max_len=100)
    if not token:
        raise StaffError("invalid_invitation", "招待リンクが正しくありません", "invalid invitation link")
    return staff_accounts.open_invite(token)


@bp.post("/staff/invite")
def staff_invite():
    """Whom the invitation (token in the POST body, from the link's fragment) is for."""
    invite = _invite_from_body()
    return jsonify(email=invite.email, role=invite.role, expires_at=invite.expires_at)


@bp.post("/staff/invite/options")
def staff_invite_options():
    invite = _invite_from_body()
    handle = secrets.token_bytes(32)        # becomes the staff account's WebAuthn user.id
    return _json(passkeys.registration_options(
        "staff-register", user_id=handle, user_name=invite.email,
        display_name=f"{invite.email}（資格パス職員）", owner_type="staff", owner_id=None,
        invite_id=invite.id, user_handle=handle.hex()))


@bp.post("/staff/invite/verify")
def staff_invite_verify():
    """The invitation is the one the options step opened (kept with its challenge)."""
    state = passkeys.state("staff-register")
    if not state:
        raise PasskeyError("start_again", "最初からやり直してください", "start again")
    invite = staff_accounts.still_open(db.session.get(StaffInvite, state["invite_id"]))
    credential = json_body.credential()
    staff = staff_accounts.accept(invite, user_handle=bytes.fromhex(state["user_handle"]))
    passkeys.verify_registration("staff-register", credential, owner_type="staff",
                                 owner_id=staff.id, name="初回登録")
    db.session.commit()
    sign_in(staff)
    return jsonify(next=url_for("admin.index"))


@bp.post("/staff/login/options")
@limiter.limit(lambda: current_app.config["SIGN_IN_RATE_LIMIT"])
def staff_login_options():
    return _json(passkeys.authentication_options("staff-login"))


@bp.post("/staff/login/verify")
def staff_login_verify():
    credential = json_body.credential()
    record = passkeys.verify_authentication("staff-login", credential, owner_type="staff")
    staff = staff_accounts.active(record.owner_id)
    if staff is None:
        raise PasskeyError("account_disabled", "このアカウントは無効です",
            "this account is disabled")
    audit.record("staff.sign_in", staff, actor=f"staff:{staff.id}")
    db.session.commit()
    next_url = session.get("next") or url_for("admin.index")
    sign_in(staff)
    return jsonify(next=next_url if next_url.startswith("/admin") else url_for("admin.index"))


# -- members ---------------------------------------------------------------------

def _member_handle(member) -> bytes:
    if member.webauthn_handle is None:
        member.webauthn_handle = secrets.token_bytes(32)
    return member.webauthn_handle


#: What a member is told when activation fails: (status, 日本語, English) by reason.
_ACTIVATION_MESSAGES = {
    "invalid": (400, "コード・生年月日・暗証番号のいずれかが正しくありません",
                "the code, the birth date or the PIN is wrong"),
    "expired": (410, "このコードは有効期限が切れています。保険者にお知らせの再発行を依頼してください",
                "this code has expired: ask your insurer for a new notice"),
    "used": (410, "このコードは使用済みです。保険者にお知らせの再発行を依頼してください",
             "this code was already used: ask your insurer for a new notice"),
    "replaced": (410, "このコードは再発行により無効です。新しいお知らせのコードをお使いください",
                 "a newer notice replaced this code"),
    "locked": (410, "誤りが続いたためコードをロックしました。お知らせに記載の保険者の窓口に再発行を依頼してください",
               "too many wrong attempts locked the code: ask the insurer named on your notice for a new one"),
    "not_eligible": (410, "資格がありません。保険者にお問い合わせください",
                     "no eligibility: please contact your insurer"),
}


def _activation_refused(exc: Exception) -> Problem:
    """What the member is told: the tries left after a wrong answer; once locked, whom to
    call (the insurer's telephone, when the birth date was right; else the notice's contact)."""
    if not isinstance(exc, ActivationError):           # an unreadable birth date
        exc = ActivationError("invalid")
    status, ja, en = _ACTIVATION_MESSAGES[exc.reason]
    extra = {}
    if exc.attempts_left is not None:
        extra["attempts_left"] = exc.attempts_left
        ja += f"（あと{exc.attempts_left}回まちがえるとロックされます）"
        en += f" ({exc.attempts_left} more wrong tries lock the code)"
    if exc.phone:
        extra["insurer_phone"] = exc.phone
        ja += f"　保険者の電話: {exc.phone}"
        en += f" — your insurer: {exc.phone}"
    return Problem(exc.reason, ja, en, status=status, **extra)


@bp.post("/member/activate/options")
@limiter.limit(lambda: current_app.config["ACTIVATION_RATE_LIMIT"])
def member_activate_options():
    body = json_body.read()
    birth_date_text, code = body.text("birth_date", max_len=40), body.text("code", max_len=64)
    try:
        birth_date = parse_date(birth_date_text)
        record = activation_codes.check(code, birth_date, body.text("pin", max_len=32, required=False) or "")
    except (ValueError, ActivationError) as exc:
        raise _activation_refused(exc) from None
    member = db.session.get(Member, record.member_id)
    options = passkeys.registration_options(
        "member-register", user_id=_member_handle(member), user_name=f"{member.insurer.number}-{member.id}",
        display_name=member.name, owner_type="member", owner_id=member.id, activation_id=record.id)
    db.session.commit()
    return _json(options)


@bp.post("/member/activate/verify")
def member_activate_verify():
    state = passkeys.state("member-register")
    record = db.session.get(ActivationCode, state.get("activation_id")) if state else None
    if record is None or record.state(clock.now(), current_app.config["ACTIVATION_MAX_ATTEMPTS"]) != "active":
        raise PasskeyError("start_again", "最初からやり直してください",
            "start again")
    credential = json_body.credential()
    passkeys.verify_registration("member-register", credential, owner_type="member",
                                 owner_id=record.member_id, name="利用開始時")
    activation_codes.consume(record)
    member = db.session.get(Member, record.member_id)
    audit.record("member.activate", member, actor=f"member:{member.id}")
    sessions.end_all("member", member.id, "reactivated")   # whoever held the old account is out
    db.session.commit()
    member_session.sign_in(member)
    return jsonify(next="/app/")


@bp.post("/member/login/options")
@limiter.limit(lambda: current_app.config["SIGN_IN_RATE_LIMIT"])
def member_login_options():
    return _json(passkeys.authentication_options("member-login"))


@bp.post("/member/login/verify")
def member_login_verify():
    credential = json_body.credential()
    record = passkeys.verify_authentication("member-login", credential, owner_type="member")
    member = db.session.get(Member, record.owner_id)
    if member is None:
        raise PasskeyError("unknown_passkey", "このパスキーは登録されていません",
            "this passkey is not registered")
    db.session.commit()
    member_session.sign_in(member)
    return jsonify(next="/app/")


@bp.post("/member/reauth/options")
@member_required
@limiter.limit(lambda: current_app.config["SIGN_IN_RATE_LIMIT"])
def member_reauth_options():
    """Step-up: a fresh user-verified use of one of the member's own passkeys."""
    return _json(passkeys.authentication_options("member-reauth"))


@bp.post("/member/reauth/verify")
@member_required
def member_reauth_verify():
    credential = json_body.credential()
    record = passkeys.verify_authentication("member-reauth", credential, owner_type="member")
    if record.owner_id != g.member.id:
        db.session.rollback()
        raise PasskeyError("unknown_passkey", "このアカウントのパスキーではありません",
                           "this passkey belongs to another account")
    sessions.mark_verified(g.auth_session)
    db.session.commit()
    return jsonify(ok=True)


@bp.post("/member/passkeys/options")
@member_required
def member_passkey_options():
    """Adding a passkey needs more than the cookie: a user-verified passkey use within the
    last few minutes (sign-in or /member/reauth), so a stolen cookie cannot add its own."""
    if not sessions.recently_verified(g.auth_session):
        raise Problem("reauth_required", "パスキーを追加する前に、今のパスキーで本人確認をしてください",
                      "confirm with one of your passkeys before adding another", status=403)
    member = g.member
    options = passkeys.registration_options(
        "member-add", user_id=_member_handle(member), user_name=f"{member.insurer.number}-{member.id}",
        display_name=member.name, owner_type="member", owner_id=member.id)
    db.session.commit()
    return _json(options)


@bp.post("/member/passkeys/verify")
@member_required
def member_passkey_verify():
    credential = json_body.credential()
    passkeys.verify_registration("member-add", credential, owner_type="member",
                                 owner_id=g.member.id, name="追加")
    audit.record("passkey.add", g.member)
    db.session.commit()
    return jsonify(ok=True)


@bp.post("/member/logout")
def member_logout():
    sessions.sign_out()       # ends the session on the server, not only this browser's copy
    return jsonify(next="/app/")
