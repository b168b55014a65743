"""利用開始コード: the code on the printed notice that lets a member activate the app.

20 random digits (66 bits), printed in groups of four, typed on a phone's number pad.
Stored only as an HMAC (a stolen database alone does not give the codes), single use,
expires (ACTIVATION_CODE_DAYS), replaced by a reissue, locked after
ACTIVATION_MAX_ATTEMPTS wrong answers.

The letter alone cannot activate: besides the code and the birth date the member types a
6-digit 暗証番号 (PIN) that is never on the notice. It is printed on its own sheet (「利用開始の
暗証番号のお知らせ」), which the insurer sends apart from the notice — by a second letter or
through the employer (ACTIVATION_PIN_DELIVERY) — so a stolen or photographed notice, or a
household member opening the mail, is not enough.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy.exc import IntegrityError

from .. import clock
from ..auth import sessions
from ..extensions import db
from ..models import ActivationCode, ActivationGuess, Member
from ..register import audit

DIGITS = 20
PIN_DIGITS = 6


@dataclass(frozen=True)
class IssuedCode:
    code: str          # grouped for print: "1234-5678-9012-3456-7890"
    url: str           # the member app's activation page, code in the fragment (never sent in logs)
    record: ActivationCode
    pin: str           # the 6-digit 暗証番号, for its own sheet (never printed on the notice)


class ActivationError(Exception):
    """``reason``: "invalid" (no such code, a wrong birth date or PIN: one answer for all, with
    ``attempts_left``), "locked" (too many wrong tries; ``phone``: the insurer's telephone,
    told only with the right birth date and PIN), and — only with those — "expired",
    "used", "replaced", "not_eligible" (the member lost eligibility); "none": no live code
    to give a PIN to."""
    def __init__(self, reason: str, *, attempts_left: int | None = None, phone: str | None = None):
        super().__init__(reason)
        self.reason, self.attempts_left, self.phone = reason, attempts_left, phone


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
    issued = _issue(member, clock.now())
    db.session.commit()
    return issued


def issue_all(members: list[Member]) -> list[IssuedCode]:
    """A code for each of ``members`` (a batch of notices), in one transaction: all are
    issued, or — on any error — none, and every earlier code still works."""
    now = clock.now()
    try:
        issued = [_issue(member, now) for member in members]
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return issued


def _issue(member: Member, now: int) -> IssuedCode:
    """Issue a code in the session; the caller commits."""
    db.session.execute(db.update(ActivationCode).where(
        ActivationCode.member_id == member.id, ActivationCode.used_at.is_(None),
        ActivationCode.invalidated_at.is_(None)).values(invalidated_at=now))
    code = "".join(secrets.choice("0123456789") for _ in range(DIGITS))
    pin = _new_pin()
    record = ActivationCode(member_id=member.id, code_hash=_hash(code), created_at=now,
                            expires_at=now + current_app.config["ACTIVATION_CODE_DAYS"] * 86400,
                            pin_hash=_hash("pin|" + pin), pin_issued_at=now)
    db.session.add(record)
    db.session.flush()
    # A new notice means the old one (or the phone) may be in the wrong hands: its holder
    # activates again, and whoever was signed in is signed out.
    ended = sessions.end_all("member", member.id, "notice_reissued")
    audit.record("activation_code.issue", member, after={"code_id": record.id,
                                                         "expires_at": record.expires_at,
                                                         "sessions_ended": ended})
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    return IssuedCode(code=grouped(code), url=f"{base}/app/activate#code={code}", record=record,
                      pin=pin)


def _new_pin() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(PIN_DIGITS))


def live_code(member: Member) -> ActivationCode | None:
    return db.session.scalar(db.select(ActivationCode).where(
        ActivationCode.member_id == member.id, ActivationCode.used_at.is_(None),
        ActivationCode.invalidated_at.is_(None)))


def reissue_pin(member: Member) -> str:
    """A new 暗証番号 for the member's live code (its sheet was lost, or is printed apart
    from the notice now); the earlier PIN stops working. Raises ActivationError("none")."""
    record = live_code(member)
    if record is None or record.state(clock.now(), current_app.config["ACTIVATION_MAX_ATTEMPTS"]) != "active":
        raise ActivationError("none")
    pin = _new_pin()
    record.pin_hash, record.pin_issued_at = _hash("pin|" + pin), clock.now()
    audit.record("activation_code.pin", member, after={"code_id": record.id})
    db.session.commit()
    return pin


def reissue_pins(members: list[Member]) -> tuple[list[tuple[Member, str]], int]:
    """A new 暗証番号 for the live code of each of ``members`` (the PIN sheets of a batch of
    notices, sent apart), in one transaction: all or none. Members without a live, usable
    code are left out; returns the (member, PIN) pairs in the given order and how many were
    left out."""
    now, attempts = clock.now(), current_app.config["ACTIVATION_MAX_ATTEMPTS"]
    sheets = []
    try:
        for member in members:
            record = live_code(member)
            if record is None or record.state(now, attempts) != "active":
                continue
            pin = _new_pin()
            record.pin_hash, record.pin_issued_at = _hash("pin|" + pin), now
            audit.record("activation_code.pin", member, after={"code_id": record.id})
            sheets.append((member, pin))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return sheets, len(members) - len(sheets)


def _pin_matches(record: ActivationCode, pin: str) -> bool:
    pin = normalise(pin)
    if record.pin_hash is None or len(pin) != PIN_DIGITS:
        return False
    keys = [current_app.config["ACTIVATION_SECRET"], *current_app.config["ACTIVATION_SECRET_FALLBACKS"]]
    return any(hmac.compare_digest(record.pin_hash, _hash("pin|" + pin, key)) for key in keys)


def check(code_text: str, birth_date: date, pin: str) -> ActivationCode:
    """Find the live code for this text, birth date and 暗証番号. Does not consume it.

    Without the right birth date and PIN every code — unknown, used, replaced, expired,
    locked — gets the same answer after the same work (one counted guess and one commit):
    "invalid" with the tries left, then "locked". Only someone who knows both learns more."""
    code = normalise(code_text)
    hashes = _hashes(code) if len(code) == DIGITS else [_hash(code)]
    record = db.session.scalar(db.select(ActivationCode).where(ActivationCode.code_hash.in_(hashes)))
    member = db.session.get(Member, record.member_id) if record is not None else None
    if member is None or member.birth_date != birth_date or not _pin_matches(record, pin):
        left = _count_wrong_guess(record, hashes[0])
        raise ActivationError("invalid", attempts_left=left) if left is not None else ActivationError("locked")
    phone = member.insurer.phone
    eligibility = member.eligibility
    if eligibility is None or (eligibility.lost_on and eligibility.lost_on <= clock.today()):
        raise ActivationError("not_eligible", phone=phone)
    state = record.state(clock.now(), current_app.config["ACTIVATION_MAX_ATTEMPTS"])
    if state != "active":
        raise ActivationError(state, phone=phone)
    return record


def _count_wrong_guess(record: ActivationCode | None, key_hash: str) -> int | None:
    """Count one wrong answer against the code; the tries left, or None once locked.

    One conditional update (of many guesses at once, no more than ACTIVATION_MAX_ATTEMPTS are
    ever counted), one commit, one read back — on the code's row, or for a code that does not
    exist on its ActivationGuess row, so both answer alike after the same work."""
    max_attempts = current_app.config["ACTIVATION_MAX_ATTEMPTS"]
    if record is not None:
        table, key = ActivationCode, ActivationCode.id == record.id
    else:
        table, key = ActivationGuess, ActivationGuess.code_hash == key_hash
        _ensure_guess_row(key_hash)
    counted = db.session.execute(db.update(table).where(key, table.failed_attempts < max_attempts)
                                 .values(failed_attempts=table.failed_attempts + 1)).rowcount
    db.session.commit()
    if not counted:
        return None
    return max_attempts - db.session.scalar(db.select(table.failed_attempts).where(key))


def _ensure_guess_row(key_hash: str) -> None:
    now = clock.now()
    if db.session.get(ActivationGuess, key_hash) is None:
        db.session.execute(db.delete(ActivationGuess).where(ActivationGuess.expires_at < now))
        db.session.add(ActivationGuess(code_hash=key_hash, failed_attempts=0, expires_at=now
                                       + current_app.config["ACTIVATION_CODE_DAYS"] * 86400))
        try:
            db.session.flush()
        except IntegrityError:           # the same unknown code guessed twice at once
            db.session.rollback()


def consume(record: ActivationCode) -> None:
    """Single use: called in the transaction that registers the member's passkey."""
    record.used_at = clock.now()
    audit.record("activation_code.use", record, after={"member_id": record.member_id})
