"""Printing: the 資格情報のお知らせ (with a fresh activation code) and the 資格確認書 card.

Both pages carry personal data (and the notice a one-time code), so they are sent with
``Cache-Control: no-store``. The notice is the answer to a POST because printing it
issues a new 利用開始コード, which replaces the previous one.
"""
from __future__ import annotations

from flask import (
    flash,
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
from . import bp, records

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
    view = printing.notice_view(member, issued, clock.now())
    return _private(render_template("print/notice.html", refused=False, v=view, m=member,
                                    back_url=url_for("admin.member", member_id=member.id)))


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
