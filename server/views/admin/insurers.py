"""Insurers (operator): every insurer of the deployment with its members, staff and keys;
add one (it gets a signing key of its own)."""
from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import func

from ... import clock
from ...auth.staff_session import requires
from ...extensions import db
from ...models import Insurer, Member, SigningKeyRecord, Staff, staff_insurer
from ...register.insurers import add_insurer
from ...register.validation import ValidationError
from . import bp


@bp.route("/insurers", methods=["GET", "POST"])
@requires("insurers")
def insurers():
    errors, values = [], {}
    if request.method == "POST":
        values = {k: request.form.get(k, "") for k in ("number", "name", "phone")}
        try:
            record, key = add_insurer(values["number"], values["name"], values["phone"])
        except ValidationError as exc:
            db.session.rollback()
            errors = exc.errors
        else:
            flash(f"保険者 {record.number} を登録しました" + (f"（署名鍵 {key.kid}）" if key else "")
                  + f" Insurer {record.number} added")
            return redirect(url_for("admin.insurers"))
    rows = db.session.scalars(db.select(Insurer).order_by(Insurer.number)).all()
    members = dict(db.session.execute(db.select(Member.insurer_id, func.count()).group_by(Member.insurer_id)).all())
    staff = dict(db.session.execute(
        db.select(staff_insurer.c.insurer_id, func.count()).join(Staff, Staff.id == staff_insurer.c.staff_id)
        .where(Staff.disabled_at.is_(None)).group_by(staff_insurer.c.insurer_id)).all())
    now = clock.now()
    keys: dict[str, list[str]] = {}
    for record in db.session.scalars(db.select(SigningKeyRecord).where(SigningKeyRecord.revoked_at.is_(None))):
        if record.state(now) == "current":
            for number in record.insurers:
                keys.setdefault(number, []).append(record.kid)
    return render_template("admin/insurers.html", insurers=rows, members=members, staff=staff,
                           keys=keys, errors=errors, values=values), 400 if errors else 200
