"""Demo data for the embedded development default. Never used in production."""
from __future__ import annotations

import secrets
from datetime import date

from ..extensions import db
from ..models import CopayRatio, Eligibility, Insurer, Member

DEMO_INSURER_PHONE = "0120-000-000"
DEMO_INSURER = ("06138093", "資格パス健康保険組合（デモ）")
#: A second insurer, so the demo shows tenancy: its staff never see the first one's members.
SECOND_INSURER = ("06270888", "なにわ商事健康保険組合（デモ）", "06-0000-0000")

# (symbol, number, branch, relationship, name, kana, sex, birth, acquired, ratio, ratio_from, last4, limit)
_HOUSEHOLDS = [
    [
        ("1234", "5678", "00", 1, "𠮷田 太郎", "ヨシダ タロウ", 1, date(1980, 5, 15),
         date(2015, 4, 1), 30, date(2015, 4, 1), "4821", None),
        ("1234", "5678", "01", 2, "𠮷田 花子", "ヨシダ ハナコ", 2, date(1982, 8, 20),
         date(2015, 4, 1), 30, date(2015, 4, 1), "1937", None),
        ("1234", "5678", "02", 2, "𠮷田 陽菜", "ヨシダ ヒナ", 2, date(2021, 6, 1),
         date(2021, 6, 1), 20, date(2021, 6, 1), "6604", None),
    ],
    [
        ("1234", "91", "00", 1, "髙橋 和夫", "タカハシ カズオ", 1, date(1954, 3, 10),
         date(1999, 10, 1), 20, date(2024, 4, 1), "2208", "B04"),
    ],
]


_SECOND_HOUSEHOLDS = [
    [
        ("77", "3001", "00", 1, "齋藤 美咲", "サイトウ ミサキ", 2, date(1990, 1, 24),
         date(2020, 4, 1), 30, date(2020, 4, 1), "5183", None),
        ("77", "3001", "01", 2, "齋藤 蓮", "サイトウ レン", 1, date(2022, 9, 3),
         date(2022, 9, 3), 20, date(2022, 9, 3), "7290", None),
    ],
    [
        ("77", "3015", "00", 1, "山﨑 健", "ヤマサキ ケン", 1, date(1968, 11, 30),
         date(1991, 4, 1), 30, date(1991, 4, 1), "3356", None),
    ],
]


def seed() -> list[Member]:
    """The demo insurers and their members (the first insurer's first)."""
    first = Insurer(number=DEMO_INSURER[0], name=DEMO_INSURER[1], phone=DEMO_INSURER_PHONE)
    second = Insurer(number=SECOND_INSURER[0], name=SECOND_INSURER[1], phone=SECOND_INSURER[2])
    db.session.add_all([first, second])
    members = _households(first, _HOUSEHOLDS) + _households(second, _SECOND_HOUSEHOLDS)
    db.session.commit()
    return members


def _households(insurer: Insurer, households) -> list[Member]:
    members = []
    for household in households:
        insured = None
        for row in household:
            (symbol, number, branch, rel, name, kana, sex, birth, acquired,
             ratio, ratio_from, last4, limit) = row
            member = Member(insurer=insurer, symbol=symbol, number=number, branch=branch,
                            relationship=rel, insured_person=insured, name=name, name_kana=kana,
                            sex=sex, birth_date=birth, mynumber_last4=last4,
                            limit_category=limit, limit_consent=limit is not None)
            member.eligibilities.append(Eligibility(acquired_on=acquired,
                                                    revocation_seed=secrets.token_bytes(16)))
            member.copay_ratios.append(CopayRatio(ratio=ratio, effective_from=ratio_from))
            db.session.add(member)
            members.append(member)
            insured = insured or member
    return members
