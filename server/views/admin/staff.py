"""Staff (insurer admins: the staff of their insurers; the operator: everyone): list,
invite with a one-time link, sign out, disable."""
from flask import abort, flash, g, redirect, render_template, request, url_for

from ...auth import sessions, staff_accounts
from ...auth.staff_accounts import StaffError, invite
from ...auth.staff_session import requires
from ...extensions import db
from ...models import INSURER_ROLES, ROLES, Staff
from . import bp, records


def _visible(staff_id: int) -> Staff:
    found = db.session.scalar(db.select(Staff).where(Staff.id == staff_id, g.scope.staff_filter()))
    if found is None:
        abort(404)
    return found


@bp.route("/staff", methods=["GET", "POST"])
@requires("staff")
def staff_list():
    link = error = None
    if request.method == "POST":
        try:
            link = invite(request.form.get("email", ""), request.form.get("role", ""),
                          request.form.getlist("insurer"), invited_by=g.actor, scope=g.scope)
        except StaffError as exc:
            db.session.rollback()
            error = exc.message
    members = db.session.scalars(db.select(Staff).where(g.scope.staff_filter()).order_by(Staff.id)).all()
    devices = {s.id: len(sessions.live("staff", s.id)) for s in members}
    roles = ROLES if g.scope.everything else INSURER_ROLES
    return render_template("admin/staff.html", staff=members, roles=roles, link=link, error=error,
                           devices=devices, insurers=records.insurers()), 400 if error else 200


@bp.post("/staff/<id:staff_id>/sessions/end")
@requires("staff")
def end_staff_sessions(staff_id):
    staff = _visible(staff_id)
    ended = staff_accounts.end_sessions(staff, actor=g.actor)
    db.session.commit()
    flash(f"{staff.email} を全端末でサインアウトしました（{ended}件） Signed out on {ended} device(s)")
    return redirect(url_for("admin.staff_list"))


@bp.post("/staff/<id:staff_id>/disable")
@requires("staff")
def disable_staff(staff_id):
    staff = _visible(staff_id)
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
