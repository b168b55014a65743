"""`shikaku members list`."""
import json

import click
from flask.cli import with_appcontext

from ..db import db
from ..models import Insurer, Member


@click.group()
def members():
    """The member register (加入者)."""


@members.command("list")
@click.option("--json", "as_json", is_flag=True, help="print JSON instead of a table")
@with_appcontext
def list_members(as_json):
    """Insurer number, 記号, 番号, 枝番 and name of each member."""
    rows = [{"insurer_number": m.insurer.number, "symbol": m.symbol, "number": m.number,
             "branch": m.branch, "relationship": m.relationship, "name": m.name}
            for m in db.session.scalars(db.select(Member).join(Insurer).order_by(
                Insurer.number, Member.symbol, Member.number, Member.branch))]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    click.echo("保険者番号 記号      番号        枝番 本人/家族 氏名")
    for r in rows:
        click.echo(f"{r['insurer_number']:<10} {r['symbol']:<9} {r['number']:<11} "
                   f"{r['branch'] or '-':<4} {'本人' if r['relationship'] == 1 else '家族':<7} {r['name']}")
