"""The member register: search, view, enrol, edit, add a dependent, loss, re-enrolment."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for

from ... import clock
from ...auth import sessions
from ...auth.staff_session import requires, staff_required
from ...extensions import db
from ...models import ActivationCode, AuditEntry, Insurer, Member
from ...register import audit, members, search_keys
from ...register.members import LOSS_REASONS
from ...register.validation import ADDRESS_FIELDS, FieldError, ValidationError, validate_member
from ...register.wareki import parse_date
from ...documents.printing import code_last_day
from ...token_core.claims import Relationship
from . import audit_sentences, bp, records

FORM_FIELDS = ["insurer_number", "symbol", "number", "branch", "relationship", "name", "name_kana",
               "sex", "birth_date", "acquired_on", "copay_ratio", "copay_from", "mynumber_last4",
               "limit_category", "limit_consent", *ADDRESS_FIELDS]


_member = records.member


@bp.route("/", methods=["GET", "POST"])
@staff_required
def index():
    """Search is a POST: names and 記号・番号 stay out of URLs, history and access logs. An
    operator has no member records: their start page is the insurers."""
    if not g.staff.may("register"):
        return redirect(url_for("admin.insurers"))
    q = request.form.get("q", "") if request.method == "POST" else ""
    q = "".join(ch for ch in q if ch.isprintable() or ch == "\u3000").strip()[:100]  # no NUL, no controls
    found = search(q, scope=g.scope) if q else []
    return render_template("admin/index.html", q=q, members=found,
                           several_insurers=len(records.insurers()) > 1)


def search(q: str, limit: int = 100, *, scope) -> list[Member]:
    """By 記号・番号 or the start of the name or フリガナ as a clerk types it (異体字,
    kana of either kind and width, spaces optional: register/search_keys.py), among the
    members of the insurers in ``scope``."""
    return search_keys.find_members(q, where=scope.where(Member.insurer_id), limit=limit)


def _form_values(member: Member | None = None, **defaults) -> dict:
    if member is None:
        return {"copay_ratio": "30", "sex": "", **defaults}
    copay = member.copay_ratios[-1]
    return {
        "insurer_number": member.insurer.number, "symbol": member.symbol, "number": member.number,
        "branch": member.branch, "relationship": str(int(member.relationship)), "name": member.name,
        "name_kana": member.name_kana, "sex": str(int(member.sex)), "birth_date": member.birth_date.isoformat(),
        "acquired_on": member.eligibility.acquired_on.isoformat(), "copay_ratio": str(int(copay.ratio)),
        "copay_from": copay.effective_from.isoformat(), "mynumber_last4": member.mynumber_last4 or "",
        "limit_category": member.limit_category or "", "limit_consent": "1" if member.limit_consent else "",
        **{name: getattr(member, name) or "" for name in ADDRESS_FIELDS},
    }


def _submitted() -> dict:
    return {name: request.form.get(name, "") for name in FORM_FIELDS}


def _redisplay(values: dict, errors) -> dict:
    """Values to show again after an error: never echo a rejected My Number."""
    if any(e.field == "mynumber_last4" for e in errors):
        return {**values, "mynumber_last4": ""}
    return values


def _wrong(errors) -> dict:
    """The form's fields (links in the error summary) and the first wrong one in form order
    (it gets the focus)."""
    wrong = {e.field for e in errors}
    return {"form_fields": FORM_FIELDS, "first_wrong": next((f for f in FORM_FIELDS if f in wrong), None)}


def _enrol_form(values: dict, insurers, title, done_message, **context):
    """GET shows the form; POST validates and creates, or shows the form with the errors."""
    errors = []
    if request.method == "POST":
        try:
            if values.get("insurer_number") not in {i.number for i in insurers}:
                raise ValidationError([FieldError("insurer_number", "担当外の保険者には登録できません",
                                                  "you may not enrol members of this insurer")])
            member = members.create_member(validate_member(values, today=clock.today()))
        except ValidationError as exc:
            db.session.rollback()
            errors = exc.errors
            values = _redisplay(values, errors)
        else:
            flash(done_message)
            return redirect(url_for("admin.member", member_id=member.id))
    return render_template("admin/member_form.html", values=values, errors=errors,
                           insurers=insurers, title=title, member=None, **_wrong(errors), **context), \
        400 if errors else 200


@bp.route("/members/new", methods=["GET", "POST"])
@requires("register")
def new_member():
    insurers = records.insurers()
    values = (_submitted() if request.method == "POST" else
              _form_values(insurer_number=insurers[0].number if insurers else "",
                           relationship=str(int(Relationship.INSURED)), branch="00"))
    return _enrol_form(values, insurers, ("加入者の新規登録", "Enrol a member"), "登録しました Registered")


@bp.route("/members/<id:member_id>/dependents/new", methods=["GET", "POST"])
@requires("register")
def new_dependent(member_id):
    insured = _member(member_id)
    if insured.relationship is not Relationship.INSURED:
        abort(404)
    household = {"insurer_number": insured.insurer.number, "symbol": insured.symbol,
                 "number": insured.number, "relationship": str(int(Relationship.DEPENDENT))}
    if request.method == "POST":
        values = {**_submitted(), **household}
    else:
        used = {m.branch for m in [insured, *insured.dependents]}
        branch = next((f"{i:02d}" for i in range(1, 100) if f"{i:02d}" not in used), "")
        values = _form_values(branch=branch, copay_ratio="30", **household)
    return _enrol_form(values, [insured.insurer], ("家族の追加", "Add a dependent"),
                       "家族を追加しました Dependent added", dependent_of=insured)


@bp.get("/members/<id:member_id>")
@requires("register")
def member(member_id):
    return _member_page(_member(member_id))


def _member_page(m: Member, **extra):
    codes = db.session.scalars(db.select(ActivationCode).where(ActivationCode.member_id == m.id)
                               .order_by(ActivationCode.id.desc())).all()
    entries = db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.target_type == "member", AuditEntry.target_id == m.id)
        .order_by(AuditEntry.id.desc()).limit(50)).all()
    from flask import current_app
    return render_template("admin/member.html", m=m, codes=codes,
                           entries=audit_sentences.describe(entries, names=True),
                           devices=sessions.live("member", m.id), code_last_day=code_last_day,
                           loss_reasons=LOSS_REASONS, today=clock.today(), now=clock.now(),
                           max_attempts=current_app.config["ACTIVATION_MAX_ATTEMPTS"], **extra)


@bp.route("/members/<id:member_id>/edit", methods=["GET", "POST"])
@requires("register")
def edit_member(member_id):
    m = _member(member_id)
    values, errors = _form_values(m), []
    if request.method == "POST":
        values = {**_submitted(), "insurer_number": m.insurer.number}
        try:
            data = validate_member({**values, "lost_on": m.eligibility.lost_on and
                                    m.eligibility.lost_on.isoformat()}, today=clock.today())
            changed = members.update_member(m, data)
        except ValidationError as exc:
            db.session.rollback()
            errors = exc.errors
            values = _redisplay(values, errors)
        else:
            flash("変更しました Saved" if changed else "変更はありません No changes")
            return redirect(url_for("admin.member", member_id=m.id))
    return render_template("admin/member_form.html", values=values, errors=errors,
                           insurers=[m.insurer], title=("加入者情報の変更", "Edit member"), member=m,
                           **_wrong(errors)), \
        400 if errors else 200


def _date_field(name: str):
    """The form's date (ISO or 和暦), or a field error naming it."""
    try:
        return parse_date(request.form.get(name, ""))
    except ValueError:
        members.field_error(name, "日付を入力してください（例: 2026-11-30、R8.11.30）",
                             "enter a date (e.g. 2026-11-30)")


def _member_action(member: Member, action, done_message):
    """Run a register action from a member-page form: flash its outcome, back to the page."""
    try:
        result = action()
    except ValidationError as exc:
        db.session.rollback()
        for e in exc.errors:
            flash(f"{e.label}: {e.ja} ({e.en})", "error")
    else:
        if done_message is None:        # the action's own page (a confirmation)
            return result
        flash(done_message(result))
    return redirect(url_for("admin.member", member_id=member.id))


@bp.post("/members/<id:member_id>/loss")
@requires("register")
def record_loss(member_id):
    """The form asks first (the member page again, with a dialog saying who else loses and
    which cards end); the dialog's button posts ``confirmed=1`` and the loss is recorded."""
    m = _member(member_id)
    if request.form.get("confirmed") != "1":
        return _member_action(m, lambda: _loss_confirmation(m), None)
    return _member_action(
        m, lambda: members.record_loss(m, _date_field("lost_on"), request.form.get("loss_reason", "")),
        lambda affected: f"資格喪失を登録しました（{len(affected)}名） Loss recorded for {len(affected)}")


def _loss_confirmation(m: Member):
    """The member page with the loss's confirmation dialog; nothing is written."""
    lost_on, reason = _date_field("lost_on"), request.form.get("loss_reason", "")
    broken = members.loss_problem(m, lost_on, reason)
    if broken:
        raise ValidationError([broken])
    affected = members.loss_reaches(m)
    cards = [(who, card) for who in affected for card in who.cards if card.status == "active"]
    devices = sum(len(sessions.live("member", who.id)) for who in affected)
    return _member_page(m, loss=dict(lost_on=lost_on, reason=reason, dependents=affected[1:],
                                     cards=cards, devices=devices))


@bp.post("/members/<id:member_id>/sessions/end")
@requires("register")
def end_member_sessions(member_id):
    """A member lost their phone: sign the app out on every device (they sign in again with
    a passkey, or activate anew from a reissued notice)."""
    m = _member(member_id)
    ended = sessions.end_all("member", m.id, "ended_by_staff")
    audit.record("member.sessions_end", m, after={"sessions_ended": ended})
    db.session.commit()
    flash(f"会員アプリを全端末でサインアウトしました（{ended}件） Signed out on {ended} device(s)")
    return redirect(url_for("admin.member", member_id=m.id))


@bp.post("/members/<id:member_id>/re-enrol")
@requires("register")
def re_enrol(member_id):
    m = _member(member_id)
    return _member_action(m, lambda: members.re_enrol(m, _date_field("acquired_on")),
                          lambda _: "再加入を登録しました Re-enrolled")
