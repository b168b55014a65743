"""Insurer staff pages (/admin/): passkey sign-in, the member register, keys, audit.

Every view requires a signed-in, active staff member (``staff_required``); admin-only
views add ``admin_required``. Staff sessions expire after STAFF_IDLE_MINUTES idle.
"""
from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, current_app, g, redirect, request, session, url_for

from .. import WEB_ROOT, clock, staff_accounts

bp = Blueprint("admin", __name__, url_prefix="/admin", static_folder=str(WEB_ROOT / "admin"),
               static_url_path="/static")


@bp.after_request
def _no_store(response):
    """Admin pages show personal data: never kept in a shared PC's browser cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


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


from . import audit_log, auth, imports, keys, members, printing, staff  # noqa: E402,F401  (register the views)
