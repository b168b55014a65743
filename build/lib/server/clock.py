"""The server's clock, injectable: tests set config["CLOCK"] to a callable."""
import time
from datetime import date, datetime, timedelta, timezone
from datetime import time as time_of_day

from flask import current_app

JST = timezone(timedelta(hours=9), "JST")


def now() -> int:
    """Seconds since the epoch."""
    clock = current_app.config.get("CLOCK")
    return int(clock() if clock else time.time())


def today() -> date:
    """Today in Japan (eligibility dates are Japanese calendar dates)."""
    return datetime.fromtimestamp(now(), JST).date()


def start_of_day(day: date) -> int:
    """00:00 JST of ``day``, in seconds since the epoch."""
    return int(datetime.combine(day, time_of_day(0), JST).timestamp())
