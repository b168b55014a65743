"""Household rules (世帯): an insured person (本人) and the dependents (家族) who share their
記号・番号. Plain values in, at most one FieldError out, so that the admin forms (through
``members``) and the CSV import ask exactly the same questions of the same facts.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..token_core.claims import Relationship
from .validation import FieldError


@dataclass(frozen=True)
class InsuredPerson:
    """The household's 本人 as these rules see them (in the register, in a CSV file or both)."""
    lost_on: date | None = None


def problem(*, relationship: Relationship, lost_on: date | None, insured: InsuredPerson | None,
            current: Relationship | None = None, is_new: bool, by_import: bool = False,
            has_dependents: bool = False, moves_household: bool = False) -> FieldError | None:
    """The first household rule that ``relationship`` breaks, or None.

    ``insured`` is the household's 本人 other than the member themself (None when there is
    none); ``current`` the member's relationship in the register (None for a new member);
    ``has_dependents``/``moves_household``: an existing 本人 with 家族 whose 記号・番号 change.
    """
    if current is not None and current != relationship:
        if by_import:
            return FieldError("relationship",
                              "本人・家族の区分は取り込みでは変更できません（管理画面で変更してください）",
                              "本人/家族 cannot change by import; use the admin pages")
        if current is Relationship.INSURED:
            return FieldError("relationship",
                              "本人を家族に変更することはできません（新しい資格として登録してください）",
                              "an insured person cannot become a dependent; enrol anew")
    if relationship is Relationship.INSURED:
        if insured is not None:
            return FieldError("relationship", "この記号・番号には本人が登録済みです",
                              "an insured person with this 記号・番号 already exists")
        if has_dependents and moves_household:
            return FieldError("number", "家族がいる本人の記号・番号は変更できません",
                              "an insured person with dependents keeps their 記号・番号")
        return None
    if insured is None:
        if by_import:
            return FieldError("relationship", "同じ記号・番号の本人が台帳にもファイルにもありません",
                              "no insured person (本人) with this 記号・番号 in the register or the file")
        return FieldError("relationship", "家族の前に、同じ記号・番号の本人を登録してください",
                          "register the insured person (本人) with this 記号・番号 first")
    if insured.lost_on is not None and is_new:
        return FieldError("relationship", "被保険者（本人）は資格を喪失しています",
                          "the insured person has lost eligibility")
    if insured.lost_on is not None and lost_on is None:
        return FieldError("lost_on", "本人が資格を喪失しているため、家族にも資格喪失年月日が必要です",
                          "the insured person has lost eligibility: a dependent needs a loss date too")
    return None

