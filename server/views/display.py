"""Jinja filters for people: 和暦 with 西暦 beside, labels for codes."""
from datetime import date, datetime

from ..clock import JST
from ..register.wareki import format_both, format_wareki
from ..token_core.claims import Copay, Relationship, Sex

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


def _label(codes):
    """A filter: the code's Japanese label (codes as the token core defines them)."""
    return lambda value: "—" if value is None else codes(value).ja


ROLE_LABELS = {"clerk": "担当者", "admin": "管理者", "operator": "運用者"}


def init_app(app) -> None:
    app.jinja_env.globals["enums"] = {"Relationship": Relationship, "Sex": Sex, "Copay": Copay}
    app.jinja_env.filters.update(
        wareki=lambda d: format_wareki(d) if d else "—", wareki_both=wareki_both,
        timestamp=timestamp, audit_changes=audit_changes, role_label=lambda r: ROLE_LABELS.get(r, r),
        sex=_label(Sex), relationship=_label(Relationship), ratio=_label(Copay),
        limit=lambda v: f"{v} {LIMIT.get(v, '')}" if v else "—")
