"""Insurer staff pages (/admin/): passkey sign-in, the member register, keys, audit.

Every view is guarded by ``staff_required`` or ``requires(permission)`` (server/auth/staff_session.py)
and shows only the records of the insurers in ``g.scope`` (records.py).
"""
from __future__ import annotations

from flask import Blueprint

from ...paths import WEB_ROOT

bp = Blueprint("admin", __name__, url_prefix="/admin", static_folder=str(WEB_ROOT / "admin"),
               static_url_path="/static")


from . import audit_log, auth, imports, insurers, keys, members, printing, staff  # noqa: E402,F401  (register the views)
