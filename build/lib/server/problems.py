"""Errors for people. A service that refuses something raises a Problem: a machine code and
the reason in Japanese and English, never the submitted value. The edge turns it into the
one JSON error shape or an error page (server/views/errors.py), the CLI into a message."""
from __future__ import annotations


class Problem(Exception):
    """Something a person asked for cannot be done; ``status`` is the HTTP answer."""
    status = 400

    def __init__(self, code: str, ja: str, en: str, *, status: int | None = None, **extra):
        super().__init__(f"{ja} ({en})")
        self.code, self.ja, self.en, self.extra = code, ja, en, extra
        if status is not None:
            self.status = status

    @property
    def message(self) -> str:
        """Japanese first, English beside: for pages and the command line."""
        return f"{self.ja} ({self.en})"
