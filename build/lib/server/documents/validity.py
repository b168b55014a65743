"""How long a document stays valid, one rule for phone tokens and 資格確認書 cards alike.

- A phone token (資格情報のお知らせ) lives NOTICE_TOKEN_DAYS; a card CARD_VALIDITY_DAYS, at
  most 5 years (有効期限).
- 高齢受給者 (70–74): from the first of the month after the 70th birthday (that month itself
  when the birthday is the 1st) the co-payment ratio changes, so a document issued before then
  ends the day before; from then on it ends on the next 31 July (the annual 高齢受給者 period)
  and never reaches the 75th birthday, when 後期高齢者医療 takes over.
- Never past a recorded loss of eligibility (資格喪失日: the document ends the day before).
"""
from __future__ import annotations

from datetime import date, timedelta

MAX_CARD_DAYS = 5 * 365 + 1
ONE_DAY = timedelta(days=1)


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def birthday(birth: date, age: int) -> date:
    """The day ``birth`` turns ``age`` (29 February: 1 March in a common year)."""
    try:
        return birth.replace(year=birth.year + age)
    except ValueError:
        return date(birth.year + age, 3, 1)


def elderly_from(birth: date) -> date:
    """First day as 高齢受給者 (70–74)."""
    seventieth = birthday(birth, 70)
    if seventieth.day == 1:
        return seventieth
    return date(seventieth.year + seventieth.month // 12, seventieth.month % 12 + 1, 1)


def last_day_allowed(birth: date, today: date, lost_on: date | None) -> date | None:
    """The last day any document issued ``today`` may cover, by age and loss (None: no cap)."""
    caps = []
    start, end = elderly_from(birth), birthday(birth, 75)
    if today < start:
        caps.append(start - ONE_DAY)
    elif today < end:
        july = date(today.year, 7, 31)
        caps += [july if today <= july else date(today.year + 1, 7, 31), end - ONE_DAY]
    if lost_on is not None:
        caps.append(lost_on - ONE_DAY)
    return min(caps) if caps else None


def card_valid_until(birth: date, today: date, lost_on: date | None, validity_days: int) -> date:
    """有効期限 of a 資格確認書 issued today: its last valid day."""
    end = today + timedelta(days=min(validity_days, MAX_CARD_DAYS) - 1)
    cap = last_day_allowed(birth, today, lost_on)
    return end if cap is None else min(end, cap)
