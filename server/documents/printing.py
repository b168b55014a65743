"""View models for the printed documents: the 資格情報のお知らせ (A4 notice with its
cut-out card and a fresh 利用開始コード) and the 資格確認書 (a card-sized certificate).

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

from ..clock import JST
from ..models import EligibilityCard, Member
from ..register.wareki import format_both, format_wareki
from ..token_core import Claims
from ..token_core.issue import claims_of
from ..token_core.claims import Copay, Relationship, Sex
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


def notice_view(member: Member, issued: IssuedCode, now: int) -> NoticeView:
    today = _day_of(now)
    last_day = code_last_day(issued.record.expires_at)
    return NoticeView(
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
