"""The member register: create, update, loss of eligibility → revocation, re-enrolment,
資格確認書 cards. Every write is whole or not at all and leaves one audit entry."""
import json
from datetime import date, datetime, time, timedelta

import pytest
from pins import TEST_PIN

from server.clock import JST
from server.documents import activation_codes, cards
from server.documents.activation_codes import ActivationError
from server.documents.issuance import IssuanceError, issue_token
from server.extensions import db
from server.keys import publishing
from server.models import (
    ActivationCode,
    AuditEntry,
    CopayRatio,
    Eligibility,
    EligibilityCard,
    Member,
    RevocationEntry,
)
from server.register import members
from server.register.revocation_ids import card_revocation_id, revocation_id
from server.register.validation import ValidationError, validate_member
from server.token_core import DocumentKind, Status

NEW_HOUSEHOLD = {
    "insurer_number": "06138093", "symbol": "2000", "number": "777", "branch": "00",
    "relationship": "1", "name": "佐藤 一郎", "name_kana": "サトウ イチロウ", "sex": "1",
    "birth_date": "1975-01-01", "acquired_on": "2020-04-01", "copay_ratio": "30",
    "mynumber_last4": "1111",
}
TARO = {
    "insurer_number": "06138093", "symbol": "1234", "number": "5678", "branch": "00",
    "relationship": "1", "name": "𠮷田 太郎", "name_kana": "ヨシダ タロウ", "sex": "1",
    "birth_date": "1980-05-15", "acquired_on": "2015-04-01", "copay_ratio": "30",
    "copay_from": "2015-04-01", "mynumber_last4": "4821",
}
WRITTEN = (Member, Eligibility, CopayRatio, AuditEntry, RevocationEntry, EligibilityCard)


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def written() -> dict:
    return {model.__name__: count(model) for model in WRITTEN}


def audit_entries(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == action)
                                   .order_by(AuditEntry.id)))


def published_revocations() -> set[bytes]:
    return set(publishing.current_trust_list().revocations)


@pytest.fixture(autouse=True)
def app_context(app):
    with app.app_context():
        yield


@pytest.fixture
def today(clock) -> date:
    return datetime.fromtimestamp(clock.now, JST).date()


@pytest.fixture
def member_input(today):
    """A validated row: a new household by default, overridden field by field."""
    def make(base=NEW_HOUSEHOLD, **overrides):
        return validate_member({**base, **overrides}, today=today)
    return make


@pytest.fixture
def check(clock):
    """Verify a token against the trust list served next, at the frozen now."""
    def run(text):
        return publishing.verify_now(text, now=clock.now)
    return run


@pytest.fixture
def household(demo_member):
    """𠮷田 太郎 (本人) and his dependents 花子 (01) and 陽菜 (02)."""
    return [demo_member(branch=b) for b in ("00", "01", "02")]


@pytest.fixture
def loss(household, today, clock):
    """Issue the household phone tokens, a minute later record 太郎's loss as of today (his
    family's follows); returns 太郎's token."""
    token = issue_token(household[0])
    for dependent in household[1:]:
        issue_token(dependent)
    clock.advance(60)
    affected = members.record_loss(household[0], today, "retirement")
    return token, affected


# -- create -------------------------------------------------------------------

def test_create_member_writes_member_eligibility_ratio_and_one_audit_entry(member_input):
    before = written()
    member = members.create_member(member_input())
    assert (member.insurer.number, member.symbol, member.number, member.branch) == (
        "06138093", "2000", "777", "00")
    assert (member.relationship, member.name, member.birth_date) == (1, "佐藤 一郎", date(1975, 1, 1))
    [eligibility] = member.eligibilities
    assert (eligibility.acquired_on, eligibility.lost_on) == (date(2020, 4, 1), None)
    [ratio] = member.copay_ratios
    assert (ratio.ratio, ratio.effective_from) == (30, date(2020, 4, 1))
    assert written() == {**before, "Member": before["Member"] + 1,
                         "Eligibility": before["Eligibility"] + 1,
                         "CopayRatio": before["CopayRatio"] + 1,
                         "AuditEntry": before["AuditEntry"] + 1}
    [entry] = audit_entries("member.create")
    assert (entry.target_type, entry.target_id, entry.before_json) == ("member", member.id, None)
    assert json.loads(entry.after_json)["name"] == "佐藤 一郎"


def test_a_dependent_joins_the_insured_person_with_the_same_symbol_and_number(member_input):
    insured = members.create_member(member_input())
    dependent = members.create_member(member_input(branch="01", relationship="2",
                                                    name="佐藤 二郎", birth_date="2010-01-01"))
    assert dependent.insured_person is insured and insured.dependents == [dependent]


@pytest.mark.parametrize(("overrides", "field"), [
    pytest.param({"branch": "01", "relationship": "2"}, "relationship", id="dependent-without-insured"),
    pytest.param({"symbol": "1234", "number": "5678", "branch": "03"}, "relationship",
                 id="second-insured-person"),
    pytest.param({"symbol": "1234", "number": "5678", "branch": "01", "relationship": "2"}, "branch",
                 id="duplicate-symbol-number-branch"),
    pytest.param({"insurer_number": "33120015"}, "insurer_number", id="insurer-not-in-register"),
])
def test_create_member_refused_writes_nothing(member_input, overrides, field):
    data = member_input(**overrides)
    before = written()
    with pytest.raises(ValidationError) as caught:
        members.create_member(data)
    assert [e.field for e in caught.value.errors] == [field]
    db.session.rollback()
    assert written() == before


# -- update -------------------------------------------------------------------

def test_update_without_a_change_writes_no_audit_entry(household, member_input):
    before = written()
    assert members.update_member(household[0], member_input(TARO)) == {}
    assert written() == before


def test_update_with_a_change_records_before_and_after(household, member_input):
    changed = members.update_member(household[0], member_input(TARO, name_kana="ヨシダ タロ",
                                                                mynumber_last4="0001"))
    assert changed == {"name_kana": ("ヨシダ タロウ", "ヨシダ タロ"),
                       "mynumber_last4": ("4821", "0001")}
    [entry] = audit_entries("member.update")
    before, after = json.loads(entry.before_json), json.loads(entry.after_json)
    assert (before["name_kana"], after["name_kana"]) == ("ヨシダ タロウ", "ヨシダ タロ")
    assert (before["mynumber_last4"], after["mynumber_last4"]) == ("4821", "0001")
    assert entry.target_id == household[0].id and household[0].mynumber_last4 == "0001"


# -- loss of eligibility → revocation -------------------------------------------

def test_loss_of_the_insured_person_ends_the_dependents_eligibility_too(household, loss, today):
    _, affected = loss
    assert affected == household
    taro, hanako, hina = household
    assert (taro.eligibility.lost_on, taro.eligibility.loss_reason) == (today, "retirement")
    for dependent in (hanako, hina):
        assert (dependent.eligibility.lost_on, dependent.eligibility.loss_reason) == (
            today, "insured_person_lost")


@pytest.mark.token_version(1)      # revocation ids; version 2: test_status_lists_server.py
def test_loss_is_in_the_next_trust_list_for_all_three(household, loss):
    ids = {revocation_id(m.eligibility) for m in household}
    assert len(ids) == 3
    stored = {bytes.fromhex(e.revocation_id) for e in db.session.scalars(
        db.select(RevocationEntry).where(RevocationEntry.reason == "loss"))}
    assert stored == ids
    assert ids <= published_revocations()


def test_loss_writes_an_audit_entry_per_person(household, loss):
    entries = audit_entries("member.loss")
    assert sorted(e.target_id for e in entries) == sorted(m.id for m in household)
    for entry in entries:
        assert json.loads(entry.before_json)["lost_on"] is None
        assert json.loads(entry.after_json)["lost_on"] is not None


def test_a_token_issued_before_the_loss_is_revoked(loss, check):
    token, _ = loss
    assert check(token.text).status is Status.REVOKED


@pytest.mark.parametrize("branch", ["00", "01", "02"])
def test_no_token_is_issued_after_the_loss(loss, demo_member, branch):
    with pytest.raises(IssuanceError) as caught:
        issue_token(demo_member(branch=branch))
    assert caught.value.code == "not_eligible"


@pytest.mark.token_version(1)      # revocation ids; version 2: test_status_lists_server.py
def test_re_enrolment_gets_a_fresh_revocation_id(household, loss, today, check):
    taro = household[0]
    old_id = revocation_id(taro.eligibility)
    members.re_enrol(taro, today)
    assert len(taro.eligibilities) == 2 and taro.eligibility.lost_on is None
    assert revocation_id(taro.eligibility) != old_id
    token = issue_token(taro)
    assert old_id in published_revocations()
    assert check(token.text).status is Status.VALID
    assert [e.target_id for e in audit_entries("member.re_enrol")] == [taro.id]


def test_a_loss_recorded_twice_is_refused(household, loss, today):
    before = written()
    with pytest.raises(ValidationError) as caught:
        members.record_loss(household[0], today, "retirement")
    assert [e.field for e in caught.value.errors] == ["lost_on"]
    assert written() == before


def test_a_loss_before_acquisition_is_refused(household):
    taro = household[0]
    before = written()
    with pytest.raises(ValidationError) as caught:
        members.record_loss(taro, taro.eligibility.acquired_on - timedelta(days=1), "retirement")
    assert [e.field for e in caught.value.errors] == ["lost_on"]
    db.session.rollback()
    assert written() == before and taro.eligibility.lost_on is None


def test_the_loss_invalidates_active_activation_codes(household, today):
    taro, hanako, _ = household
    codes = [activation_codes.issue(m) for m in (taro, hanako)]
    members.record_loss(taro, today, "retirement")
    for issued, member in zip(codes, (taro, hanako)):
        assert db.session.get(ActivationCode, issued.record.id).invalidated_at is not None
        with pytest.raises(ActivationError):
            activation_codes.check(issued.code, member.birth_date, TEST_PIN)


@pytest.mark.token_version(1)      # revocation ids; version 2: test_status_lists_server.py
def test_the_loss_withdraws_an_active_card(household, today, check):
    card = cards.issue_card(household[0])
    members.record_loss(household[0], today, "retirement")
    assert card.status == "withdrawn"
    assert card_revocation_id(card) in published_revocations()
    assert check(card.token).status is Status.REVOKED


# -- 資格確認書 ----------------------------------------------------------------

def test_a_card_carries_a_valid_token_of_kind_card(household, check):
    card = cards.issue_card(household[0])
    result = check(card.token)
    assert result.status is Status.VALID
    assert result.claims.kind is DocumentKind.CARD and result.claims.kind == 2
    assert result.claims.name == "𠮷田 太郎"
    [entry] = audit_entries("card.issue")
    assert entry.target_id == card.id and card.status == "active"


def test_withdrawing_a_card_revokes_the_card_only(household, check):
    taro = household[0]
    phone = issue_token(taro)
    card = cards.issue_card(taro)
    cards.withdraw_card(card)
    assert card_revocation_id(card) != revocation_id(taro.eligibility)
    assert check(card.token).status is Status.REVOKED
    assert check(phone.text).status is Status.VALID
    [entry] = audit_entries("card.withdraw")
    assert entry.target_id == card.id and card.status == "withdrawn"


def test_a_withdrawn_card_cannot_be_withdrawn_again(household):
    card = cards.issue_card(household[0])
    cards.withdraw_card(card)
    before = written()
    with pytest.raises(ValidationError):
        cards.withdraw_card(card)
    assert written() == before


def test_a_70_to_74_year_olds_card_runs_to_the_next_july_31(demo_member, check):
    card = cards.issue_card(demo_member(number="91"))      # 髙橋 和夫, born 1954-03-10: 72
    assert card.valid_until == date(2027, 7, 31)
    result = check(card.token)
    assert result.status is Status.VALID
    assert result.claims.expires_at == int(datetime.combine(date(2027, 8, 1), time(0), JST).timestamp())


def test_a_younger_members_card_runs_for_the_configured_validity(household, app, today):
    card = cards.issue_card(household[0])
    assert card.valid_until == today + timedelta(days=app.config["CARD_VALIDITY_DAYS"] - 1)


@pytest.mark.token_version(1)      # revocation ids; version 2: test_status_lists_server.py
def test_a_loss_recorded_ahead_takes_effect_on_its_date(household, check, clock, today):
    taro = household[0]
    token = issue_token(taro)
    members.record_loss(taro, today + timedelta(days=3), "retirement")
    assert check(token.text).status is Status.VALID           # still eligible until then
    assert revocation_id(taro.eligibility) not in published_revocations()
    clock.now = int(datetime.combine(today + timedelta(days=3), time(0), JST).timestamp())
    assert revocation_id(taro.eligibility) in published_revocations()
    assert check(token.text).status is Status.REVOKED


def test_no_dependent_for_an_insured_person_who_lost_eligibility(household, member_input, today):
    members.record_loss(household[0], today, "retirement")
    before = written()
    with pytest.raises(ValidationError) as error:
        members.create_member(member_input(TARO, branch="05", relationship="2", name="𠮷田 五郎",
                                            name_kana="ヨシダ ゴロウ", mynumber_last4=""))
    assert [e.field for e in error.value.errors] == ["relationship"]
    db.session.rollback()
    assert written() == before
