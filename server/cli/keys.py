"""`shikaku keys list|init|rotate|revoke` and `shikaku trust-list`."""
from datetime import datetime

import click
from flask.cli import with_appcontext

from .. import clock
from ..clock import JST
from ..extensions import db
from ..keys import lifecycle, publishing
from ..keys.lifecycle import KeyManagementError
from ..models import SigningKeyRecord


@click.group()
def keys():
    """Trust anchor and token-signing keys (発行鍵)."""


def _when(ts):
    return datetime.fromtimestamp(ts, JST).strftime("%Y-%m-%d %H:%M") if ts else "-"


@keys.command("list")
@with_appcontext
def list_keys():
    """List signing keys with their state, scope and validity."""
    now = clock.now()
    records = db.session.scalars(db.select(SigningKeyRecord).order_by(SigningKeyRecord.id)).all()
    click.echo(f"{'kid':<8} {'state':<8} {'signs from':<16} {'signs until':<16} "
               f"{'published until':<16} insurers")
    for r in records:
        until = "-" if r.signs_until is None else _when(r.tokens_valid_until or r.signs_until)
        click.echo(f"{r.kid:<8} {r.state(now):<8} {_when(r.signs_from):<16} "
                   f"{_when(r.signs_until):<16} {until:<16} {' '.join(r.insurers)}")


@keys.command("init")
@click.option("--insurer", "insurers", multiple=True,
              help="insurer number the first key may sign for (default: every insurer)")
@with_appcontext
def init_keys(insurers):
    """Provision the trust anchor and a first signing key (production setup)."""
    created = lifecycle.ensure_anchor()
    click.echo("trust anchor: " + ("created" if created else "already present"))
    if lifecycle.current_keys():
        click.echo("a current signing key already exists; use `shikaku keys rotate`")
        return
    scope = list(insurers) or lifecycle.all_insurer_numbers()
    try:
        record = lifecycle.create_key(scope)
    except KeyManagementError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"signing key {record.kid} for {' '.join(record.insurers)}")


@keys.command("rotate")
@click.argument("kid", required=False)
@with_appcontext
def rotate(kid):
    """Make a new key current (all current keys, or KID's scope)."""
    try:
        pairs = lifecycle.rotate(kid)
    except KeyManagementError as exc:
        raise click.UsageError(str(exc)) from None
    for old, new in pairs:
        click.echo(f"{old.kid} retired (published while its tokens are valid); {new.kid} is current")


@keys.command("revoke")
@click.argument("kid")
@click.confirmation_option(prompt="Revoking withdraws trust in every token this key signed. Continue?")
@with_appcontext
def revoke(kid):
    """Compromise drill: remove KID from the trust list at once and destroy it."""
    try:
        record = lifecycle.revoke(kid)
    except KeyManagementError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"{record.kid} revoked; it is absent from the next trust list")
    if not lifecycle.current_keys():
        click.echo("warning: no current signing key is left; run `shikaku keys init`", err=True)


@click.command("trust-list")
@with_appcontext
def trust_list():
    """Print the signed trust list (JWS, flattened JSON)."""
    click.echo(publishing.current().document)
