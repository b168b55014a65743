"""Household rules (本人 and 家族) over plain values: one failing case per rule, and the
register and the CSV import giving the same answer for the same facts."""
from datetime import date

import pytest

from server.register import household
from server.register.household import InsuredPerson
from server.token_core.claims import Relationship

INSURED, DEPENDENT = Relationship.INSURED, Relationship.DEPENDENT
LOST = InsuredPerson(lost_on=date(2026, 3, 31))


@pytest.mark.parametrize("facts, field, ja", [
    (dict(relationship=INSURED, lost_on=None, insured=InsuredPerson(), is_new=True),
     "relationship", "この記号・番号には本人が登録済みです"),
    (dict(relationship=DEPENDENT, lost_on=None, insured=None, is_new=True),
     "relationship", "家族の前に、同じ記号・番号の本人を登録してください"),
    (dict(relationship=DEPENDENT, lost_on=None, insured=None, is_new=True, by_import=True),
     "relationship", "同じ記号・番号の本人が台帳にもファイルにもありません"),
    (dict(relationship=DEPENDENT, lost_on=None, insured=LOST, is_new=True),
     "relationship", "被保険者（本人）は資格を喪失しています"),
    (dict(relationship=DEPENDENT, lost_on=None, insured=LOST, is_new=False, current=DEPENDENT),
     "lost_on", "本人が資格を喪失しているため、家族にも資格喪失年月日が必要です"),
    (dict(relationship=DEPENDENT, lost_on=None, insured=InsuredPerson(), is_new=False, current=INSURED),
     "relationship", "本人を家族に変更することはできません（新しい資格として登録してください）"),
    (dict(relationship=INSURED, lost_on=None, insured=None, is_new=False, current=DEPENDENT,
          by_import=True),
     "relationship", "本人・家族の区分は取り込みでは変更できません（管理画面で変更してください）"),
    (dict(relationship=INSURED, lost_on=None, insured=None, is_new=False, current=INSURED,
          has_dependents=True, moves_household=True),
     "number", "家族がいる本人の記号・番号は変更できません"),
])
def test_each_rule_names_its_field(facts, field, ja):
    broken = household.problem(**facts)
    assert (broken.field, broken.ja) == (field, ja)
    assert broken.en


@pytest.mark.parametrize("facts", [
    dict(relationship=INSURED, lost_on=None, insured=None, is_new=True),
    dict(relationship=DEPENDENT, lost_on=None, insured=InsuredPerson(), is_new=True),
    dict(relationship=DEPENDENT, lost_on=date(2026, 3, 31), insured=LOST, is_new=False, current=DEPENDENT),
    dict(relationship=INSURED, lost_on=None, insured=None, is_new=False, current=DEPENDENT),
    dict(relationship=INSURED, lost_on=None, insured=None, is_new=False, current=INSURED,
         has_dependents=True, moves_household=False),
])
def test_a_sound_household_passes(facts):
    assert household.problem(**facts) is None
