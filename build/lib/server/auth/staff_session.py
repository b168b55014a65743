"""The staff member's signed-in session and the guards of the admin pages.

Every admin view requires a signed-in, active staff member (``staff_required``); admin-only
views add ``admin_required``. Staff sessions expire after STAFF_IDLE_MINUTES idle.
"""
from __future__ import annotations

from functools import wraps

from flask import abort, current_app, g, redirect, request, session, url_for

from .. import clock
from . import staff_accounts


def sign_in(staff) -> None:
    session.clear()          # no session fixation: a fresh session for the signed-in user
    session["staff_id"] = staff.id
    session["staff_seen"] = clock.now()
    session.permanent = True


def current_staff():
    seen = session.get("staff_seen")
    idle = current_app.config["STAFF_IDLE_MINUTES"] * 60
    if seen is None or clock.now() - seen > idle:
        return None
    staff = staff_accounts.active(session.get("staff_id"))
    if staff is not None:
        session["staff_seen"] = clock.now()
    return staff


def staff_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        staff = current_staff()
        if staff is None:
            session.pop("staff_id", None)
            if request.path.startswith("/admin/api/") or request.accept_mimetypes.best == "application/json":
                abort(401)
            return redirect(url_for("admin.login", next=request.path))   # no query: it may hold names
        g.staff = staff
        g.actor = f"staff:{staff.id}"
        return view(*args, **kwargs)
    return wrapped


def admin_required(view):
    @wraps(view)
    @staff_required
    def wrapped(*args, **kwargs):
        if not g.staff.is_admin:
            abort(403)
        return view(*args, **kwargs)
    return wrapped
