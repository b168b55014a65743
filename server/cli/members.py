"""`shikaku members list`, `search`, `import` and `lose`."""
import json
import sys

import click
from sqlalchemy.exc import InterfaceError, OperationalError
from flask.cli import with_appcontext

from ..extensions import db
from ..models import Insurer, Member
from ..token_core.claims import Relationship
from ..register.csv_import import import_members
from ..register.loss_import import import_losses
from ..register.search_keys import find_members
from .. import clock


@click.group()
def members():
    """The member register (加入者)."""


@members.command("list")
@click.option("--json", "as_json", is_flag=True, help="print JSON instead of a table")
@with_appcontext
def list_members(as_json):
    """Insurer number, 記号, 番号, 枝番 and name of each member."""
    rows = [{"insurer_number": m.insurer.number, "symbol": m.symbol, "number": m.number,
             "branch": m.branch, "relationship": int(m.relationship), "name": m.name}
            for m in db.session.scalars(db.select(Member).join(Insurer).order_by(
                Insurer.number, Member.symbol, Member.number, Member.branch))]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    click.echo("保険者番号 記号      番号        枝番 本人/家族 氏名")
    for r in rows:
        click.echo(f"{r['insurer_number']:<10} {r['symbol']:<9} {r['number']:<11} "
                   f"{r['branch'] or '-':<4} {Relationship(r['relationship']).ja:<7} {r['name']}")


@members.command("search")
@click.argument("text")
@click.option("--insurer", "insurer_number", metavar="NUMBER", help="only this insurer's members")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 1000))
@with_appcontext
def search_command(text, insurer_number, limit):
    """Members found by TEXT as the admin search finds them (記号・番号, or the start of the
    name or フリガナ: 異体字, kana and widths folded), as a JSON array on stdout."""
    where = None
    if insurer_number is not None:
        insurer_id = db.session.scalar(db.select(Insurer.id).where(Insurer.number == insurer_number))
        if insurer_id is None:
            raise click.UsageError(f"登録されていない保険者です / no such insurer: {insurer_number}")
        where = Member.insurer_id == insurer_id
    today = clock.today()
    rows = []
    for m in find_members(text, where=where, limit=limit):
        lost_on = m.eligibility.lost_on if m.eligibility else None
        rows.append({"id": m.id, "insurer_number": m.insurer.number, "symbol": m.symbol,
                     "number": m.number, "branch": m.branch, "name": m.name,
                     "name_kana": m.name_kana, "birth_date": m.birth_date.isoformat(),
                     "status": "lost" if lost_on is not None and lost_on <= today else "active",
                     "lost_on": lost_on.isoformat() if lost_on else None})
    click.echo(json.dumps(rows, ensure_ascii=False, indent=2))


encoding_option = click.option(
    "--encoding", type=click.Choice(["auto", "utf-8", "cp932"], case_sensitive=False),
    default="auto", show_default=True, help="auto: BOM or valid UTF-8 → UTF-8, else CP932 (Shift_JIS)")


def _print_errors(errors, summary: str) -> None:
    """Every row error, then the summary, on stderr; exit status 1."""
    for error in errors:
        click.echo(str(error), err=True)
    click.echo(summary, err=True)
    sys.exit(1)


ACTIONS = {"create": "新規 create", "update": "更新 update", "unchanged": "変更なし unchanged"}


@members.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True))
@click.option("--dry-run", is_flag=True, help="report what would change; write nothing")
@encoding_option
@with_appcontext
def import_command(file, dry_run, encoding):
    """Import members from a CSV FILE (columns: docs/csv-import.md). All rows or none.

    Exit status 0 when imported (or, with --dry-run, when every row is valid), 1 when a
    row is invalid (every error is listed and nothing is written), 2 on usage errors, 3 when
    the database went away during the import (one transaction: nothing half-written).
    """
    with open(file, "rb") as f:
        data = f.read()
    try:
        report = import_members(data, encoding=encoding, dry_run=dry_run)
    except (OperationalError, InterfaceError) as exc:
        # The import is one transaction: cut before its COMMIT, nothing was written; cut during
        # the COMMIT, the database alone knows. Either way a rerun is safe (it is idempotent).
        click.echo(f"データベースとの接続が切れたため、取り込みを完了できませんでした"
                   f"（{type(exc.orig or exc).__name__}）。取り込みは全件か0件かのどちらかで、途中までの"
                   f"書き込みは残りません。もう一度実行してください（同じファイルの再実行で重複はしません） / "
                   f"the database connection was lost during the import: all rows or none were "
                   f"written; run it again (a rerun of the same file creates no duplicates)", err=True)
        sys.exit(3)
    if report.errors:
        _print_errors(report.errors, f"取り込みませんでした: エラー {len(report.errors)}件。"
                      f"何も書き込んでいません / not imported: {len(report.errors)} error(s); "
                      "nothing was written")
    counts = (f"新規 {report.created}件・更新 {report.updated}件・変更なし {report.unchanged}件"
              f"（文字コード {report.encoding}）")
    if dry_run:
        for change in report.changes:     # row numbers and field names only, never values
            fields = f" ({', '.join(change.fields)})" if change.fields else ""
            click.echo(f"row {change.row}: {ACTIONS[change.action]}{fields}")
        click.echo(f"ドライラン（書き込みなし）: {counts} / dry run, nothing written: "
                   f"{report.created} to create, {report.updated} to update, "
                   f"{report.unchanged} unchanged")
    else:
        click.echo(f"取り込みました: {counts} / imported: {report.created} created, "
                   f"{report.updated} updated, {report.unchanged} unchanged "
                   f"(encoding {report.encoding})")


LOSS_ACTIONS = {"lose": "喪失 lose", "unchanged": "変更なし unchanged"}


@members.command("lose")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True))
@click.option("--dry-run", is_flag=True, help="check and count; write nothing")
@encoding_option
@with_appcontext
def lose_command(file, dry_run, encoding):
    """Record the losses (資格喪失) in a CSV FILE: insurer_number, symbol, number, branch,
    lost_on[, reason] (docs/csv-import.md). All rows or none; a rerun changes nothing.

    Exit status 0 when recorded (or, with --dry-run, when every row is valid), 1 when a
    row is invalid (every error is listed and nothing is written), 2 on usage errors.
    """
    with open(file, "rb") as f:
        data = f.read()
    report = import_losses(data, encoding=encoding, dry_run=dry_run, allowed_insurers=None)
    ja, en = report.summary()
    if report.errors:
        _print_errors(report.errors, f"{ja} / {en}")
    if dry_run:
        for change in report.changes:       # row numbers only, never values
            click.echo(f"row {change.row}: {LOSS_ACTIONS[change.action]}")
    click.echo(f"{ja} / {en}")
