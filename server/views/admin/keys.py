"""Signing keys (insurer admins: their insurers' keys; the operator: every key): list with
their state, rotate, revoke a compromised key."""
import re

from flask import abort, flash, g, redirect, render_template, request, url_for

from ... import clock
from ...auth.staff_session import requires
from ...extensions import db
from ...keys import lifecycle
from ...keys.lifecycle import KeyManagementError
from ...models import SigningKeyRecord
from . import bp


def _checked(kid: str) -> str:
    """A kid as the list writes it (lowercase hex, 1–16 bytes); anything else is no key (404),
    before it reaches the database (PostgreSQL refuses a NUL in text)."""
    if not re.fullmatch(r"[0-9a-f]{2,32}", kid):
        abort(404)
    return kid


def _allowed(record: SigningKeyRecord) -> bool:
    return g.scope.covers_numbers(record.insurers)


@bp.get("/keys")
@requires("keys")
def keys():
    records = [r for r in db.session.scalars(db.select(SigningKeyRecord).order_by(SigningKeyRecord.id.desc()))
               if _allowed(r)]
    return render_template("admin/keys.html", records=records, now=clock.now())


@bp.post("/keys/<kid>/rotate")
@requires("keys")
def rotate_key(kid):
    kid = _checked(kid)
    try:
        [(old, new)] = lifecycle.rotate(kid, actor=g.actor, allowed=_allowed)
    except KeyManagementError as exc:
        db.session.rollback()
        flash(f"ローテーションできません Cannot rotate: {exc}", "error")
    else:
        flash(f"新しい署名鍵 {new.kid} に切り替えました（{old.kid} は公開のみ） Rotated {old.kid} → {new.kid}")
    return redirect(url_for("admin.keys"))


@bp.post("/keys/<kid>/revoke")
@requires("keys")
def revoke_key(kid):
    """A compromised key: typed kid as confirmation; trust in it ends with the next list."""
    kid = _checked(kid)
    if request.form.get("confirm_kid", "").strip().lower() != kid:
        flash("確認のため鍵IDを入力してください Type the key id to confirm", "error")
        return redirect(url_for("admin.keys"))
    try:
        record, replacement = lifecycle.revoke(kid, actor=g.actor, allowed=_allowed)
    except KeyManagementError as exc:
        db.session.rollback()
        flash(f"失効できません Cannot revoke: {exc}", "error")
    else:
        after = f"新しい鍵 {replacement.kid} が使用中です。" if replacement else ""
        flash(f"鍵 {record.kid} を失効しました。{after}この鍵で署名した資格確認書は再発行してください。 "
              f"Key {record.kid} revoked; reissue the cards it signed")
    return redirect(url_for("admin.keys"))
