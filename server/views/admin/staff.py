"""Staff (admin): list accounts, invite with a one-time link, sign out, disable."""
from flask import flash, g, redirect, render_template, request, url_for

from ...auth import sessions, staff_accounts
from ...auth.staff_accounts import StaffError, invite
from ...auth.staff_session import admin_required
from ...extensions import db
from ...models import ROLES, Staff
from . import bp


@bp.route("/staff", methods=["GET", "POST"])
@admin_required
def staff_list():
    link = error = None
    if request.method == "POST":
        try:
            link = invite(request.form.get("email", ""), request.form.get("role", ""), invited_by=g.actor)
        except StaffError as exc:
            db.session.rollback()
            error = exc.message
    members = db.session.scalars(db.select(Staff).order_by(Staff.id)).all()
    devices = {s.id: len(sessions.live("staff", s.id)) for s in members}
    return render_template("admin/staff.html", staff=members, roles=ROLES, link=link, error=error,
                           devices=devices), 400 if error else 200


@bp.post("/staff/<id:staff_id>/sessions/end")
@admin_required
def end_staff_sessions(staff_id):
    staff = db.get_or_404(Staff, staff_id)
    ended = staff_accounts.end_sessions(staff, actor=g.actor)
    db.session.commit()
    flash(f"{staff.email} を全端末でサインアウトしました（{ended}件） Signed out on {ended} device(s)")
    return redirect(url_for("admin.staff_list"))


@bp.post("/staff/<id:staff_id>/disable")
@admin_required
def disable_staff(staff_id):
    staff = db.get_or_404(Staff, staff_id)
    if staff.id == g.staff.id:
        flash("自分のアカウントは無効にできません You cannot disable yourself", "error")
    else:
        try:
            staff_accounts.disable(staff, actor=g.actor)
            flash(f"{staff.email} を無効にしました Disabled")
        except StaffError as exc:
            db.session.rollback()
            flash(exc.message, "error")
    return redirect(url_for("admin.staff_list"))
