"""The audit trail, newest first, filterable by action and member."""
from flask import render_template, request

from ...auth.staff_session import staff_required
from ...extensions import db
from ...models import AuditEntry
from ..converters import query_id
from . import bp

PAGE = 100


@bp.get("/audit")
@staff_required
def audit_trail():
    action = request.args.get("action", "").strip()
    target_id = query_id("member")
    before_id = query_id("before")
    query = db.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(PAGE)
    if action:
        query = query.where(AuditEntry.action == action)
    if target_id:
        query = query.where(AuditEntry.target_type == "member", AuditEntry.target_id == target_id)
    if before_id:
        query = query.where(AuditEntry.id < before_id)
    entries = db.session.scalars(query).all()
    actions = db.session.scalars(db.select(AuditEntry.action).distinct().order_by(AuditEntry.action)).all()
    return render_template("admin/audit.html", entries=entries, actions=actions, action=action,
                           target_id=target_id, more=len(entries) == PAGE)
