"""View models for the printed documents: the 資格情報のお知らせ (A4 notice with its
cut-out card and a fresh 利用開始コード; in Japanese, or in English for a member who asks;
one, or a batch in one print job) and the 資格確認書 (a card-sized certificate).

Everything a template prints is prepared here, as text, so the templates only lay it
out: 和暦 dates with 西暦 beside, 記号・番号・枝番, the masked My Number (last 4 digits
only: the full 12 digits are never stored, so they can never be printed) and the QR
codes as inline SVG.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import segno
from flask import current_app
from markupsafe import Markup

from ..clock import JST, start_of_day
from ..extensions import db
from ..models import EligibilityCard, ImportBatch, Member, import_batch_member
from ..register.wareki import format_both, format_wareki
from ..token_core import Claims
from ..token_core.issue import claims_of
from ..token_core.claims import Copay, Relationship, Sex
from . import activation_codes
from .activation_codes import IssuedCode
from .validity import age_on

#: What a reader sees for an empty field (記号 of 後期高齢者, an old empty 枝番 …).
BLANK = "—"


def qr_svg(text: str, *, label: str) -> Markup:
    """``text`` as a QR code (never a Micro QR: phone scanners cannot read those), error
    correction M, with the 4-module quiet zone, as an inline SVG that scales to whatever
    size the print CSS gives it."""
    qr = segno.make_qr(text, error="m")
    svg = qr.svg_inline(scale=1, border=4, omitsize=True, light="#fff", dark="#000",
                        svgclass="qr", lineclass=None)
    # role/aria for screen readers; the label names the code, never its content
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{Markup.escape(label)}" '
                      f'data-modules="{qr.symbol_size()[0]}" ', 1)
    return Markup(svg)


def wareki(day: date | None) -> str:
    return format_wareki(day) if day else BLANK


def wareki_both(day: date | None) -> str:
    return format_both(day) if day else BLANK


def sex_label(sex: Sex) -> str:
    """男性 / 女性 as on the notice; nothing for "unset"."""
    return "" if sex is Sex.UNSET else Sex(sex).ja


def sex_with_age(member: Member, today: date) -> str:
    """性別 with age, as on the flyer's notice: 「男性 46歳」."""
    age = f"{age_on(member.birth_date, today)}歳"
    sex = sex_label(member.sex)
    return f"{sex}　{age}" if sex else age


def copay_text(member: Member, today: date) -> str:
    """負担割合 with its start date: 「3割（令和6年4月1日開始）」."""
    copay = member.copay_on(today) or (member.copay_ratios[-1] if member.copay_ratios else None)
    if copay is None:
        return BLANK
    return copay_with_start(copay.ratio, copay.effective_from)


def copay_with_start(ratio: Copay, effective_from: date) -> str:
    """「3割（令和6年4月1日開始）」."""
    return f"{Copay(ratio).ja}（{format_wareki(effective_from)}開始）"


def mynumber_mask(last4: str | None) -> str | None:
    """「＊＊＊＊ ＊＊＊＊ 4821」: only the last 4 digits, which is all the register keeps."""
    if not last4 or len(last4) != 4 or not last4.isdigit():
        return None
    return f"＊＊＊＊ ＊＊＊＊ {last4}"


def _or_blank(value: str | None) -> str:
    return value if value else BLANK


@dataclass(frozen=True)
class Identity:
    """記号・番号・枝番 and what goes with them on every printed document."""
    symbol: str
    number: str
    branch: str
    name: str
    name_kana: str
    birth_wareki: str
    birth_both: str
    sex: str
    relationship: Relationship
    acquired_on: str
    copay: str
    insurer_number: str
    insurer_name: str


def identity(member: Member, today: date) -> Identity:
    eligibility = member.eligibility
    return Identity(
        symbol=_or_blank(member.symbol), number=_or_blank(member.number),
        branch=_or_blank(member.branch), name=member.name, name_kana=member.name_kana or "",
        birth_wareki=wareki(member.birth_date), birth_both=wareki_both(member.birth_date),
        sex=sex_label(member.sex) or BLANK,
        relationship=Relationship(member.relationship),
        acquired_on=wareki(eligibility.acquired_on if eligibility else None),
        copay=copay_text(member, today),
        insurer_number=member.insurer.number, insurer_name=member.insurer.name)


def insurer_contact(number: str) -> list[str]:
    """Address lines for the notice's header, from the optional setting
    ``INSURER_CONTACTS = {"06138093": ["〒…", "東京都…", "電話 …"]}``."""
    lines = (current_app.config.get("INSURER_CONTACTS") or {}).get(number) or []
    return [str(line) for line in lines]


def lost_eligibility(member: Member, today: date) -> bool:
    """True once a recorded loss date has arrived (a future loss date still prints)."""
    eligibility = member.eligibility
    return eligibility is None or (eligibility.lost_on is not None and eligibility.lost_on <= today)


def _day_of(ts: int) -> date:
    return datetime.fromtimestamp(ts, JST).date()


#: The notice's languages: the choice when printing.
LANGUAGES = {"ja": "日本語", "en": "English"}
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]


def english_date(day: date | None) -> str:
    """「15 May 1980 (昭和55年5月15日)」: 西暦 for the reader, 和暦 beside (as Japanese
    documents and counters will name the day)."""
    if day is None:
        return BLANK
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year} ({format_wareki(day)})"


def english_day(day: date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


@dataclass(frozen=True)
class English:
    """What the English notice prints where the Japanese one prints Japanese words."""
    sex_age: str
    birth: str
    relationship: str
    copay: str
    acquired_on: str
    code_last_day: str
    issued_on: str
    pin_delivery: str


def english(member: Member, issued: IssuedCode, today: date, last_day: date) -> English:
    eligibility = member.eligibility
    copay = member.copay_on(today) or (member.copay_ratios[-1] if member.copay_ratios else None)
    sex = "" if member.sex is Sex.UNSET else Sex(member.sex).en
    age = f"{age_on(member.birth_date, today)} years"
    return English(
        sex_age=f"{sex}, {age}" if sex else age, birth=english_date(member.birth_date),
        relationship=f"{Relationship(member.relationship).en} ({Relationship(member.relationship).ja})",
        copay=(f"{Copay(copay.ratio).en} (from {english_day(copay.effective_from)})"
               if copay else BLANK),
        acquired_on=english_date(eligibility.acquired_on if eligibility else None),
        code_last_day=english_day(last_day), issued_on=english_day(today),
        pin_delivery=pin_delivery()[1])


@dataclass(frozen=True)
class PostalAddress:
    """The recipient block in the window envelope: 〒, address lines, 宛名 様."""
    postal_code: str
    lines: list[str]
    addressee: str


def postal_address(member: Member) -> PostalAddress | None:
    """The member's own address; a 家族 without one is written to at the 本人's (to the 本人's
    宛名). None: no address (the notice is handed over, e.g. through the employer)."""
    holder, addressee = member, member.addressee or member.name
    if not member.postal_code and member.insured_person is not None \
            and member.insured_person.postal_code:
        holder = member.insured_person
        addressee = holder.addressee or holder.name
    if not holder.postal_code:
        return None
    return PostalAddress(postal_code=holder.postal_code,
                         lines=[line for line in (holder.address1, holder.address2) if line],
                         addressee=addressee)
def code_last_day(expires_at: int) -> date:
    """The expiry the notice prints (and the admin page shows): the code stops working at
    ``expires_at``, so the last whole day it works."""
    return _day_of(expires_at) - timedelta(days=1)


@dataclass(frozen=True)
class NoticeView:
    person: Identity
    sex_age: str
    mynumber: str | None
    code: str              # grouped 利用開始コード
    code_groups: list[str]
    code_url: str
    entry_url: str         # where to type the code by hand (the URL without the code)
    code_qr: Markup
    code_last_day: str     # 和暦 (the last whole day the code works)
    code_last_day_iso: str
    issued_on: str
    contact: list[str]
    pin_delivery: str      # where the 暗証番号 comes from (never on this sheet)
    address: PostalAddress | None = None
    lang: str = "ja"
    en: English | None = None   # the English words (lang "en")


def notice_view(member: Member, issued: IssuedCode, now: int, lang: str = "ja") -> NoticeView:
    today = _day_of(now)
    last_day = code_last_day(issued.record.expires_at)
    return NoticeView(
        address=postal_address(member), lang=lang,
        en=english(member, issued, today, last_day) if lang == "en" else None,
        person=identity(member, today), sex_age=sex_with_age(member, today),
        mynumber=mynumber_mask(member.mynumber_last4),
        code=issued.code, code_groups=issued.code.split("-"), code_url=issued.url,
        entry_url=issued.url.split("#", 1)[0],
        code_qr=qr_svg(issued.url, label="利用開始用QRコード Activation QR code"),
        code_last_day=format_wareki(last_day), code_last_day_iso=last_day.isoformat(),
        issued_on=format_wareki(today), contact=insurer_contact(member.insurer.number),
        pin_delivery=pin_delivery()[0])


def signed_claims(token: str) -> Claims:
    """The claims inside one of our own tokens, read without the trust checks: the card
    prints exactly what its QR says, even if the register changed since it was issued."""
    return claims_of(token)


def identity_from_claims(claims: Claims, insurer_name: str) -> Identity:
    return Identity(
        symbol=_or_blank(claims.symbol), number=_or_blank(claims.number),
        branch=_or_blank(claims.branch), name=claims.name, name_kana="",
        birth_wareki=wareki(claims.birth_date), birth_both=wareki_both(claims.birth_date),
        sex=sex_label(claims.sex) or BLANK,
        relationship=Relationship(claims.relationship),
        acquired_on=wareki(claims.acquired_on),
        copay=copay_with_start(claims.copay_ratio, claims.copay_from),
        insurer_number=claims.insurer_number, insurer_name=insurer_name)


@dataclass(frozen=True)
class CardView:
    person: Identity
    valid_until: str       # 和暦（西暦）
    issued_on: str
    withdrawn: bool
    expired: bool
    withdrawn_on: str | None
    qr: Markup | None      # none on a withdrawn card: nothing left to scan


def card_view(card: EligibilityCard, member: Member, now: int) -> CardView:
    today = _day_of(now)
    withdrawn = card.status != "active"
    return CardView(
        person=identity_from_claims(signed_claims(card.token), member.insurer.name),
        valid_until=wareki_both(card.valid_until), issued_on=format_wareki(_day_of(card.issued_at)),
        withdrawn=withdrawn, expired=not withdrawn and card.valid_until < today,
        withdrawn_on=format_wareki(_day_of(card.withdrawn_at)) if card.withdrawn_at else None,
        qr=None if withdrawn else qr_svg(card.token, label="資格確認書の二次元コード Card QR code"))


#: How the 暗証番号 sheet reaches the member (ACTIVATION_PIN_DELIVERY), as the notice says it.
PIN_DELIVERY = {
    "letter": ("別送の「暗証番号のお知らせ」", "the separate letter with your activation PIN"),
    "employer": ("勤務先でお渡しする「暗証番号のお知らせ」", "the PIN sheet handed out by your employer"),
}


def pin_delivery() -> tuple[str, str]:
    return PIN_DELIVERY[current_app.config["ACTIVATION_PIN_DELIVERY"]]


# -- a batch of notices: one print job ------------------------------------------------------

def language(value: str | None) -> str:
    """The notice's language from a form or the CLI: "ja" unless "en" is asked for."""
    return value if value in LANGUAGES else "ja"


def in_print_order(members) -> list[Member]:
    """Members in the order their notices are printed: insurer, 記号, 番号, 枝番."""
    return sorted(members, key=lambda m: (m.insurer.number, m.symbol, m.number, m.branch, m.id))


def members_of_import(batch_id: int, where=None) -> list[Member] | None:
    """The members named by one CSV import (``where``: a filter on Member, e.g. the staff's
    scope), or None when there is no such import."""
    if db.session.get(ImportBatch, batch_id) is None:
        return None
    query = db.select(Member).join(import_batch_member, import_batch_member.c.member_id == Member.id) \
        .where(import_batch_member.c.batch_id == batch_id)
    return in_print_order(db.session.scalars(query.where(where) if where is not None else query))


def members_enrolled_on(day: date, where=None) -> list[Member]:
    """Everyone enrolled in the register on ``day`` (JST; by a form, the CLI or an import)."""
    query = db.select(Member).where(Member.created_at >= start_of_day(day),
                                    Member.created_at < start_of_day(day + timedelta(days=1)))
    return in_print_order(db.session.scalars(query.where(where) if where is not None else query))


def recent_imports(where=None, limit: int = 20) -> list[ImportBatch]:
    """The latest import batches with at least one member ``where`` allows."""
    query = db.select(ImportBatch).order_by(ImportBatch.id.desc()).limit(limit)
    if where is not None:
        query = query.where(ImportBatch.id.in_(
            db.select(import_batch_member.c.batch_id).join(
                Member, Member.id == import_batch_member.c.member_id).where(where)))
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class Batch:
    notices: list[NoticeView]
    skipped: int        # members who have lost eligibility: no notice, no code


def batch_notices(members: list[Member], now: int, lang: str = "ja") -> Batch:
    """A notice with its own new code for each eligible member, in print order; the codes
    are issued in one transaction (all or none: ``activation_codes.issue_all``)."""
    today = _day_of(now)
    ordered = in_print_order(members)
    eligible = [m for m in ordered if not lost_eligibility(m, today)]
    issued = activation_codes.issue_all(eligible)
    return Batch([notice_view(m, code, now, lang) for m, code in zip(eligible, issued)],
                 skipped=len(ordered) - len(eligible))
