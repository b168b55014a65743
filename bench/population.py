"""A seeded synthetic population of insured members, as token-core ``Claims``.

Households: an insured person (本人) and 0-4 dependents (家族: spouse, children) who
share 保険者番号・記号・番号 and differ by 枝番. Everyone is 0-100 years old on ``as_of``,
and the ages drive the insurer and the co-payment ratio (domain.md):

- under school age (to the first 3/31 after turning 6): 2割
- 6-69: 3割; 70-74 (from the month after turning 70): 2割, or 3割 for 現役並み所得
- 75+: 後期高齢者医療 (insurer 39xxxxxx, no 記号, no dependents), 1割 / 2割 / 3割

Names are Faker('ja_JP') ``last_name + ' ' + first_name``; a few married members carry
a 旧姓 in brackets (山田［佐藤］ 花子), and a few surnames use variant or non-BMP kanji
(𠮷田, 髙橋, 山﨑, 渡邉). About 30% consented to share 限度額適用区分. Most tokens are
7-day phone notices; a few are 資格確認書 cards.

Same ``seed`` (and Faker version) -> same members. Nothing here reads the clock.

    >>> from bench.population import population, longest
    >>> members = list(population(1000, seed=1))
"""
from __future__ import annotations

import dataclasses
import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone

from faker import Faker

from server.token_core import Claims, DocumentKind, Relationship, Sex

JST = timezone(timedelta(hours=9), "JST")
#: The day the population is "issued" (ages, ratios and validity are computed for it).
AS_OF = date(2026, 6, 1)
OLDEST_BIRTH = date(1926, 1, 1)
NOTICE_DAYS = 7
CARD_YEARS = 5

# Valid insurer numbers from domain.md, by kind.
KYOKAI = ("01130012", "01040013")          # 協会けんぽ (東京, 北海道…)
KUMIAI = ("06138093",)                     # 健保組合
KOKUHO = ("138156",)                       # 市町村国保 (6 digits)
KOKUHO_KUMIAI = ("80137151",)              # 国保組合
KYOSAI = ("31130685", "33120015")          # 国家公務員共済, 警察共済
TOKUREI = ("63132286",)                    # 特例退職
KOUKI = ("39131156", "39130000")           # 後期高齢者医療

_UNDER_70 = ["A01", "A02", "A03", "A04", "A05", "A06"]
_UNDER_70_W = [4, 10, 52, 24, 8, 2]
_VARIANTS = {"吉": "𠮷", "高": "髙", "崎": "﨑", "辺": "邉"}
_KANJI_SYMBOLS = ("千代田", "中央", "港", "新宿", "文京", "台東", "練馬", "世田谷", "ア", "イロ", "カ")
_KYOSAI_SYMBOLS = ("財務", "警視庁", "国交本省", "厚労", "法務", "警察庁", "防衛")
_FW_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


def population(n: int, seed: int = 0, *, as_of: date = AS_OF,
               consent_share: float = 0.30, card_share: float = 0.04) -> Iterator[Claims]:
    """Yield ``n`` members, household by household (a household may be cut at the end)."""
    gen = _Generator(seed, as_of, consent_share, card_share)
    made = 0
    while made < n:
        for member in gen.household():
            if made == n:
                return
            made += 1
            yield member


def longest(n: int, seed: int = 0, *, pool: int | None = None, as_of: date = AS_OF) -> list[Claims]:
    """The ``n`` members with the longest UTF-8 names, with every optional claim set.

    Draws a pool (default ``max(20_000, 50 n)``), keeps members whose insurer has a
    記号 (so the 記号 is a real one), takes the longest names (ties: longer 記号, then
    番号), and fills in what is still missing: 枝番 (00 本人, 01 家族) and a
    限度額区分 fitting the member's age.
    """
    pool = pool or max(20_000, 50 * n)
    rng = random.Random(f"longest:{seed}")
    candidates = [c for c in population(pool, seed, as_of=as_of) if c.symbol]
    candidates.sort(key=lambda c: (len(c.name.encode()), len(c.symbol.encode()),
                                   len(c.number)), reverse=True)
    chosen = []
    for c in candidates[:n]:
        branch = c.branch or ("00" if c.relationship is Relationship.INSURED else "01")
        limit = c.limit_category or _limit_category(rng, _age(c.birth_date, as_of), c.copay_ratio)
        chosen.append(dataclasses.replace(c, branch=branch, limit_category=limit))
    return chosen


class _Generator:
    def __init__(self, seed, as_of, consent_share, card_share):
        self.rng = random.Random(seed)
        self.fake = Faker("ja_JP")
        self.fake.seed_instance(seed)
        self.as_of = as_of
        self.consent_share = consent_share
        self.card_share = card_share
        self.issued_at = int(datetime(as_of.year, as_of.month, as_of.day, 9, tzinfo=JST).timestamp())

    # -- a household -----------------------------------------------------------
    def household(self) -> list[Claims]:
        rng = self.rng
        head_age = min(100, int(rng.triangular(18, 101, 45)))
        insurer = self._insurer(head_age)
        surname = self._surname()
        head_sex = rng.choice((Sex.MALE, Sex.FEMALE))
        people = [(Relationship.INSURED, head_age, head_sex, surname)]
        if insurer not in KOUKI:   # 後期高齢者医療 has no dependents
            if head_age >= 22 and rng.random() < 0.55:
                spouse_age = max(18, head_age + rng.randint(-6, 6))
                if spouse_age < 75:  # a 75-year-old leaves for 後期高齢者医療
                    spouse_sex = Sex.FEMALE if head_sex is Sex.MALE else Sex.MALE
                    people.append((Relationship.DEPENDENT, spouse_age, spouse_sex, surname))
            if 22 <= head_age <= 62:
                for _ in range(rng.choices((0, 1, 2, 3), (35, 30, 28, 7))[0]):
                    if len(people) == 5:
                        break
                    child_age = rng.randint(0, min(22, head_age - 20))
                    people.append((Relationship.DEPENDENT, child_age,
                                   rng.choice((Sex.MALE, Sex.FEMALE)), surname))

        symbol = self._symbol(insurer)
        number = self._number(insurer)
        no_branch = rng.random() < 0.04      # older data: 枝番 stored empty
        head_birth = self._birth(head_age)
        head_acquired = self._acquired(insurer, head_birth)
        members = []
        for i, (relationship, age, sex, last) in enumerate(people):
            birth = head_birth if i == 0 else self._birth(age)
            acquired = head_acquired if i == 0 else self._dependent_acquired(head_acquired, birth)
            ratio, ratio_from = self._copay(insurer, birth, acquired)
            members.append(self._claims(
                insurer=insurer, symbol=symbol, number=number,
                branch="" if no_branch else f"{i:02d}", relationship=relationship,
                name=self._name(last, sex, age), sex=Sex.UNSET if rng.random() < 0.004 else sex,
                birth=birth, acquired=acquired, ratio=ratio, ratio_from=ratio_from))
        return members

    def _claims(self, *, insurer, symbol, number, branch, relationship, name, sex, birth,
                acquired, ratio, ratio_from) -> Claims:
        rng = self.rng
        age = _age(birth, self.as_of)
        issued_at = self.issued_at + rng.randrange(10 * 3600)
        if rng.random() < self.card_share:
            kind = DocumentKind.CARD
            until = _add_years(self.as_of, CARD_YEARS)
            if age >= 69:   # 70歳以上: annual, to 7/31
                until = date(self.as_of.year + (self.as_of.month > 7), 7, 31)
            expires_at = int(datetime(until.year, until.month, until.day, 23, 59, 59,
                                      tzinfo=JST).timestamp())
        else:
            kind = DocumentKind.NOTICE
            expires_at = issued_at + NOTICE_DAYS * 86400
        limit = None
        if rng.random() < self.consent_share:
            limit = _limit_category(rng, age, ratio)
        return Claims(
            insurer_number=insurer, symbol=symbol, number=number, branch=branch,
            relationship=relationship, name=name, sex=sex, birth_date=birth,
            acquired_on=acquired, copay_ratio=ratio, copay_from=ratio_from, kind=kind,
            issued_at=issued_at, expires_at=expires_at, revocation_id=rng.randbytes(8),
            limit_category=limit)

    # -- fields ------------------------------------------------------------------
    def _insurer(self, age: int) -> str:
        rng = self.rng
        if age >= 75:
            return rng.choice(KOUKI)
        if age >= 65:
            groups = [(KOKUHO, 45), (TOKUREI, 15), (KYOKAI, 20), (KUMIAI, 10), (KYOSAI, 5),
                      (KOKUHO_KUMIAI, 5)]
        else:
            groups = [(KYOKAI, 38), (KUMIAI, 25), (KOKUHO, 20), (KYOSAI, 8), (KOKUHO_KUMIAI, 7),
                      (TOKUREI, 2)]
        group = rng.choices([g for g, _ in groups], [w for _, w in groups])[0]
        return rng.choice(group)

    def _symbol(self, insurer: str) -> str:
        """記号: digits (協会けんぽ 8 digits, often a leading zero), full-width kanji/kana, or none."""
        rng = self.rng
        if insurer in KOUKI:
            return ""
        if insurer in KYOKAI:                # 支部 prefix from the insurer number, e.g. "04…"
            return insurer[2:4] + f"{rng.randrange(10**6):06d}"
        if insurer in KUMIAI:                # ≤4 digits, no leading zeros
            return str(rng.randint(1, 10 ** rng.choice((1, 2, 3, 4)) - 1))
        if insurer in KOKUHO:
            r = rng.random()
            if r < 0.45:
                return f"{rng.randrange(1000):0{rng.choice((2, 3, 4))}d}"
            if r < 0.85:                     # all full-width: kanji/kana and full-width digits
                tail = str(rng.randint(1, 99)) if rng.random() < 0.5 else ""
                return rng.choice(_KANJI_SYMBOLS) + tail.translate(_FW_DIGITS)
            return rng.choice(_KANJI_SYMBOLS)
        if insurer in KYOSAI:
            if rng.random() < 0.4:
                return rng.choice(_KYOSAI_SYMBOLS)
            return str(rng.randint(1, 999_999))
        if insurer in KOKUHO_KUMIAI:
            return f"{rng.randrange(1, 1000):03d}"
        return str(rng.randint(1, 9999))     # 特例退職

    def _number(self, insurer: str) -> str:
        """番号: 1-7 digits; 国保 numbers are sometimes zero-padded to 7."""
        rng = self.rng
        width = rng.choices(range(1, 8), (1, 2, 4, 8, 18, 32, 35))[0]
        value = rng.randrange(10 ** (width - 1), 10 ** width)
        if insurer in KOKUHO and rng.random() < 0.3:
            return f"{value:07d}"
        return str(value)

    def _surname(self) -> str:
        last = self.fake.last_name()
        if any(c in last for c in _VARIANTS) and self.rng.random() < 0.15:
            last = "".join(_VARIANTS.get(c, c) for c in last)
        return last

    def _name(self, last: str, sex: Sex, age: int) -> str:
        first = self.fake.first_name_female() if sex is Sex.FEMALE else self.fake.first_name_male()
        if sex is Sex.FEMALE and age >= 22 and self.rng.random() < 0.08:
            maiden = self.fake.last_name()
            if maiden != last:
                return f"{last}［{maiden}］ {first}"
        return f"{last} {first}"

    def _birth(self, age: int) -> date:
        hi = _add_years(self.as_of, -age)
        lo = max(OLDEST_BIRTH, _add_years(self.as_of, -age - 1) + timedelta(days=1))
        return lo + timedelta(days=self.rng.randrange((hi - lo).days + 1))

    def _acquired(self, insurer: str, birth: date) -> date:
        if insurer in KOUKI:                 # from the 75th birthday (scheme began 2008-04-01)
            start = max(_add_years(birth, 75), date(2008, 4, 1))
            if self.rng.random() < 0.1:      # moved in from another prefecture
                return self._between(start, self.as_of)
            return start
        earliest = _add_years(birth, 60 if insurer in TOKUREI else 18)
        earliest = max(earliest, _add_years(self.as_of, -40))
        return self._between(min(earliest, self.as_of), self.as_of)

    def _dependent_acquired(self, head_acquired: date, birth: date) -> date:
        start = max(head_acquired, birth)
        if start == birth or self.rng.random() < 0.8:
            return start
        return self._between(start, self.as_of)

    def _between(self, lo: date, hi: date) -> date:
        return lo + timedelta(days=self.rng.randrange((hi - lo).days + 1))

    def _copay(self, insurer: str, birth: date, acquired: date) -> tuple[int, date]:
        """(percent, start date) per domain.md's rules."""
        rng, as_of = self.rng, self.as_of
        if insurer in KOUKI:
            ratio = rng.choices((10, 20, 30), (70, 20, 10))[0]
            start = max(acquired, date(2022, 10, 1)) if ratio == 20 else acquired
            return ratio, start
        sixth = _add_years(birth, 6)
        school = date(sixth.year if sixth <= date(sixth.year, 3, 31) else sixth.year + 1, 3, 31)
        if as_of <= school:
            return 20, acquired
        seventieth = _add_years(birth, 70)
        elderly_from = (seventieth if seventieth.day == 1 else
                        date(seventieth.year + seventieth.month // 12, seventieth.month % 12 + 1, 1))
        if as_of >= elderly_from:
            return rng.choices((20, 30), (85, 15))[0], max(acquired, elderly_from)
        return 30, max(acquired, school + timedelta(days=1))


def _limit_category(rng: random.Random, age: int, ratio: int) -> str:
    """A 限度額適用区分 code that fits the age (A: under 70, B: 70+) and the ratio."""
    if age < 70:
        return rng.choices(_UNDER_70, _UNDER_70_W)[0]
    if ratio == 30:
        return rng.choice(("B01", "B02", "B03"))
    if age >= 75 and ratio == 20:
        return "B09"
    return rng.choices(("B04", "B05", "B06", "B07", "B08", "B10"), (40, 20, 15, 2, 3, 20))[0]


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:   # 29 February
        return d.replace(year=d.year + years, day=28)
