"""Work on many rows at once: ``IN (…)`` lists a database takes in one statement."""
from __future__ import annotations

from collections.abc import Iterator, Sequence

#: ids per ``IN (…)`` list: well under SQLite's 32,766 variables and PostgreSQL's 65,535.
IN_LIST = 1000


def chunks(items: Sequence, size: int = IN_LIST) -> Iterator[Sequence]:
    """``items`` in slices of ``size`` (the last one shorter)."""
    for i in range(0, len(items), size):
        yield items[i:i + size]
