"""利用開始コード: the code on the printed notice that lets a member activate the app.

20 random digits (66 bits), printed in groups of four, typed on a phone's number pad.
Stored only as an HMAC (a stolen database alone does not give the codes), single use,
expires (ACTIVATION_CODE_DAYS), replaced by a reissue, locked after
ACTIVATION_MAX_ATTEMPTS wrong birth dates.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date

from flask import current_app

from .. import clock
from ..auth import sessions
from ..extensions import db
from ..models import ActivationCode, Member
from ..register import audit

DIGITS = 20


@dataclass(frozen=True)
class IssuedCode:
    code: str          # grouped for print: "1234-5678-9012-3456-7890"
    url: str           # the member app's activation page, code in the fragment (never sent in logs)
    record: ActivationCode


class ActivationError(Exception):
    """``reason``: "invalid" (no such code, or wrong birth date: one message for both),
    "expired", "used", "replaced", "locked", "not_eligible" (the member lost eligibility)."""
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def normalise(text: str) -> str:
    """Full-width digits, hyphens and spaces accepted: keep the digits only."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text or "") if ch.isdigit())


def grouped(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def _hash(code: str, key: str | None = None) -> str:
    """HMAC of the code under the activation key (ACTIVATION_SECRET, not SECRET_KEY)."""
    key = (key or current_app.config["ACTIVATION_SECRET"]).encode()
    return hmac.new(key, b"shikaku-activation|" + code.encode(), hashlib.sha256).hexdigest()


def _hashes(code: str) -> list[str]:
    """The code's hash under the current key and each older one still accepted
    (ACTIVATION_SECRET_FALLBACKS), so rotating the key voids no printed notice."""
    keys = [current_app.config["ACTIVATION_SECRET"], *current_app.config["ACTIVATION_SECRET_FALLBACKS"]]
    return [_hash(code, key) for key in keys]


def issue(member: Member) -> IssuedCode:
    """Issue (or reissue) the member's code; any earlier unused code stops working."""
    now = clock.now()
    db.session.execute(db.update(ActivationCode).where(
        ActivationCode.member_id == member.id, ActivationCode.used_at.is_(None),
        ActivationCode.invalidated_at.is_(None)).values(invalidated_at=now))
    code = "".join(secrets.choice("0123456789") for _ in range(DIGITS))
    record = ActivationCode(member_id=member.id, code_hash=_hash(code), created_at=now,
                            expires_at=now + current_app.config["ACTIVATION_CODE_DAYS"] * 86400)
    db.session.add(record)
    db.session.flush()
    # A new notice means the old one (or the phone) may be in the wrong hands: its holder
    # activates again, and whoever was signed in is signed out.
    ended = sessions.end_all("member", member.id, "notice_reissued")
    audit.record("activation_code.issue", member, after={"code_id": record.id,
                                                         "expires_at": record.expires_at,
                                                         "sessions_ended": ended})
    db.session.commit()
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    return IssuedCode(code=grouped(code), url=f"{base}/app/activate#code={code}", record=record)


def check(code_text: str, birth_date: date) -> ActivationCode:
    """Find the live code for this text and birth date, counting a wrong birth date
    against it. Does not consume it (see ``consume``)."""
    code = normalise(code_text)
    record = db.session.scalar(db.select(ActivationCode).where(
        ActivationCode.code_hash.in_(_hashes(code)))) if len(code) == DIGITS else None
    if record is None:
        raise ActivationError("invalid")
    max_attempts = current_app.config["ACTIVATION_MAX_ATTEMPTS"]
    state = record.state(clock.now(), max_attempts)
    member = db.session.get(Member, record.member_id)
    if state == "active" and member.birth_date != birth_date:
        # Count the guess with one conditional update before judging anything else: of many
        # guesses at once, no more than ACTIVATION_MAX_ATTEMPTS are ever counted as tries.
        counted = db.session.execute(db.update(ActivationCode).where(
            ActivationCode.id == record.id, ActivationCode.failed_attempts < max_attempts)
            .values(failed_attempts=ActivationCode.failed_attempts + 1)).rowcount
        db.session.commit()
        raise ActivationError("invalid" if counted else "locked")
    eligibility = member.eligibility     # a loss is told only to someone who knows the birth date
    if member.birth_date == birth_date and (
            eligibility is None or (eligibility.lost_on and eligibility.lost_on <= clock.today())):
        raise ActivationError("not_eligible")
    if state != "active":
        raise ActivationError(state)
    return record


def consume(record: ActivationCode) -> None:
    """Single use: called in the transaction that registers the member's passkey."""
    record.used_at = clock.now()
    audit.record("activation_code.use", record, after={"member_id": record.member_id})
