"""Signing keys (admin): list with their state, rotate."""
from flask import flash, g, redirect, render_template, url_for

from ... import clock
from ...auth.staff_session import admin_required
from ...extensions import db
from ...keys import lifecycle
from ...keys.lifecycle import KeyManagementError
from ...models import SigningKeyRecord
from . import bp


@bp.get("/keys")
@admin_required
def keys():
    records = db.session.scalars(db.select(SigningKeyRecord).order_by(SigningKeyRecord.id.desc())).all()
    return render_template("admin/keys.html", records=records, now=clock.now())


@bp.post("/keys/rotate")
@admin_required
def rotate_keys():
    try:
        pairs = lifecycle.rotate(actor=g.actor)
    except KeyManagementError as exc:
        db.session.rollback()
        flash(f"ローテーションできません: {exc}", "error")
    else:
        flash(f"新しい署名鍵に切り替えました（{len(pairs)}件） Rotated {len(pairs)} key(s)")
    return redirect(url_for("admin.keys"))
