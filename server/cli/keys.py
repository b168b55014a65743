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
@with_appcontext
def init_keys():
    """Provision the trust anchor and a signing key of its own for every insurer without one
    (production setup; `shikaku insurers add` does the same for a new insurer)."""
    created = lifecycle.ensure_anchor()
    click.echo("trust anchor: " + ("created" if created else "already present"))
    if not lifecycle.all_insurer_numbers():
        raise click.UsageError("保険者がありません。先に `shikaku insurers add` で登録してください "
                               "(no insurer yet: a signing key is scoped to insurers)")
    records = lifecycle.ensure_keys()
    for record in records:
        click.echo(f"signing key {record.kid} for {' '.join(record.insurers)}")
    if not records:
        click.echo("every insurer has a current signing key; use `shikaku keys rotate`")


@keys.command("rotate")
@click.argument("kid", required=False)
@click.option("--insurer", help="rotate the current keys that sign for this 保険者番号")
@with_appcontext
def rotate(kid, insurer):
    """Make a new key current: KID's, INSURER's, or every current key."""
    try:
        pairs = lifecycle.rotate(kid, insurer=insurer, actor="cli")
    except KeyManagementError as exc:
        raise click.UsageError(str(exc)) from None
    for old, new in pairs:
        click.echo(f"{old.kid} retired (published while its tokens are valid); {new.kid} is current")


@keys.command("revoke")
@click.argument("kid")
@click.option("--no-replace", is_flag=True, help="do not make a new key for the same insurers")
@click.confirmation_option(prompt="Revoking withdraws trust in every token this key signed. Continue?")
@with_appcontext
def revoke(kid, no_replace):
    """Compromise: remove KID from the trust list at once and destroy it; a new key for the
    same insurers takes over (other insurers' keys are untouched)."""
    try:
        record, replacement = lifecycle.revoke(kid, replace=not no_replace, actor="cli")
    except KeyManagementError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"{record.kid} revoked; it is absent from the next trust list")
    if replacement:
        click.echo(f"{replacement.kid} is current for {' '.join(replacement.insurers)}; "
                   f"reissue the 資格確認書 cards signed by {record.kid}")
    uncovered = sorted(set(record.insurers) - {n for k in lifecycle.current_keys() for n in k.insurers})
    if uncovered:
        click.echo(f"warning: no current signing key for {' '.join(uncovered)}; run `shikaku keys init`",
                   err=True)


@click.command("trust-list")
@with_appcontext
def trust_list():
    """Print the signed trust list (JWS, flattened JSON)."""
    click.echo(publishing.current().document)
