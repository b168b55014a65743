"""Column types: an integer code in the database, its enum in Python."""
from __future__ import annotations

import enum

from sqlalchemy import CheckConstraint, Integer
from sqlalchemy.types import TypeDecorator


class IntEnumType(TypeDecorator):
    """Stores an ``enum.IntEnum`` as its integer code (the official code: 1 本人, 2 家族 …)
    and reads it back as the enum member; a value outside the enum is refused on write."""
    impl = Integer
    cache_ok = True

    def __init__(self, enum_class: type[enum.IntEnum]):
        super().__init__()
        self.enum_class = enum_class

    def process_bind_param(self, value, dialect):
        return None if value is None else int(self.enum_class(value))

    def process_result_value(self, value, dialect):
        return None if value is None else self.enum_class(value)


def one_of(column: str, enum_class: type[enum.IntEnum], name: str) -> CheckConstraint:
    """The database refuses any other code too (also for writes that bypass the models)."""
    return CheckConstraint(f"{column} IN ({', '.join(str(int(c)) for c in enum_class)})", name=name)
