"""Staff (admin): list accounts, invite with a one-time link."""
from flask import g, render_template, request

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
    return render_template("admin/staff.html", staff=members, roles=ROLES, link=link, error=error), \
        400 if error else 200
