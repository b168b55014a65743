"""What a signed-in staff member may see: the insurers in their scope.

An operator's scope is every insurer (``insurer_ids`` None); a clerk's or an insurer admin's
is the insurers they were invited for. Views ask the scope, never the role, whether a record
is theirs; a record outside it is answered as if it did not exist (404), so staff of one
insurer cannot even learn which ids the others' members have.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import true

from ..models import INSURER_ROLES, Staff, staff_insurer


@dataclass(frozen=True)
class Scope:
    insurer_ids: frozenset[int] | None          # None: every insurer
    numbers: frozenset[str] | None

    @classmethod
    def of(cls, staff: Staff) -> Scope:
        if staff.is_operator:
            return cls(None, None)
        return cls(frozenset(i.id for i in staff.insurers), frozenset(i.number for i in staff.insurers))

    @property
    def everything(self) -> bool:
        return self.insurer_ids is None

    def covers(self, insurer_id: int | None) -> bool:
        return self.everything or insurer_id in self.insurer_ids

    def covers_numbers(self, numbers) -> bool:
        """Every one of ``numbers`` is in scope (a key or a staff member of several insurers
        is seen only by someone whose scope holds them all)."""
        numbers = set(numbers)
        return self.everything or (bool(numbers) and numbers <= self.numbers)

    def where(self, column):
        """A filter keeping rows whose insurer ``column`` is in scope."""
        return true() if self.everything else column.in_(self.insurer_ids)

    def staff_filter(self):
        """Staff visible in this scope: everyone for an operator; else insurer staff all of
        whose insurers are in scope (never an operator)."""
        if self.everything:
            return true()
        inside = staff_insurer.select().with_only_columns(staff_insurer.c.staff_id).where(
            staff_insurer.c.insurer_id.in_(self.insurer_ids))
        outside = staff_insurer.select().with_only_columns(staff_insurer.c.staff_id).where(
            staff_insurer.c.insurer_id.not_in(self.insurer_ids))
        return Staff.role.in_(INSURER_ROLES) & Staff.id.in_(inside) & Staff.id.not_in(outside)
