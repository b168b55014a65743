"""Member data validation: the one place used by forms, the API, CSV import and the CLI.

Every error names the field and the reason, in Japanese and English, and never repeats
the submitted value (so no 記号・番号, name or My Number digits reach a log or a screen
that should not show them).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from ..token_core.claims import (LIMIT_CATEGORIES, MAX_CODE_BYTES, MAX_TEXT_CHARS, Copay,
                                 Relationship, Sex, forbidden_characters)
from . import insurer_numbers
from .wareki import parse_date

LABELS = {
    "insurer_number": "保険者番号", "symbol": "記号", "number": "番号", "branch": "枝番",
    "relationship": "本人・家族", "name": "氏名", "name_kana": "フリガナ", "sex": "性別",
    "birth_date": "生年月日", "acquired_on": "資格取得年月日", "lost_on": "資格喪失年月日",
    "loss_reason": "喪失事由", "copay_ratio": "負担割合", "copay_from": "負担割合の開始日",
    "mynumber_last4": "マイナンバー下4桁", "limit_category": "限度額適用区分",
    "limit_consent": "限度額の提供への同意", "insured_person": "被保険者（本人）",
    "insurer_name": "保険者名称", "insurer_phone": "問い合わせ先電話番号",
    "postal_code": "郵便番号", "address1": "住所1", "address2": "住所2（建物名）", "addressee": "宛名",
}
#: The optional postal address (送付先) of a member, printed for a window envelope.
ADDRESS_FIELDS = ("postal_code", "address1", "address2", "addressee")
MAX_ADDRESS_CHARS = 100
EARLIEST_BIRTH = date(1900, 1, 1)
_HALF_WIDTH_CODE = re.compile(r"[0-9A-Za-z]+")
_KANA = re.compile(r"[\u30A1-\u30FC\u3000 ]+")


@dataclass(frozen=True)
class FieldError:
    field: str
    ja: str
    en: str

    @property
    def label(self) -> str:
        return LABELS.get(self.field, self.field)

    def __str__(self) -> str:
        return f"{self.label}: {self.ja} ({self.field}: {self.en})"


class ValidationError(Exception):
    """One or more fields are invalid; nothing was written."""
    def __init__(self, errors: list[FieldError]):
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors

    def for_field(self, name: str) -> list[FieldError]:
        return [e for e in self.errors if e.field == name]


@dataclass
class MemberInput:
    """Cleaned member data, ready for the register."""
    insurer_number: str
    symbol: str
    number: str
    branch: str
    relationship: Relationship
    name: str
    name_kana: str
    sex: Sex
    birth_date: date
    acquired_on: date
    copay_ratio: Copay
    copay_from: date
    mynumber_last4: str | None = None
    lost_on: date | None = None
    limit_category: str | None = None
    limit_consent: bool = False
    extra: dict = field(default_factory=dict)
    postal_code: str | None = None       # 送付先 (all optional): "123-4567"
    address1: str | None = None
    address2: str | None = None
    addressee: str | None = None

    @property
    def address(self) -> dict:
        return {name: getattr(self, name) for name in ADDRESS_FIELDS}


class _Collector:
    def __init__(self, raw: Mapping):
        self.raw, self.errors = raw, []

    def fail(self, name, ja, en):
        self.errors.append(FieldError(name, ja, en))

    def text(self, name) -> str:
        value = self.raw.get(name)
        return "" if value is None else str(value).strip()

    def run(self, name, check, *, required=True):
        """Apply ``check`` to the stripped text; record its error; return the clean value."""
        value = self.text(name)
        if not value:
            if required:
                self.fail(name, "入力してください", "is required")
            return None
        try:
            return check(value)
        except _Invalid as exc:
            self.fail(name, exc.ja, exc.en)
            return None


class _Invalid(Exception):
    def __init__(self, ja, en):
        super().__init__(en)
        self.ja, self.en = ja, en


@dataclass(frozen=True)
class LossInput:
    """One row of a loss file (資格喪失届): which member, and the day eligibility ends."""
    insurer_number: str
    symbol: str
    number: str
    branch: str
    lost_on: date

    @property
    def key(self) -> tuple[str, str, str, str]:
        return self.insurer_number, self.symbol, self.number, self.branch


def _member_key(c: _Collector) -> tuple:
    """保険者番号・記号・番号・枝番, checked and normalised (None where invalid)."""
    return (c.run("insurer_number", _insurer_number),
            c.run("symbol", _code, required=False) or "",
            c.run("number", _code),
            c.run("branch", _branch, required=False) or "")


def validate_loss(raw: Mapping, *, today: date) -> LossInput:
    """Check a member's key and a loss date (``lost_on``) as validate_member does: the loss
    CSV (register/loss_import.py) names members and dates exactly like the member import."""
    c = _Collector(raw)
    key = _member_key(c)
    lost = c.run("lost_on", _date_not_far_future(today))
    if c.errors:
        raise ValidationError(c.errors)
    return LossInput(*key, lost_on=lost)


def validate_member(raw: Mapping, *, today: date) -> MemberInput:
    """Check every field of one member; raise ValidationError listing every problem."""
    c = _Collector(raw)
    insurer_number, symbol, number, branch = _member_key(c)
    relationship = c.run("relationship", _relationship)
    name = c.run("name", _name)
    name_kana = c.run("name_kana", _kana)
    sex = c.run("sex", _sex)
    birth = c.run("birth_date", _birth_date(today))
    acquired = c.run("acquired_on", _date_not_far_future(today))
    lost = c.run("lost_on", _date_not_far_future(today), required=False)
    ratio = c.run("copay_ratio", _ratio)
    copay_from = c.run("copay_from", _date_not_far_future(today), required=False)
    last4 = c.run("mynumber_last4", _last4, required=False)
    limit = c.run("limit_category", _limit, required=False)
    consent = _flag(raw.get("limit_consent"))
    address = _address(c)
    if birth and acquired and acquired < birth:
        c.fail("acquired_on", "生年月日より前にはできません", "must not be before the birth date")
    if acquired and lost and lost < acquired:
        c.fail("lost_on", "資格取得年月日より前にはできません", "must not be before acquired_on")
    if birth and copay_from and copay_from < birth:
        c.fail("copay_from", "生年月日より前にはできません", "must not be before the birth date")
    if consent and not limit:
        c.fail("limit_consent", "限度額適用区分がないと同意を記録できません",
               "consent needs a 限度額適用区分")
    if c.errors:
        raise ValidationError(c.errors)
    return MemberInput(
        insurer_number=insurer_number, symbol=symbol, number=number, branch=branch,
        relationship=relationship, name=name, name_kana=name_kana, sex=sex, birth_date=birth,
        acquired_on=acquired, copay_ratio=ratio, copay_from=copay_from or acquired,
        mynumber_last4=last4, lost_on=lost, limit_category=limit, limit_consent=consent,
        **address)


def _address(c: _Collector) -> dict:
    """郵便番号・住所1・住所2・宛名, all optional; a postal code and 住所1 go together."""
    address = {"postal_code": c.run("postal_code", _postal_code, required=False),
               "address1": c.run("address1", _address_line, required=False),
               "address2": c.run("address2", _address_line, required=False),
               "addressee": c.run("addressee", _name, required=False)}
    wrote = {name for name in ADDRESS_FIELDS if c.text(name)}
    if wrote and "postal_code" not in wrote:
        c.fail("postal_code", "住所を登録するときは郵便番号も入力してください",
               "a postal code is required with an address")
    if wrote and "address1" not in wrote:
        c.fail("address1", "住所を登録するときは住所1も入力してください",
               "address line 1 is required with an address")
    return address


# -- field checks: each takes the stripped text, returns the clean value or raises _Invalid --

def _insurer_number(value: str) -> str:
    value = unicodedata.normalize("NFKC", value)
    problem = insurer_numbers.problem(value)
    if problem:
        raise _Invalid(*problem)
    return value


def _code(value: str) -> str:
    """記号・番号: half-width alphanumerics, or all full-width (kanji, kana) — never mixed.

    A value written entirely in full-width letters and digits (Ａ１２) is the same code as its
    half-width form and is stored half-width."""
    value = unicodedata.normalize("NFC", value)
    if _HALF_WIDTH_CODE.fullmatch(unicodedata.normalize("NFKC", value)):
        value = unicodedata.normalize("NFKC", value)
    if not _HALF_WIDTH_CODE.fullmatch(value):
        widths = {unicodedata.east_asian_width(ch) for ch in value}
        if not widths <= {"F", "W"}:
            raise _Invalid("半角英数字のみ、または全角文字のみで入力してください（混在不可）",
                           "half-width alphanumerics only, or full-width characters only (not mixed)")
        _no_controls(value)
    if len(value.encode()) > MAX_CODE_BYTES:
        raise _Invalid(f"{MAX_CODE_BYTES}バイト以内で入力してください",
                       f"at most {MAX_CODE_BYTES} bytes")
    return value


def _branch(value: str) -> str:
    value = unicodedata.normalize("NFKC", value)
    if not re.fullmatch(r"[0-9]{2}", value):
        raise _Invalid("2桁の数字（00〜99）か空欄です", "two digits (00-99) or empty")
    return value


def _choice(options: dict, ja: str, en: str):
    def check(value: str):
        key = unicodedata.normalize("NFKC", value)
        if key not in options:
            raise _Invalid(f"{ja}のいずれかです", f"must be {en}")
        return options[key]
    return check


_relationship = _choice({"1": Relationship.INSURED, "2": Relationship.DEPENDENT,
                         "本人": Relationship.INSURED, "家族": Relationship.DEPENDENT},
                        "1（本人）か2（家族）", "1 (本人) or 2 (家族)")
_sex = _choice({"1": Sex.MALE, "2": Sex.FEMALE, "3": Sex.UNSET, "男": Sex.MALE, "女": Sex.FEMALE},
               "1（男）・2（女）・3（未設定）", "1, 2 or 3")


def _no_controls(value: str) -> None:
    """Exactly what a token's text claim refuses (token_core.claims.forbidden_characters:
    controls, bidi and invisible format characters), and 外字 (private use) besides."""
    if forbidden_characters(value):
        raise _Invalid("制御文字・書式制御文字（見えない文字や文字の向きを変える文字）は使えません",
                       "control and invisible format characters (bidi marks, zero-width spaces) are not allowed")
    for ch in value:
        if unicodedata.category(ch) == "Co":
            raise _Invalid("外字（私用領域の文字）は使えません。標準の文字で入力してください",
                           "private-use characters (外字) are not allowed")


_COMPAT_IDEOGRAPHS = re.compile(r"([\uF900-\uFAFF\U0002F800-\U0002FA1F]+)")


def nfc_keeping_variants(value: str) -> str:
    """NFC (が written as か + ゛ becomes が), except CJK compatibility ideographs
    (e.g. 塚 U+FA10, 神 U+FA19), which NFC would replace with their unified forms and so
    change how a name is printed: they are kept as entered."""
    parts = _COMPAT_IDEOGRAPHS.split(value)
    return "".join(p if i % 2 else unicodedata.normalize("NFC", p) for i, p in enumerate(parts))


def _name(value: str) -> str:
    value = nfc_keeping_variants(value)
    _no_controls(value)
    if len(value) > MAX_TEXT_CHARS:
        raise _Invalid(f"{MAX_TEXT_CHARS}文字以内で入力してください", f"at most {MAX_TEXT_CHARS} characters")
    return value


def _kana(value: str) -> str:
    value = unicodedata.normalize("NFKC", value)     # half-width kana become full-width
    value = "".join(chr(ord(ch) + 0x60) if "ぁ" <= ch <= "ゖ" else ch for ch in value)
    if not _KANA.fullmatch(value):
        raise _Invalid("カタカナで入力してください", "katakana only")
    if len(value) > MAX_TEXT_CHARS:
        raise _Invalid(f"{MAX_TEXT_CHARS}文字以内で入力してください", f"at most {MAX_TEXT_CHARS} characters")
    return value


def _parse(value: str) -> date:
    try:
        return parse_date(value)
    except ValueError:
        raise _Invalid("日付として読めません（例: 1989-10-01、H1.10.1、平成元年10月1日）",
                       "not a date (e.g. 1989-10-01, H1.10.1, 平成元年10月1日)") from None


def _birth_date(today: date):
    def check(value: str) -> date:
        day = _parse(value)
        if day > today:
            raise _Invalid("未来の日付は登録できません", "must not be in the future")
        if day < EARLIEST_BIRTH:
            raise _Invalid("1900年より前の日付は登録できません", "must not be before 1900")
        return day
    return check


def _date_not_far_future(today: date):
    def check(value: str) -> date:
        day = _parse(value)
        if day > today + timedelta(days=366):
            raise _Invalid("1年より先の日付は登録できません", "must not be more than a year ahead")
        if day < EARLIEST_BIRTH:
            raise _Invalid("1900年より前の日付は登録できません", "must not be before 1900")
        return day
    return check


_RATIOS = {str(c.value // 10): c for c in Copay} | {str(c.value): c for c in Copay}


def _ratio(value: str) -> Copay:
    """1–3 (割) or 10–30 (%), with or without the unit; kept in percent."""
    key = unicodedata.normalize("NFKC", value).removesuffix("割").removesuffix("%")
    ratio = _RATIOS.get(key)
    if ratio is None:
        raise _Invalid("1割・2割・3割（10・20・30）のいずれかです", "must be 10, 20 or 30 (%)")
    return ratio


def _last4(value: str) -> str:
    value = unicodedata.normalize("NFKC", value)
    if re.fullmatch(r"[0-9]{12}", value.replace("-", "").replace(" ", "")):
        raise _Invalid("マイナンバーは下4桁だけを登録します（12桁は受け付けず、保存もしません）",
                       "only the last 4 digits; the full My Number is never accepted or stored")
    if not re.fullmatch(r"[0-9]{4}", value):
        raise _Invalid("4桁の数字か空欄です", "four digits or empty")
    return value


_POSTAL_HYPHENS = str.maketrans({"ー": "-", "−": "-", "‐": "-", "—": "-", "―": "-"})


def _postal_code(value: str) -> str:
    """郵便番号: 7 digits, written NNN-NNNN or NNNNNNN, full-width accepted (〒 dropped);
    stored as "123-4567"."""
    value = unicodedata.normalize("NFKC", value).translate(_POSTAL_HYPHENS)
    value = value.removeprefix("〒").strip()
    if not re.fullmatch(r"[0-9]{3}-?[0-9]{4}", value):
        raise _Invalid("7桁の数字で入力してください（例: 123-4567）",
                       "must be 7 digits (e.g. 123-4567)")
    digits = value.replace("-", "")
    return f"{digits[:3]}-{digits[3:]}"


def _address_line(value: str) -> str:
    value = nfc_keeping_variants(value)
    _no_controls(value)
    if len(value) > MAX_ADDRESS_CHARS:
        raise _Invalid(f"{MAX_ADDRESS_CHARS}文字以内で入力してください",
                       f"at most {MAX_ADDRESS_CHARS} characters")
    return value


def _limit(value: str) -> str:
    value = unicodedata.normalize("NFKC", value).upper()
    if value not in LIMIT_CATEGORIES:
        raise _Invalid("A01〜A06、B01〜B10のいずれかです", "must be A01-A06 or B01-B10")
    return value


def _flag(value) -> bool:
    return str(value).strip().lower() in ("1", "true", "on", "yes", "同意")
