"""Sign-in, invitation and sign-out pages for staff."""
from flask import redirect, render_template, request, session, url_for

from ...auth import sessions
from ...auth.staff_session import current_staff
from . import bp


@bp.get("/login")
def login():
    if current_staff() is not None:
        return redirect(url_for("admin.index"))
    next_url = request.args.get("next", "")
    if next_url.startswith("/admin"):
        session["next"] = next_url
    return render_template("admin/login.html")


@bp.get("/invite")
def invite():
    """The invitation page; its token stays in the link's fragment (#token=…), which the
    browser never sends: the page posts it (web/admin/passkey.js)."""
    return render_template("admin/invite.html")


@bp.post("/logout")
def logout():
    sessions.sign_out()       # ends the session on the server, not only this browser's copy
    return redirect(url_for("admin.login"))
