"""保険者 in this deployment: the operator adds them; each gets a signing key of its own."""
from __future__ import annotations

from ..extensions import db
from ..keys import lifecycle
from ..models import Insurer, SigningKeyRecord
from . import audit
from .insurer_numbers import problem
from .validation import FieldError, ValidationError


def add_insurer(number: str, name: str, phone: str | None = None) -> tuple[Insurer, SigningKeyRecord | None]:
    """Register insurer ``number`` (保険者番号, check digit verified) named ``name`` and give
    it its own signing key (when the trust anchor exists). Commits; errors name the field."""
    number, name, phone = number.strip(), name.strip(), (phone or "").strip()
    errors = []
    reason = problem(number)
    if reason:
        errors.append(FieldError("insurer_number", *reason))
    elif db.session.scalar(db.select(Insurer.id).where(Insurer.number == number)):
        errors.append(FieldError("insurer_number", "この保険者番号は登録済みです", "already registered"))
    if not name or len(name) > 200:
        errors.append(FieldError("insurer_name", "保険者名称を200文字以内で入力してください",
                                 "enter the insurer's name (200 characters at most)"))
    if len(phone) > 40:
        errors.append(FieldError("insurer_phone", "電話番号は40文字以内です", "40 characters at most"))
    if errors:
        raise ValidationError(errors)
    record = Insurer(number=number, name=name, phone=phone or None)
    db.session.add(record)
    db.session.flush()
    audit.record("insurer.create", record, after={"number": number, "name": name, "phone": record.phone})
    key = None
    if lifecycle.has_anchor():
        key = lifecycle.new_key([number])
    db.session.commit()
    return record, key
