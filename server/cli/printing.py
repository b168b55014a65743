"""`shikaku print notices` / `print pins`: a batch of 資格情報のお知らせ (a page per member,
each with a new 利用開始コード), or of their 暗証番号のお知らせ (sent apart), as one HTML file to
print, as the admin pages' batch printing does."""
import sys

import click
from flask import current_app, render_template, url_for
from flask.cli import with_appcontext

from .. import clock
from ..auth.scope import Scope
from ..documents import activation_codes, printing
from ..extensions import db
from ..models import Insurer, Member
from ..paths import WEB_ROOT
from ..register.wareki import format_both, parse_date


@click.group("print")
def print_group():
    """Printed documents (印刷)."""


def _fail(ja: str, en: str) -> None:
    click.echo(f"{ja} / {en}", err=True)
    sys.exit(2)


_SELECTION = [
    click.option("--search", "q", metavar="WORDS", help="members found by these words (記号 番号, name or kana), as the admin search"),
    click.option("--import-batch", "batch_id", type=int, metavar="ID", help="the members of one CSV import"),
    click.option("--enrolled-on", "day", metavar="DATE", help="everyone enrolled in the register that day (2026-11-30, R8.11.30)"),
    click.option("--insurer", "insurer_number", metavar="NUMBER", help="only this insurer's members (保険者番号)"),
]


def selection_options(command):
    for option in reversed(_SELECTION):
        command = option(command)
    return command


def _selected(q, batch_id, day, insurer_number) -> tuple[list[Member], str]:
    """The members of exactly one of --search, --import-batch, --enrolled-on (exit 2 else)."""
    if sum(x is not None for x in (q, batch_id, day)) != 1:
        _fail("--search・--import-batch・--enrolled-on のどれか1つを指定してください",
              "give exactly one of --search, --import-batch, --enrolled-on")
    where = None
    if insurer_number:
        insurer = db.session.scalar(db.select(Insurer).where(Insurer.number == insurer_number))
        if insurer is None:
            _fail("登録されていない保険者です", f"no insurer {insurer_number} in this register")
        where = Member.insurer_id == insurer.id
    if q is not None:
        from ..views.admin.members import search
        scope = Scope(frozenset([insurer.id]), frozenset([insurer_number])) if insurer_number \
            else Scope(None, None)
        return search(q.strip()[:100], scope=scope), "検索結果"
    if batch_id is not None:
        found = printing.members_of_import(batch_id, where)
        if found is None:
            _fail("その番号のCSV取込はありません", f"no import batch {batch_id}")
        return found, f"CSV取込 #{batch_id}"
    try:
        when = parse_date(day)
    except ValueError:
        _fail("--enrolled-on: 日付として読めません（例: 2026-11-30、R8.11.30）",
              "--enrolled-on: not a date (e.g. 2026-11-30)")
    return printing.members_enrolled_on(when, where), f"{format_both(when)}に登録"


def _write(out: str, template: str, **context) -> None:
    """Render a print template to a file that stands alone: its styles inside (the templates
    never hold inline styles: CSP), no toolbar."""
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        html = render_template(template, back_url="", standalone=True, **context)
        link = f'<link rel="stylesheet" href="{url_for("admin.static", filename="print.css")}">'
    css = (WEB_ROOT / "admin" / "print.css").read_text(encoding="utf-8")
    html = html.replace(link, f"<style>\n{css}</style>", 1)
    with open(out, "w", encoding="utf-8") as f:
        f.write(html)


@print_group.command("notices")
@selection_options
@click.option("--lang", type=click.Choice(["ja", "en"]), default="ja", show_default=True,
              help="the notice's language")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True),
              help="the HTML file to write (print it from a browser: one notice per page)")
@with_appcontext
def notices(q, batch_id, day, insurer_number, lang, out):
    """Print the notices of a selection — exactly one of --search, --import-batch,
    --enrolled-on — to one HTML file, in order of insurer, 記号, 番号, 枝番. Each member gets a
    new activation code (their earlier code stops working); all codes are issued in one
    transaction. Members who lost eligibility are skipped. Exit status 2 on usage errors."""
    found, title = _selected(q, batch_id, day, insurer_number)
    batch = printing.batch_notices(found, clock.now(), lang)
    _write(out, "print/notices.html", batch=batch, title=title, lang=lang, languages=printing.LANGUAGES)
    skipped = f"・資格喪失のため発行しなかった加入者 {batch.skipped}名" if batch.skipped else ""
    click.echo(f"{len(batch.notices)}件のお知らせを書き出しました（新しい利用開始コード {len(batch.notices)}件）"
               f"{skipped} / wrote {len(batch.notices)} notice(s) with new activation codes to {out}"
               + (f"; {batch.skipped} member(s) who lost eligibility skipped" if batch.skipped else ""))


@print_group.command("pins")
@selection_options
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True),
              help="the HTML file to write (one PIN sheet per page)")
@with_appcontext
def pins(q, batch_id, day, insurer_number, out):
    """Print the 暗証番号のお知らせ of a selection (as for `print notices`) to one HTML file,
    to send apart from the notices: a new PIN for each member's live activation code, all in
    one transaction. Members without a usable code are left out (print their notice first)."""
    found, title = _selected(q, batch_id, day, insurer_number)
    sheets, skipped = activation_codes.reissue_pins(printing.in_print_order(found))
    _write(out, "print/pins.html", sheets=sheets, skipped=skipped, title=title)
    click.echo(f"{len(sheets)}件の暗証番号のお知らせを書き出しました"
               + (f"・使える利用開始コードのない加入者 {skipped}名は除外" if skipped else "")
               + f" / wrote {len(sheets)} PIN sheet(s) to {out}"
               + (f"; {skipped} member(s) without a usable code left out" if skipped else ""))
