"""Audit entries as sentences for people: who did what, when (和暦 and the time, 西暦
beside), to which member — 「令和8年12月1日 10:30（2026-12-01）、clerk@example.jp（担当者）が
𠮷田 太郎さん（記号 1234・番号 5678・枝番 00）の資格喪失を登録しました。」 — with English
below. The entries' stored codes (``member.loss``, Unix time) stay in the database."""
from __future__ import annotations

import json
from dataclasses import dataclass

from ...extensions import db
from ...models import AuditEntry, Member, Staff
from ...register.members import LOSS_REASONS
from ...register.validation import LABELS
from ..display import ROLE_LABELS, timestamp

#: action → (what was done, in Japanese, after 「〇〇さんの」 or alone; English)
ACTIONS = {
    "member.create": ("加入者として登録しました", "enrolled {who}"),
    "member.update": ("登録内容を変更しました", "corrected the details of {who}"),
    "member.loss": ("資格喪失を登録しました", "recorded the loss of eligibility of {who}"),
    "member.re_enrol": ("再加入を登録しました", "re-enrolled {who}"),
    "member.sessions_end": ("会員アプリを全端末でサインアウトしました", "signed {who} out on every device"),
    "member.activate": ("会員アプリの利用を開始しました", "started the member app of {who}"),
    "member.consent": ("限度額適用区分の提供への同意を変更しました", "changed the consent of {who}"),
    "card.issue": ("資格確認書を交付しました", "issued a card to {who}"),
    "card.withdraw": ("資格確認書を回収（無効化）しました", "withdrew a card of {who}"),
    "activation_code.issue": ("資格情報のお知らせ（利用開始コード）を発行しました",
                              "issued a notice with an activation code to {who}"),
    "activation_code.pin": ("暗証番号のお知らせを印刷しました", "printed the activation PIN of {who}"),
    "activation_code.use": ("利用開始コードを使いました", "used the activation code of {who}"),
    "passkey.add": ("パスキーを登録しました", "added a passkey of {who}"),
    "passkey.delete": ("パスキーを削除しました", "deleted a passkey of {who}"),
    "session.end": ("端末をサインアウトしました", "signed out a device of {who}"),
    "session.end_all": ("全端末をサインアウトしました", "signed {who} out everywhere"),
    "insurer.create": ("保険者を追加しました", "added an insurer"),
    "key.rotate": ("署名鍵を更新しました", "rotated a signing key"),
    "key.revoke": ("署名鍵を失効させました", "revoked a signing key"),
    "staff.invite": ("職員を招待しました", "invited a staff member"),
    "staff.create": ("職員アカウントを作成しました", "created a staff account"),
    "staff.disable": ("職員アカウントを無効にしました", "disabled a staff account"),
    "staff.sessions_end": ("職員を全端末でサインアウトしました", "signed a staff member out everywhere"),
    "staff.sign_in": ("サインインしました", "signed in"),
}
FIELD_LABELS = {"insured_person_id": "被保険者", "lost_on": "資格喪失年月日", "loss_reason": "喪失事由"}
WITHDRAW_REASONS = {"loss": "資格喪失のため", "staff": "職員の操作"}


@dataclass(frozen=True)
class Sentence:
    entry: AuditEntry
    when: str          # 和暦 時刻（西暦）
    ja: str
    en: str
    member_id: int | None


def describe(entries: list[AuditEntry], *, names: bool) -> list[Sentence]:
    """One sentence per entry. ``names``: name the members (staff who may open member
    records); otherwise a member is 「加入者 #12」."""
    afters = {e.id: _json(e.after_json) for e in entries}
    member_ids = {_member_of(e, afters[e.id]) for e in entries} - {None}
    members = {m.id: m for m in db.session.scalars(db.select(Member).where(
        Member.id.in_(member_ids)))} if member_ids and names else {}
    staff_ids = {int(e.actor.split(":", 1)[1]) for e in entries
                 if e.actor.startswith("staff:") and e.actor.split(":", 1)[1].isdigit()}
    staff = {s.id: s for s in db.session.scalars(db.select(Staff).where(Staff.id.in_(staff_ids)))
             } if staff_ids else {}
    return [_sentence(e, afters[e.id], members, staff) for e in entries]


def _sentence(entry: AuditEntry, after: dict, members: dict, staff: dict) -> Sentence:
    member_id = _member_of(entry, after)
    when = timestamp(entry.at)
    who_ja, who_en = _actor(entry.actor, staff, members)
    done_ja, done_en = ACTIONS.get(entry.action, (f"操作「{entry.action}」を行いました",
                                                  f"did {entry.action} to {{who}}"))
    if member_id is None:
        ja, en = f"{when}、{who_ja}が{done_ja}", f"{who_en} {done_en.format(who='a record')}"
    elif entry.actor == f"member:{member_id}":           # the member, in the app
        whom_ja, whom_en = _member(member_id, members)
        ja, en = f"{when}、{whom_ja}本人が{done_ja}", f"{whom_en} {done_en.format(who='themselves')}"
    else:
        whom_ja, whom_en = _member(member_id, members)
        ja, en = f"{when}、{who_ja}が{whom_ja}の{done_ja}", f"{who_en} {done_en.format(who=whom_en)}"
    detail = _detail(entry, after)
    return Sentence(entry, when, f"{ja}{'（' + detail + '）' if detail else ''}。", en + ".",
                    member_id)


def _actor(actor: str, staff: dict, members: dict) -> tuple[str, str]:
    kind, _, ident = actor.partition(":")
    if kind == "staff" and ident.isdigit() and int(ident) in staff:
        s = staff[int(ident)]
        return f"{s.email}（{ROLE_LABELS.get(s.role, s.role)}）", s.email
    if kind == "member" and ident.isdigit():
        return _member(int(ident), members)
    if actor == "cli":
        return "管理コマンド（shikaku）", "the shikaku command"
    return actor, actor


def _member(member_id: int, members: dict) -> tuple[str, str]:
    m = members.get(member_id)
    if m is None:
        return f"加入者 #{member_id}", f"member #{member_id}"
    codes = f"記号 {m.symbol or '—'}・番号 {m.number}・枝番 {m.branch or '—'}"
    return f"{m.name}さん（{codes}）", f"{m.name} ({m.symbol or '—'}・{m.number}・{m.branch or '—'})"


def _detail(entry: AuditEntry, after: dict) -> str:
    """What a reader needs beyond the verb: the loss date and reason, the fields changed."""
    from ...register.wareki import format_both, parse_date
    if entry.action == "member.loss" and after.get("lost_on"):
        reason = LOSS_REASONS.get(after.get("loss_reason"), ("その他",))[0]
        return f"資格喪失日 {format_both(parse_date(after['lost_on']))}・事由 {reason}"
    if entry.action == "member.re_enrol" and after.get("acquired_on"):
        return f"資格取得日 {format_both(parse_date(after['acquired_on']))}"
    if entry.action == "member.update":
        before = _json(entry.before_json)
        changed = [FIELD_LABELS.get(k) or LABELS.get(k, k) for k in sorted(set(before) | set(after))
                   if before.get(k) != after.get(k)]
        return f"変更: {'、'.join(changed)}" if changed else ""
    if entry.action == "card.withdraw":
        return WITHDRAW_REASONS.get(after.get("reason"), "")
    return ""


def _member_of(entry: AuditEntry, after: dict) -> int | None:
    if entry.target_type == "member":
        return entry.target_id
    member_id = after.get("member_id")           # cards, activation codes
    return member_id if isinstance(member_id, int) else None


def _json(text: str | None) -> dict:
    value = json.loads(text) if text else {}
    return value if isinstance(value, dict) else {}
