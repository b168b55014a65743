"""`shikaku print notices`: a batch of 資格情報のお知らせ as one HTML file to print (a page
per member, each with a new 利用開始コード), as the admin pages' batch printing does."""
import sys

import click
from flask import current_app, render_template, url_for
from flask.cli import with_appcontext

from .. import clock
from ..auth.scope import Scope
from ..documents import printing
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


@print_group.command("notices")
@click.option("--search", "q", metavar="WORDS", help="members found by these words (記号 番号, name or kana), as the admin search")
@click.option("--import-batch", "batch_id", type=int, metavar="ID", help="the members of one CSV import")
@click.option("--enrolled-on", "day", metavar="DATE", help="everyone enrolled in the register that day (2026-11-30, R8.11.30)")
@click.option("--insurer", "insurer_number", metavar="NUMBER", help="only this insurer's members (保険者番号)")
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
        found, title = search(q.strip()[:100], scope=scope), "検索結果"
    elif batch_id is not None:
        found, title = printing.members_of_import(batch_id, where), f"CSV取込 #{batch_id}"
        if found is None:
            _fail("その番号のCSV取込はありません", f"no import batch {batch_id}")
    else:
        try:
            when = parse_date(day)
        except ValueError:
            _fail("--enrolled-on: 日付として読めません（例: 2026-11-30、R8.11.30）",
                  "--enrolled-on: not a date (e.g. 2026-11-30)")
        found, title = printing.members_enrolled_on(when, where), f"{format_both(when)}に登録"
    batch = printing.batch_notices(found, clock.now(), lang)
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        html = render_template("print/notices.html", batch=batch, title=title, lang=lang,
                               languages=printing.LANGUAGES, back_url="", standalone=True)
        link = f'<link rel="stylesheet" href="{url_for("admin.static", filename="print.css")}">'
    # the file stands alone: its styles inside (the templates never hold inline styles: CSP)
    css = (WEB_ROOT / "admin" / "print.css").read_text(encoding="utf-8")
    html = html.replace(link, f"<style>\n{css}</style>", 1)
    with open(out, "w", encoding="utf-8") as f:
        f.write(html)
    skipped = f"・資格喪失のため発行しなかった加入者 {batch.skipped}名" if batch.skipped else ""
    click.echo(f"{len(batch.notices)}件のお知らせを書き出しました（新しい利用開始コード {len(batch.notices)}件）"
               f"{skipped} / wrote {len(batch.notices)} notice(s) with new activation codes to {out}"
               + (f"; {batch.skipped} member(s) who lost eligibility skipped" if batch.skipped else ""))
