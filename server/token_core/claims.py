"""claims <-> CBOR map: what a token says, with small integer keys.

Keys (see docs/token-format.md for the table):

 1 insurer_number  保険者番号  uint: 6-digit 国保 numbers are < 1,000,000, 8-digit ones >= 1,000,000
 2 symbol          記号        uint when canonical digits, else text; absent when empty
 3 number          番号        as 記号
 4 branch          枝番        uint 0-99; absent when empty
 5 relationship    本人・家族   1 本人, 2 家族
 6 name            氏名        text (full Unicode)
 7 sex             性別        1 男, 2 女, 3 unset
 8 birth_date      生年月日     days since 1970-01-01 (negative before)
 9 acquired_on     資格取得年月日 days since 1970-01-01
10 copay_ratio     負担割合     tenths: 1, 2 or 3 (割)
11 copay_from      負担割合の発効日 days since 1970-01-01
12 kind            書類の種別   1 phone notice, 2 資格確認書
13 issued_at       発行日時     seconds since the epoch
14 expires_at      有効期限     seconds since the epoch
15 revocation_id   失効ID       8-byte keyed hash of the member (only the server can compute it);
                                version 1 only (required there, forbidden in version 2)
16 limit_category  限度額適用区分 text code, e.g. "A03"; present only with the member's consent
17 (reserved)      holder key   a later device-binding claim; verifiers ignore unknown keys
18 status_index    失効リスト番号 uint < 2^32: the token's bit in a status list; version 2 only
                                (required there; in version 1 an unknown claim like any other)

The format version (the digits header, 8801 or 8802) selects which of claims 15 and 18 the map
must carry; ``Claims.version`` says which a claims object is.

Unknown keys are kept and ignored (must-ignore), so a claim can be added without a
version break; a claim that must not be ignored would go in the COSE ``crit`` header.
"""
from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from .errors import ClaimsError

EPOCH = date(1970, 1, 1)
REVOCATION_ID_BYTES = 8
MAX_TEXT_CHARS = 100
MAX_CODE_BYTES = 38
LIMIT_CATEGORIES = frozenset(
    [f"A{i:02d}" for i in range(1, 7)] + [f"B{i:02d}" for i in range(1, 11)]
)
_INSURER_NUMBER = re.compile(r"(?!00)(?:[0-9]{6}|[0-9]{8})")
_COMPACT_DIGITS = re.compile(r"[1-9][0-9]{0,17}")
#: Day numbers a token can carry (1860-06-26 to 2189-01-12); Claims refuses dates outside.
MIN_DAY, MAX_DAY = -40_000, 80_000
#: Code points no text claim (記号, 番号, 氏名) may hold, as inclusive ranges: every control (Cc),
#: every format character (Cf, as of Unicode 17) except the joiners ZWNJ/ZWJ (U+200C, U+200D),
#: the line and paragraph separators and the surrogates. A fixed list, not a category lookup,
#: so that verifiers built on different Unicode versions refuse exactly the same names.
#: Variation selectors (U+FE00-FE0F, U+E0100-E01EF: category Mn) are not in it.
FORBIDDEN_TEXT_RANGES = (
    (0x0000, 0x001F), (0x007F, 0x009F), (0x00AD, 0x00AD), (0x0600, 0x0605), (0x061C, 0x061C),
    (0x06DD, 0x06DD), (0x070F, 0x070F), (0x0890, 0x0891), (0x08E2, 0x08E2), (0x180E, 0x180E),
    (0x200B, 0x200B), (0x200E, 0x200F), (0x2028, 0x202E), (0x2060, 0x2064), (0x2066, 0x206F),
    (0xD800, 0xDFFF), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD), (0x110CD, 0x110CD),
    (0x13430, 0x1343F), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
)
_FORBIDDEN_TEXT = re.compile("[" + "".join(
    re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b != a else "")
    for a, b in FORBIDDEN_TEXT_RANGES) + "]")


class _Code(enum.IntEnum):
    """An official code with its display labels: ``.ja`` (screens, print), ``.en``, and the
    legal term where the printed documents add one (``.legal``: 被保険者)."""
    def __new__(cls, value: int, ja: str, en: str, legal: str = ""):
        member = int.__new__(cls, value)
        member._value_ = value
        member.ja, member.en, member.legal = ja, en, legal
        return member

    @property
    def label(self) -> str:
        """Japanese first, English beside: "本人 (insured person)"."""
        return f"{self.ja} ({self.en})"


class Relationship(_Code):
    """本人・家族区分."""
    INSURED = 1, "本人", "Insured person", "被保険者"
    DEPENDENT = 2, "家族", "Dependent", "被扶養者"


class Sex(_Code):
    """性別."""
    MALE = 1, "男性", "Male"
    FEMALE = 2, "女性", "Female"
    UNSET = 3, "未設定", "Not set"


class DocumentKind(_Code):
    """What the token stands for."""
    NOTICE = 1, "資格情報のお知らせ", "Eligibility notice"   # on the phone (short-lived)
    CARD = 2, "資格確認書", "Eligibility certificate"       # printed (long-lived)


class Copay(_Code):
    """一部負担金の割合, in percent as every JSON output gives it (the token carries 割: 1–3)."""
    TEN = 10, "1割", "10%"
    TWENTY = 20, "2割", "20%"
    THIRTY = 30, "3割", "30%"


class Key(enum.IntEnum):
    INSURER_NUMBER = 1
    SYMBOL = 2
    NUMBER = 3
    BRANCH = 4
    RELATIONSHIP = 5
    NAME = 6
    SEX = 7
    BIRTH_DATE = 8
    ACQUIRED_ON = 9
    COPAY_RATIO = 10
    COPAY_FROM = 11
    KIND = 12
    ISSUED_AT = 13
    EXPIRES_AT = 14
    REVOCATION_ID = 15
    LIMIT_CATEGORY = 16
    STATUS_INDEX = 18


#: Claim keys each format version defines; any other integer key is an unknown claim.
#: Version 2 defines 15 too, as forbidden: a v2 map holding it is malformed.
KNOWN_KEYS_BY_VERSION = {1: frozenset(range(1, 17)), 2: frozenset(range(1, 17)) | {18}}
KNOWN_KEYS = KNOWN_KEYS_BY_VERSION[1]
_OPTIONAL = {Key.SYMBOL, Key.BRANCH, Key.LIMIT_CATEGORY}
REQUIRED_BY_VERSION = {1: KNOWN_KEYS_BY_VERSION[1] - _OPTIONAL,
                       2: KNOWN_KEYS_BY_VERSION[2] - _OPTIONAL - {Key.REVOCATION_ID}}
REQUIRED = REQUIRED_BY_VERSION[1]
#: Status indexes are below 2^32 (docs/token-format.md, "Status lists").
MAX_STATUS_INDEX = 2**32 - 1

_RELATIONSHIPS = frozenset(Relationship)
_SEXES = frozenset(Sex)
_KINDS = frozenset(DocumentKind)


@dataclass(frozen=True)
class Claims:
    insurer_number: str          # 保険者番号
    symbol: str                  # 記号 ("" when the insurer has none)
    number: str                  # 番号
    branch: str                  # 枝番: "" or two digits
    relationship: Relationship   # 本人・家族
    name: str                    # 氏名
    sex: Sex                     # 性別
    birth_date: date             # 生年月日
    acquired_on: date            # 資格取得年月日
    copay_ratio: int             # 一部負担金の割合, percent: 10, 20 or 30
    copay_from: date             # その発効日
    kind: DocumentKind
    issued_at: int               # seconds since the epoch
    expires_at: int
    revocation_id: bytes | None = None  # 失効ID: version 1 tokens
    limit_category: str | None = None   # 限度額適用区分 (consent only)
    status_index: int | None = None     # 失効リスト番号: version 2 tokens
    extensions: dict = field(default_factory=dict, hash=False, repr=False)

    @property
    def version(self) -> int:
        """The token format version these claims are issued in: 2 with a status index, else 1."""
        return 1 if self.status_index is None else 2

    def __post_init__(self):
        _check(_INSURER_NUMBER.fullmatch(self.insurer_number or ""), "insurer_number",
               "6 or 8 digits, not starting with 00")
        _check_code(self.symbol, "symbol", allow_empty=True)
        _check_code(self.number, "number", allow_empty=False)
        _check(re.fullmatch(r"([0-9]{2})?", self.branch), "branch", "empty or 2 digits")
        _check(self.relationship in _RELATIONSHIPS, "relationship", "1 or 2")
        _check_text(self.name, "name")
        _check(self.sex in _SEXES, "sex", "1, 2 or 3")
        for name in ("birth_date", "acquired_on", "copay_from"):
            value = getattr(self, name)
            _check(type(value) is date and MIN_DAY <= _days(value) <= MAX_DAY, name,
                   "a date from 1860-06-26 to 2189-01-12")
        _check(self.copay_ratio in (10, 20, 30), "copay_ratio", "10, 20 or 30")
        _check(self.kind in _KINDS, "kind", "1 or 2")
        for name in ("issued_at", "expires_at"):
            value = getattr(self, name)
            _check(type(value) is int and 0 <= value < 2**32, name, "seconds since the epoch")
        _check(self.expires_at > self.issued_at, "expires_at", "after issued_at")
        if self.status_index is None:
            _check(isinstance(self.revocation_id, bytes)
                   and len(self.revocation_id) == REVOCATION_ID_BYTES,
                   "revocation_id", f"{REVOCATION_ID_BYTES} bytes (version 1)")
        else:
            _check(type(self.status_index) is int and 0 <= self.status_index <= MAX_STATUS_INDEX,
                   "status_index", "an integer 0 - 2^32 - 1")
            _check(self.revocation_id is None, "revocation_id",
                   "absent with a status index (version 2)")
        _check(self.limit_category is None or self.limit_category in LIMIT_CATEGORIES,
               "limit_category", "a known 限度額区分 code")
        known = KNOWN_KEYS_BY_VERSION[self.version]
        _check(all(_is_cbor_int(k) and k not in known for k in self.extensions),
               "extensions", "unknown integer keys only")
        _check(all(_plain(v, 0) for v in self.extensions.values()), "extensions",
               "plain CBOR: integers, text, bytes, booleans, null, arrays and maps; no tags or floats")

    # -- claims -> CBOR map -------------------------------------------------
    def to_map(self) -> dict:
        m = {
            Key.INSURER_NUMBER: int(self.insurer_number),
            Key.NUMBER: _compact(self.number),
            Key.RELATIONSHIP: int(self.relationship),
            Key.NAME: self.name,
            Key.SEX: int(self.sex),
            Key.BIRTH_DATE: _days(self.birth_date),
            Key.ACQUIRED_ON: _days(self.acquired_on),
            Key.COPAY_RATIO: self.copay_ratio // 10,
            Key.COPAY_FROM: _days(self.copay_from),
            Key.KIND: int(self.kind),
            Key.ISSUED_AT: self.issued_at,
            Key.EXPIRES_AT: self.expires_at,
        }
        if self.status_index is None:
            m[Key.REVOCATION_ID] = self.revocation_id
        else:
            m[Key.STATUS_INDEX] = self.status_index
        if self.symbol:
            m[Key.SYMBOL] = _compact(self.symbol)
        if self.branch:
            m[Key.BRANCH] = int(self.branch)
        if self.limit_category is not None:
            m[Key.LIMIT_CATEGORY] = self.limit_category
        m = {int(k): v for k, v in m.items()}
        m.update(self.extensions)
        return m

    # -- CBOR map -> claims -------------------------------------------------
    @classmethod
    def from_map(cls, m, version: int = 1) -> "Claims":
        """The claims of a format-``version`` token (the digits header says which)."""
        if not isinstance(m, Mapping) or not all(_is_cbor_int(k) for k in m):
            raise ClaimsError("claims must be a map with integer keys")
        if version not in KNOWN_KEYS_BY_VERSION:
            raise ClaimsError(f"unknown format version {version}")
        missing = REQUIRED_BY_VERSION[version] - set(m)
        if missing:
            raise ClaimsError(f"missing claims {sorted(int(k) for k in missing)}")
        if version == 2 and Key.REVOCATION_ID in m:
            raise ClaimsError("claim 15 (revocation_id) is not allowed in version 2")
        known = KNOWN_KEYS_BY_VERSION[version]
        insurer = _uint(m, Key.INSURER_NUMBER, 99_999_999)
        try:
            return cls(
                insurer_number=f"{insurer:06d}" if insurer < 1_000_000 else f"{insurer:08d}",
                symbol=_expand(m, Key.SYMBOL) if Key.SYMBOL in m else "",
                number=_expand(m, Key.NUMBER),
                branch=f"{_uint(m, Key.BRANCH, 99):02d}" if Key.BRANCH in m else "",
                relationship=Relationship(_uint(m, Key.RELATIONSHIP, 2)),
                name=_text(m, Key.NAME),
                sex=Sex(_uint(m, Key.SEX, 3)),
                birth_date=_date(m, Key.BIRTH_DATE),
                acquired_on=_date(m, Key.ACQUIRED_ON),
                copay_ratio=_uint(m, Key.COPAY_RATIO, 3) * 10,
                copay_from=_date(m, Key.COPAY_FROM),
                kind=DocumentKind(_uint(m, Key.KIND, 2)),
                issued_at=_uint(m, Key.ISSUED_AT, 2**32 - 1),
                expires_at=_uint(m, Key.EXPIRES_AT, 2**32 - 1),
                revocation_id=_bytes(m, Key.REVOCATION_ID) if version == 1 else None,
                limit_category=_text(m, Key.LIMIT_CATEGORY) if Key.LIMIT_CATEGORY in m else None,
                status_index=(_uint(m, Key.STATUS_INDEX, MAX_STATUS_INDEX) if version == 2
                              else None),
                extensions={k: v for k, v in m.items() if k not in known},
            )
        except ValueError as exc:  # an enum outside its range
            raise ClaimsError(str(exc)) from exc

    def to_json(self) -> dict:
        """Plain JSON view (dates ISO 8601, bytes hex) for CLIs, vectors and APIs."""
        return {
            "insurer_number": self.insurer_number, "symbol": self.symbol,
            "number": self.number, "branch": self.branch,
            "relationship": int(self.relationship), "name": self.name,
            "sex": int(self.sex), "birth_date": self.birth_date.isoformat(),
            "acquired_on": self.acquired_on.isoformat(), "copay_ratio": self.copay_ratio,
            "copay_from": self.copay_from.isoformat(), "kind": int(self.kind),
            "issued_at": self.issued_at, "expires_at": self.expires_at,
            "revocation_id": None if self.revocation_id is None else self.revocation_id.hex(),
            "limit_category": self.limit_category, "status_index": self.status_index,
        }


def _check(ok, name, expected):
    if not ok:
        raise ClaimsError(f"{name}: must be {expected}")


def forbidden_characters(value: str) -> list[str]:
    """The characters of ``value`` that no text claim may hold (see FORBIDDEN_TEXT_RANGES), in
    order. Enrolment calls this too, so that it refuses exactly what a token cannot carry."""
    return _FORBIDDEN_TEXT.findall(value)


def _check_text(value, name):
    _check(isinstance(value, str) and 0 < len(value) <= MAX_TEXT_CHARS, name,
           f"1-{MAX_TEXT_CHARS} code points")
    _check(not forbidden_characters(value), name,
           "free of control, format (bidi, invisible) and line-separator characters")


def _check_code(value, name, *, allow_empty):
    _check(isinstance(value, str), name, "text")
    if value or not allow_empty:
        _check_text(value, name)
        _check(len(value.encode()) <= MAX_CODE_BYTES, name, f"at most {MAX_CODE_BYTES} bytes")


def _is_cbor_int(value) -> bool:
    """A CBOR major type 0/1 integer; larger ones could only come from bignum tags."""
    return type(value) is int and -2**64 <= value < 2**64


def _plain(value, depth: int) -> bool:
    """Values an extension claim may hold: what every CBOR decoder reads back unchanged."""
    if depth > 4:
        return False
    if type(value) is int:
        return _is_cbor_int(value)
    if value is None or type(value) in (bool, str, bytes):
        return True
    if type(value) in (list, tuple):
        return all(_plain(v, depth + 1) for v in value)
    if isinstance(value, Mapping):
        return all((_is_cbor_int(k) or type(k) is str) and _plain(v, depth + 1)
                   for k, v in value.items())
    return False


def _compact(code: str):
    return int(code) if _COMPACT_DIGITS.fullmatch(code) else code


def _days(d: date) -> int:
    return (d - EPOCH).days


def _uint(m, key, maximum) -> int:
    value = m[key]
    if type(value) is not int or not 0 <= value <= maximum:
        raise ClaimsError(f"claim {int(key)}: must be an integer 0-{maximum}")
    return value


def _text(m, key) -> str:
    if type(m[key]) is not str:
        raise ClaimsError(f"claim {int(key)}: must be text")
    return m[key]


def _bytes(m, key) -> bytes:
    if type(m[key]) is not bytes:
        raise ClaimsError(f"claim {int(key)}: must be a byte string")
    return m[key]


def _expand(m, key) -> str:
    value = m[key]
    if type(value) is int:
        if not 0 < value < 10**18:
            raise ClaimsError(f"claim {int(key)}: out of range")
        return str(value)
    if type(value) is str and value and not _COMPACT_DIGITS.fullmatch(value):
        return value
    raise ClaimsError(f"claim {int(key)}: must be canonical (digits as an integer)")


def _date(m, key) -> date:
    value = m[key]
    if type(value) is not int or not MIN_DAY <= value <= MAX_DAY:
        raise ClaimsError(f"claim {int(key)}: must be a day number")
    return EPOCH + timedelta(days=value)
