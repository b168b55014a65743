"""From the register to signed claims: who gets a token, for how long, with what."""
import secrets
from datetime import date, datetime

import pytest

from server.clock import JST
from server.documents.issuance import IssuanceError, issue_token
from server.extensions import db
from server.models import Eligibility
from server.token_core import DocumentKind


def _day(ts: int) -> date:
    return datetime.fromtimestamp(ts, JST).date()


def test_notice_token_carries_the_register(app, demo_member):
    with app.app_context():
        member = demo_member(branch="02")
        claims = issue_token(member).claims
        assert (claims.insurer_number, claims.symbol, claims.number, claims.branch) == (
            "06138093", "1234", "5678", "02")
        assert claims.name == "𠮷田 陽菜" and claims.relationship == 2
        assert claims.copay_ratio == 20 and claims.birth_date == date(2021, 6, 1)
        assert claims.kind is DocumentKind.NOTICE and claims.limit_category is None


def test_limit_category_only_with_consent(app, demo_member):
    with app.app_context():
        elder = demo_member(number="91")
        assert issue_token(elder).claims.limit_category == "B04"
        elder.limit_consent = False
        db.session.commit()
        assert issue_token(elder).claims.limit_category is None


def test_card_for_a_70_to_74_year_old_runs_to_july_31(app, demo_member, clock):
    with app.app_context():
        claims = issue_token(demo_member(number="91"), DocumentKind.CARD).claims
    assert _day(claims.expires_at) == date(2027, 8, 1)     # valid through 2027-07-31 (JST)


def test_card_validity_is_configurable_and_capped_at_five_years(make_app, demo_member, clock):
    app = make_app(CARD_VALIDITY_DAYS=365 * 10)
    with app.app_context():
        claims = issue_token(demo_member(), DocumentKind.CARD).claims
    assert _day(claims.expires_at) <= date(2031, 11, 19)


def test_no_token_after_loss_of_eligibility(app, demo_member, clock):
    with app.app_context():
        member = demo_member()
        member.eligibility.lost_on = _day(clock.now)
        db.session.commit()
        with pytest.raises(IssuanceError) as error:
            issue_token(member)
        assert error.value.code == "not_eligible" and "資格がありません" in error.value.message


def test_a_planned_loss_caps_the_expiry(app, demo_member, clock):
    with app.app_context():
        member = demo_member()
        member.eligibility.lost_on = date(2026, 11, 20)
        db.session.commit()
        claims = issue_token(member).claims
    assert _day(claims.expires_at) == date(2026, 11, 20)
    assert claims.expires_at < clock.now + 7 * 86400


@pytest.mark.token_version(1)
def test_revocation_id_is_stable_and_fresh_after_re_enrolment(app, demo_member, clock):
    with app.app_context():
        member = demo_member()
        first = issue_token(member).claims.revocation_id
        assert issue_token(member).claims.revocation_id == first
        assert issue_token(demo_member(branch="01")).claims.revocation_id != first
        member.eligibility.lost_on = date(2026, 1, 1)
        member.eligibilities.append(Eligibility(acquired_on=date(2026, 4, 1),
                                                revocation_seed=secrets.token_bytes(16)))
        db.session.commit()
        again = issue_token(member).claims
        assert again.revocation_id != first and again.acquired_on == date(2026, 4, 1)
