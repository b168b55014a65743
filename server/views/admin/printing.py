"""Printing: the 資格情報のお知らせ (with a fresh activation code) and the 資格確認書 card;
a batch of notices (search results, one CSV import, everyone enrolled on a day) as one print
job, in Japanese or English.

Both pages carry personal data (and the notice a one-time code), so they are sent with
``Cache-Control: no-store``. The notice is the answer to a POST because printing it
issues a new 利用開始コード, which replaces the previous one.
"""
from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)

from ... import clock
from ...auth.staff_session import requires
from ...documents import activation_codes, cards, printing
from ...documents.issuance import IssuanceError
from ...extensions import db
from ...keys.lifecycle import KeyManagementError
from ...models import Member
from ...register.validation import ValidationError
from ...register.wareki import format_both, parse_date
from . import bp, records
from .members import search

_member, _card = records.member, records.card


def _private(body, status: int = 200):
    """Personal data and one-time codes: never cached, never indexed, no referrer."""
    response = make_response(body, status)
    response.headers["Pragma"] = "no-cache"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.post("/members/<id:member_id>/notice")
@requires("register")
def print_notice(member_id):
    member = _member(member_id)
    if printing.lost_eligibility(member, clock.today()):
        return _private(render_template(
            "print/notice.html", refused=True, m=member,
            lost_on=printing.wareki(member.eligibility.lost_on if member.eligibility else None),
            back_url=url_for("admin.member", member_id=member.id)), 409)
    issued = activation_codes.issue(member)
    view = printing.notice_view(member, issued, clock.now(), printing.language(request.form.get("lang")))
    return _private(render_template("print/notice.html", refused=False, v=view, m=member,
                                    back_url=url_for("admin.member", member_id=member.id)))


@bp.post("/notices")
@requires("register")
def print_notices():
    """A batch of notices in one print job: ``selection`` "search" (``q``, as the search
    page found them), "import" (``batch``: one CSV import) or "enrolled" (``day``: everyone
    enrolled that day); the staff member's insurers only. Each gets a new code, all in one
    transaction. ``kind=pins``: their 暗証番号のお知らせ instead (a new PIN for each live
    code, to send apart from the notices)."""
    selection, lang = request.form.get("selection", ""), printing.language(request.form.get("lang"))
    in_scope = g.scope.where(Member.insurer_id)
    back = url_for("admin.index")
    if selection == "search":
        q = "".join(ch for ch in request.form.get("q", "") if ch.isprintable() or ch == "\u3000").strip()[:100]
        if not q:
            return _refuse("検索語がありません", "no search words", back)
        found, title = search(q, scope=g.scope), "検索結果"
    elif selection == "import":
        batch_id = request.form.get("batch", "")
        found = printing.members_of_import(int(batch_id), in_scope) if batch_id.isdigit() else None
        if not found:          # none, or none of this staff member's insurers: alike
            abort(404)
        title, back = f"CSV取込 #{batch_id}", url_for("admin.import_page")
    elif selection == "enrolled":
        try:
            day = parse_date(request.form.get("day", ""))
        except ValueError:
            return _refuse("登録日: 日付を入力してください（例: 2026-11-30、R8.11.30）",
                           "enrolled on: enter a date (e.g. 2026-11-30)", back)
        found, title = printing.members_enrolled_on(day, in_scope), f"{format_both(day)}に登録した加入者"
    else:
        return _refuse("印刷する加入者の選び方を指定してください", "choose which members to print", back)
    limit = current_app.config["PRINT_BATCH_LIMIT"]
    if len(found) > limit:     # one browser print job; a bigger run is the CLI's (a file)
        return _refuse(f"一度に印刷できるのは{limit:,}件までです（{len(found):,}件）。"
                       "それより多いときは shikaku print notices でファイルに出力してください",
                       f"at most {limit:,} notices per print job ({len(found):,} chosen); "
                       "use shikaku print notices for more", back)
    if request.form.get("kind") == "pins":
        sheets, skipped = activation_codes.reissue_pins(printing.in_print_order(found))
        return _private(render_template("print/pins.html", sheets=sheets, skipped=skipped,
                                        title=title, back_url=back))
    batch = printing.batch_notices(found, clock.now(), lang)
    return _private(render_template("print/notices.html", batch=batch, title=title, lang=lang,
                                    languages=printing.LANGUAGES, back_url=back))


def _refuse(ja: str, en: str, back: str):
    flash(f"{ja} ({en})", "error")
    return redirect(back)


@bp.post("/members/<id:member_id>/pin")
@requires("register")
def print_pin(member_id):
    """暗証番号のお知らせ: a new PIN for the live code, on its own sheet, to be sent
    apart from the notice (ACTIVATION_PIN_DELIVERY)."""
    member = _member(member_id)
    try:
        pin = activation_codes.reissue_pin(member)
    except activation_codes.ActivationError:
        flash("有効な利用開始コードがありません。先に資格情報のお知らせを印刷してください "
              "No live activation code: print the notice first", "error")
        return redirect(url_for("admin.member", member_id=member.id))
    return _private(render_template("print/pin.html", m=member, pin=pin,
                                    back_url=url_for("admin.member", member_id=member.id)))


@bp.post("/members/<id:member_id>/cards")
@requires("register")
def issue_card(member_id):
    member = _member(member_id)
    try:
        card = cards.issue_card(member)
    except (IssuanceError, KeyManagementError) as exc:
        db.session.rollback()
        flash(f"資格確認書を発行できません: {getattr(exc, 'message', exc)}", "error")
        return redirect(url_for("admin.member", member_id=member.id))
    flash("資格確認書を発行しました Card issued")
    return redirect(url_for("admin.print_card", card_id=card.id))


@bp.get("/cards/<id:card_id>/print")
@requires("register")
def print_card(card_id):
    card = _card(card_id)
    member = db.session.get(Member, card.member_id)
    view = printing.card_view(card, member, clock.now())
    return _private(render_template("print/card.html", v=view, card=card, m=member,
                                    back_url=url_for("admin.member", member_id=member.id)))


@bp.post("/cards/<id:card_id>/withdraw")
@requires("register")
def withdraw_card(card_id):
    card = _card(card_id)
    reason = request.form.get("reason", "").strip()[:200] or "withdrawn"
    try:
        cards.withdraw_card(card, reason)
    except ValidationError as exc:
        db.session.rollback()
        for e in exc.errors:
            flash(f"{e.ja} ({e.en})", "error")
    else:
        flash("資格確認書を回収済みにしました（次の信頼リストで無効になります） Card withdrawn")
    return redirect(url_for("admin.member", member_id=card.member_id))
