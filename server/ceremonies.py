"""Passkey ceremonies as JSON endpoints (/auth/…): staff now, members next.

The browser gets options JSON, runs navigator.credentials.create/get, and posts the
credential's toJSON() back. Errors come back as {"error": "…"} with status 400.
"""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request, session, url_for

from . import audit, passkeys, staff_accounts
from .admin import sign_in
from .db import db
from .passkeys import PasskeyError
from .staff_accounts import StaffError

bp = Blueprint("ceremonies", __name__, url_prefix="/auth")


def _json(text: str):
    return current_app.response_class(text, mimetype="application/json")


def _error(message: str, status: int = 400):
    return jsonify(error=message), status


@bp.errorhandler(PasskeyError)
@bp.errorhandler(StaffError)
def _ceremony_failed(exc):
    db.session.rollback()
    return _error(exc.message)


@bp.post("/staff/invite/<token>/options")
def staff_invite_options(token):
    invite = staff_accounts.open_invite(token)
    return _json(passkeys.registration_options(
        "staff-register", user_id=b"invite-%d" % invite.id, user_name=invite.email,
        display_name=f"{invite.email}（資格パス職員）", owner_type="staff", owner_id=None,
        invite_id=invite.id))


@bp.post("/staff/invite/<token>/verify")
def staff_invite_verify(token):
    invite = staff_accounts.open_invite(token)
    state = passkeys.state("staff-register")
    if not state or state.get("invite_id") != invite.id:
        raise PasskeyError("最初からやり直してください (start again)")
    credential = passkeys.parse_json_body(request.get_data())
    staff = staff_accounts.accept(invite)
    passkeys.verify_registration("staff-register", credential, owner_type="staff",
                                 owner_id=staff.id, name="初回登録")
    db.session.commit()
    sign_in(staff)
    return jsonify(next=url_for("admin.index"))


@bp.post("/staff/login/options")
def staff_login_options():
    return _json(passkeys.authentication_options("staff-login"))


@bp.post("/staff/login/verify")
def staff_login_verify():
    credential = passkeys.parse_json_body(request.get_data())
    record = passkeys.verify_authentication("staff-login", credential, owner_type="staff")
    staff = staff_accounts.active(record.owner_id)
    if staff is None:
        raise PasskeyError("このアカウントは無効です (this account is disabled)")
    audit.record("staff.sign_in", staff, actor=f"staff:{staff.id}")
    db.session.commit()
    next_url = session.get("next") or url_for("admin.index")
    sign_in(staff)
    return jsonify(next=next_url if next_url.startswith("/admin") else url_for("admin.index"))
