"""The member's own data and tokens: /api/v1/me (docs/member-api.md).

Everything here is personal data: answers are ``Cache-Control: no-store`` (views/caching.py); the app keeps
what it needs offline on the device itself.
"""
from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify
from flask_wtf.csrf import generate_csrf

from .. import clock
from ..auth import sessions
from ..auth.member_session import member_required, visible, visible_members
from ..documents.issuance import IssuanceError, issue_token
from ..extensions import db
from ..keys.lifecycle import KeyManagementError
from ..models import PasskeyCredential
from ..problems import Problem
from ..register import audit
from ..token_core import DocumentKind
from . import json_body
from .converters import query_id

bp = Blueprint("member_api", __name__, url_prefix="/api/v1")


def member_json(member, *, signed_in) -> dict:
    e = member.eligibility
    today = clock.today()
    copay = member.copay_on(today) or (member.copay_ratios[-1] if member.copay_ratios else None)
    return {
        "id": member.id, "self": member.id == signed_in.id, "relationship": member.relationship,
        "name": member.name, "name_kana": member.name_kana, "sex": member.sex,
        "birth_date": member.birth_date.isoformat(), "insurer_number": member.insurer.number,
        "insurer_name": member.insurer.name,
        "insurer_phone": member.insurer.phone,      # whom to call (after a loss, a lost phone)
        "symbol": member.symbol, "number": member.number,
        "branch": member.branch, "acquired_on": e.acquired_on.isoformat() if e else None,
        "lost_on": e.lost_on.isoformat() if e and e.lost_on else None,
        "loss_reason": e.loss_reason if e else None,
        "eligible": bool(e and e.active_on(today)),
        "copay_ratio": copay.ratio if copay else None,
        "copay_from": copay.effective_from.isoformat() if copay else None,
        "mynumber_last4": member.mynumber_last4, "limit_category": member.limit_category,
        "limit_consent": member.limit_consent,
        "labels": _labels(relationship=member.relationship, sex=member.sex,
                          copay_ratio=copay.ratio if copay else None),
    }


def _labels(**codes) -> dict:
    """Each code's words from the one place they live (the token core's enums), so the app
    shows what the admin pages, the printed notice and the CLI show."""
    return {name: {"ja": code.ja, "en": code.en} for name, code in codes.items() if code is not None}


def _passkeys(member) -> list[PasskeyCredential]:
    return list(db.session.scalars(db.select(PasskeyCredential).where(
        PasskeyCredential.owner_type == "member", PasskeyCredential.owner_id == member.id)
        .order_by(PasskeyCredential.id)))


@bp.get("/csrf")
def csrf():
    return jsonify(csrf_token=generate_csrf())


@bp.get("/me")
@member_required
def me():
    members = [member_json(m, signed_in=g.member) for m in visible_members(g.member)]
    return jsonify(member=members[0], members=members,
                   passkeys=[{"id": p.id, "name": p.name, "created_at": p.created_at,
                              "last_used_at": p.last_used_at} for p in _passkeys(g.member)],
                   sessions=[{"id": s.id, "device": s.device, "created_at": s.created_at,
                              "last_seen_at": s.last_seen_at, "current": s.id == g.auth_session.id}
                             for s in sessions.live("member", g.member.id)],
                   settings={"token_refresh_seconds": current_app.config["TOKEN_REFRESH_SECONDS"]})


@bp.get("/me/token")
@member_required
def token():
    member = visible(g.member, query_id("member"))
    member_id = member.id                  # read before the commit expires the object
    try:
        issued = issue_token(member, DocumentKind.NOTICE)
    except KeyManagementError:
        raise Problem("no_signing_key", "ただいま発行できません。しばらくしてからお試しください",
                      "no signing key is available; try again later", status=503) from None
    except IssuanceError as exc:
        lost_on = member.eligibility.lost_on if member.eligibility else None
        exc.extra["lost_on"] = lost_on.isoformat() if lost_on else None
        raise
    # The phone draws the QR from the text (web/app/js/qr.js): no picture is made here.
    return jsonify(member_id=member_id, text=issued.text, issued_at=issued.claims.issued_at,
                   expires_at=issued.claims.expires_at, claims=issued.claims.to_json())


@bp.post("/me/consent")
@member_required
def consent():
    body = json_body.read(empty_ok=True)
    member = visible(g.member, body.ident("member", required=False))
    wanted = body.flag("consent")
    if wanted and not member.limit_category:
        raise Problem("no_limit_category", "限度額適用区分が登録されていません",
                      "no 限度額適用区分 on record", status=409)
    if member.limit_consent != wanted:
        before = {"limit_consent": member.limit_consent, "limit_consent_at": member.limit_consent_at}
        member.limit_consent = wanted
        member.limit_consent_at = clock.now() if wanted else None
        audit.record("member.consent", member, before=before,
                     after={"limit_consent": wanted, "limit_consent_at": member.limit_consent_at})
        # The answer is read before the commit: after it the member is expired, and reading
        # it again would be a new query, which a database going away right then would turn
        # into an error for a change that was saved.
        answer = member_json(member, signed_in=g.member)
        db.session.commit()
        return jsonify(answer)
    return jsonify(member_json(member, signed_in=g.member))


@bp.post("/me/passkeys/<id:passkey_id>/delete")
@member_required
def delete_passkey(passkey_id):
    passkeys = _passkeys(g.member)
    target = next((p for p in passkeys if p.id == passkey_id), None)
    if target is None:
        raise Problem("not_found", "パスキーが見つかりません", "no such passkey", status=404)
    body = json_body.read(empty_ok=True)
    if len(passkeys) == 1 and body.flag("confirm", required=False) is not True:
        raise Problem("last_passkey", "最後のパスキーです。削除するとサインインできなくなります",
                      "this is your last passkey: confirm to delete it", status=409)
    db.session.delete(target)
    # A device that signed in with this passkey is signed out with it: every other session
    # ends (this one, which the member is using to delete it, stays).
    ended = sessions.end_all("member", g.member.id, "passkey_deleted", keep=g.auth_session)
    audit.record("passkey.delete", g.member, after={"passkey_id": passkey_id, "sessions_ended": ended})
    db.session.commit()
    return jsonify(ok=True)


@bp.post("/me/sessions/<id:session_id>/end")
@member_required
def end_session(session_id):
    """Sign out one of the member's devices (the list in GET /me)."""
    target = next((s for s in sessions.live("member", g.member.id) if s.id == session_id), None)
    if target is None:
        raise Problem("not_found", "この端末は見つかりません", "no such signed-in device", status=404)
    sessions.end(target, "ended_by_member")
    audit.record("session.end", g.member, after={"session_id": session_id})
    db.session.commit()
    return jsonify(ok=True, current=target.id == g.auth_session.id)


@bp.post("/me/sessions/end-all")
@member_required
def end_all_sessions():
    """すべての端末からサインアウト: every session of the member ends, this one too."""
    ended = sessions.end_all("member", g.member.id, "signed_out_everywhere")
    audit.record("session.end_all", g.member, after={"sessions_ended": ended})
    db.session.commit()
    sessions.sign_out()
    return jsonify(next="/app/", ended=ended)
