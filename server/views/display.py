"""Jinja filters for people: 和暦 with 西暦 beside, labels for codes."""
from datetime import date, datetime

from ..clock import JST
from ..register.wareki import format_both, format_wareki

SEX = {1: ("男", "male"), 2: ("女", "female"), 3: ("未設定", "unset")}
RELATIONSHIP = {1: ("本人", "insured person"), 2: ("家族", "dependent")}
LIMIT = {"A01": "ア", "A02": "イ", "A03": "ウ", "A04": "エ", "A05": "オ", "A06": "オ（境）",
         "B01": "現役並みⅢ", "B02": "現役並みⅡ", "B03": "現役並みⅠ", "B04": "一般",
         "B05": "低所得Ⅱ", "B06": "低所得Ⅰ", "B07": "低所得Ⅰ（老福）", "B08": "低所得Ⅰ（境）",
         "B09": "一般Ⅱ", "B10": "一般Ⅰ"}


def wareki_both(day: date | None) -> str:
    return format_both(day) if day else "—"


def timestamp(ts: int | None) -> str:
    if not ts:
        return "—"
    moment = datetime.fromtimestamp(ts, JST)
    return f"{format_wareki(moment.date())} {moment:%H:%M}（{moment:%Y-%m-%d}）"


def audit_changes(entry) -> str:
    """"field: before → after" lines for an audit entry."""
    import json
    before = json.loads(entry.before_json) if entry.before_json else {}
    after = json.loads(entry.after_json) if entry.after_json else {}
    lines = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new:
            lines.append(f"{key}: {'—' if old is None else old} → {'—' if new is None else new}"
                         if entry.before_json else f"{key}: {new}")
    return "\n".join(lines)


def init_app(app) -> None:
    app.jinja_env.filters.update(
        wareki=lambda d: format_wareki(d) if d else "—", wareki_both=wareki_both,
        timestamp=timestamp, audit_changes=audit_changes,
        sex=lambda v: SEX.get(v, ("—", ""))[0], relationship=lambda v: RELATIONSHIP.get(v, ("—", ""))[0],
        ratio=lambda v: f"{v // 10}割" if v else "—",
        limit=lambda v: f"{v} {LIMIT.get(v, '')}" if v else "—")
