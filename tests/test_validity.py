"""One validity rule for phone tokens and 資格確認書 cards: 5 years at most, 高齢受給者 (70–74)
to 31 July, the month of turning 70, the day before 75, never past a loss. The same member on
the same day gets the same last day from both paths."""
from datetime import date, datetime, timedelta

import pytest

from server.clock import JST, start_of_day
from server.documents import validity
from server.documents.cards import issue_card
from server.documents.issuance import issue_token
from server.extensions import db
from server.token_core import DocumentKind


def _at(day: date) -> int:
    return start_of_day(day) + 10 * 3600          # 10:00 JST on ``day``


def _last_day(expires_at: int) -> date:
    return datetime.fromtimestamp(expires_at, JST).date() - timedelta(days=1)


@pytest.mark.parametrize("birth, today, last", [
    (date(1954, 3, 10), date(2026, 11, 18), date(2027, 7, 31)),   # 72: to the next 31 July
    (date(1954, 3, 10), date(2026, 7, 31), date(2026, 7, 31)),    # issued on 31 July itself
    (date(1956, 12, 10), date(2026, 11, 18), date(2026, 12, 31)),  # 69, turns 70 in December
    (date(1956, 12, 1), date(2026, 11, 18), date(2026, 11, 30)),   # born on the 1st: that month
    (date(1951, 12, 10), date(2026, 11, 18), date(2026, 12, 9)),   # 74: the day before 75
    (date(1980, 5, 14), date(2026, 11, 18), date(2031, 11, 17)),   # 46: five years (1,826 days)
])
def test_the_last_day_of_a_card(birth, today, last):
    assert validity.card_valid_until(birth, today, None, 5 * 365 + 1) == last


def test_a_recorded_loss_ends_the_card_the_day_before():
    assert validity.card_valid_until(date(1980, 5, 14), date(2026, 11, 18), date(2026, 12, 1),
                                     5 * 365 + 1) == date(2026, 11, 30)


def test_a_leap_day_birthday_turns_75_on_1_march():
    assert validity.birthday(date(1952, 2, 29), 75) == date(2027, 3, 1)


@pytest.mark.parametrize("today, card_last, notice_expires", [
    (date(2026, 11, 18), date(2027, 7, 31), _at(date(2026, 11, 25))),   # notice: its 7 days
    (date(2027, 7, 28), date(2027, 7, 31), start_of_day(date(2027, 8, 1))),   # both: 31 July
])
def test_phone_token_and_card_end_on_the_same_day_under_the_same_rule(app, demo_member, clock,
                                                                       today, card_last, notice_expires):
    clock.now = _at(today)
    with app.app_context():
        elder = demo_member(number="91")                 # 髙橋 和夫, born 1954-03-10
        card_last_day = issue_card(elder).valid_until
        notice = issue_token(elder).claims
        card_claims = issue_token(elder, DocumentKind.CARD).claims
    assert card_last_day == card_last == _last_day(card_claims.expires_at)
    assert notice.expires_at == notice_expires <= card_claims.expires_at


def test_a_card_for_someone_turning_70_ends_with_the_month(app, demo_member, clock):
    clock.now = _at(date(2026, 11, 18))
    with app.app_context():
        member = demo_member()
        member.birth_date = date(1956, 12, 10)
        db.session.commit()
        assert issue_card(member).valid_until == date(2026, 12, 31)
