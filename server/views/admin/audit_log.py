"""The audit trail, newest first, filterable by action and member: the entries of the
insurers in the staff member's scope (an operator: every entry), each as a sentence
(audit_sentences.py) with the changed fields beside."""
from flask import abort, g, render_template, request

from ...auth.staff_session import requires
from ...extensions import db
from ...models import AuditEntry
from ..converters import query_id
from . import audit_sentences, bp, records

PAGE = 100


@bp.get("/audit")
@requires("audit")
def audit_trail():
    action = request.args.get("action", "").strip()
    target_id = query_id("member")
    before_id = query_id("before")
    in_scope = AuditEntry.insurer_id.is_not(None) & g.scope.where(AuditEntry.insurer_id) \
        if not g.scope.everything else db.true()
    query = db.select(AuditEntry).where(in_scope).order_by(AuditEntry.id.desc()).limit(PAGE)
    if action:
        query = query.where(AuditEntry.action == action)
    if target_id:
        if not g.staff.may("register"):
            abort(404)
        records.member(target_id)                       # 404 outside the scope
        query = query.where(AuditEntry.target_type == "member", AuditEntry.target_id == target_id)
    if before_id:
        query = query.where(AuditEntry.id < before_id)
    entries = db.session.scalars(query).all()
    actions = db.session.scalars(db.select(AuditEntry.action).where(in_scope).distinct()
                                 .order_by(AuditEntry.action)).all()
    return render_template("admin/audit.html", entries=entries, actions=actions, action=action,
                           sentences=audit_sentences.describe(entries, names=g.staff.may("register")),
                           action_labels=audit_sentences.ACTIONS,
                           target_id=target_id, more=len(entries) == PAGE)
