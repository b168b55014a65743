"""`shikaku token issue|verify`."""
import json
import sys

import click
import segno
from flask import current_app
from flask.cli import with_appcontext

from .. import clock
from ..documents.issuance import IssuanceError, issue_token
from ..extensions import db
from ..keys import publishing, status_publishing
from ..keys.lifecycle import KeyManagementError
from ..models import Insurer, Member
from ..token_core import DocumentKind, TrustList, verify
from ..token_core.digits import MAX_INPUT_CHARS
from ..token_core.errors import TrustListError


@click.group()
def token():
    """Issue and verify eligibility tokens (資格トークン)."""


@token.command("issue")
@click.option("--insurer", "insurer_number", required=True, help="保険者番号")
@click.option("--symbol", default="", help="記号 (empty when the insurer has none)")
@click.option("--number", required=True, help="番号")
@click.option("--branch", default="", help="枝番 (two digits, or empty)")
@click.option("--kind", type=click.Choice(["notice", "card"]), default="notice",
              help="notice: phone token (short-lived); card: 資格確認書 (long-lived)")
@click.option("--svg", type=click.Path(dir_okay=False, writable=True), help="write the QR as SVG")
@click.option("--png", type=click.Path(dir_okay=False, writable=True), help="write the QR as PNG")
@with_appcontext
def issue_command(insurer_number, symbol, number, branch, kind, svg, png):
    """Print a member's token text (digits only); optionally write its QR code."""
    member = db.session.scalar(db.select(Member).join(Insurer).where(
        Insurer.number == insurer_number, Member.symbol == symbol, Member.number == number,
        Member.branch == branch))
    if member is None:
        raise click.UsageError(
            f"該当する加入者がいません: no member with insurer {insurer_number}, the given 記号・番号 "
            f"and 枝番 {branch or '(empty)'} (see `shikaku members list`)")
    try:
        issued = issue_token(member, DocumentKind.CARD if kind == "card" else DocumentKind.NOTICE)
    except (IssuanceError, KeyManagementError) as exc:
        raise click.ClickException(f"発行できません: {exc}") from None
    qr = segno.make_qr(issued.text, error="m")
    if svg:
        qr.save(svg, kind="svg", scale=4, border=4)
    if png:
        qr.save(png, kind="png", scale=4, border=4)
    click.echo(issued.text)


@token.command("verify")
@click.argument("text", required=False)
@click.option("--trust-list", "trust_list_file", type=click.File("r"),
              help="verify against this signed trust list instead of the server's current one")
@with_appcontext
def verify_command(text, trust_list_file):
    """Verify a token (TEXT, or standard input) and print the result as JSON.

    Exit status 0 only when the token is valid, 1 otherwise.
    """
    if text is None:
        text = sys.stdin.read(MAX_INPUT_CHARS + 1)
    try:
        trust_list = (TrustList.from_signed(trust_list_file.read(), publishing.anchor_jwk())
                      if trust_list_file else publishing.current_trust_list())
    except TrustListError as exc:
        raise click.UsageError(f"信頼リストを使えません: {exc}") from None
    result = verify(text, trust_list, now=clock.now(), skew=current_app.config["VERIFY_SKEW_SECONDS"],
                    status=status_publishing.state_for(trust_list.status))
    click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    sys.exit(0 if result.valid else 1)
