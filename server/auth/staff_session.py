"""The staff member's signed-in session and the guards of the admin pages.

Every admin view requires a signed-in, active staff member (``staff_required``) and most a
permission of their role (``requires("register")``, ``requires("keys")`` …; the table is
``models.staff.PERMISSIONS``). ``g.scope`` then holds the insurers the view may show
(server/auth/scope.py). Staff sessions expire after STAFF_IDLE_MINUTES idle.
"""
from __future__ import annotations

from functools import wraps

from flask import abort, g, redirect, request, url_for

from ..extensions import db
from . import sessions, staff_accounts
from .scope import Scope


def sign_in(staff) -> None:
    """A fresh server-side session for the signed-in staff member (no session fixation)."""
    sessions.start("staff", staff.id)
    db.session.commit()


def current_staff():
    """The signed-in, active staff member: a live session (idle STAFF_IDLE_MINUTES, at most
    STAFF_SESSION_MAX_HOURS) of an account that is not disabled."""
    record = sessions.current("staff")
    if record is None:
        return None
    g.auth_session = record
    return staff_accounts.active(record.owner_id)


def staff_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        staff = current_staff()
        if staff is None:
            if request.path.startswith("/admin/api/") or request.accept_mimetypes.best == "application/json":
                abort(401)
            return redirect(url_for("admin.login", next=request.path))   # no query: it may hold names
        g.staff = staff
        g.actor = f"staff:{staff.id}"
        g.scope = Scope.of(staff)
        return view(*args, **kwargs)
    return wrapped


def requires(permission: str):
    """A signed-in staff member whose role has ``permission`` (else 403)."""
    def decorate(view):
        @wraps(view)
        @staff_required
        def wrapped(*args, **kwargs):
            if not g.staff.may(permission):
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorate
