"""`shikaku staff invite|disable|list` and `shikaku insurers add|list`."""
import click
from flask import current_app
from flask.cli import with_appcontext

from ..auth import staff_accounts
from ..auth.staff_accounts import StaffError, invite
from ..extensions import db
from ..models import ROLES, Insurer, Staff
from ..register import insurers as insurers_register
from ..register.validation import ValidationError


@click.group()
def staff():
    """Insurer staff accounts (passkey sign-in only)."""


@staff.command("invite")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), default="clerk", show_default=True,
              help="clerk: members and notices; admin: + imports, keys, staff of its insurers; "
                   "operator: insurers, keys and staff of every insurer, no member records")
@click.option("--insurer", "insurers", default="", metavar="N[,N…]",
              help="the 保険者番号 a clerk or admin works for (required for them, not for an operator)")
@with_appcontext
def invite_command(email, role, insurers):
    """Print a one-time, expiring link that registers EMAIL's first passkey."""
    try:
        link = invite(email, role, insurers.replace("，", ",").split(","), invited_by="cli")
    except StaffError as exc:
        raise click.UsageError(exc.message) from None
    hours = current_app.config["STAFF_INVITE_HOURS"]
    click.echo(f"招待リンク（1回限り・{hours}時間有効） one-time link, valid {hours} hours:\n{link}")


@staff.command("disable")
@click.argument("email")
@with_appcontext
def disable_command(email):
    """Disable EMAIL's account: it cannot sign in, and every session of it ends now."""
    account = db.session.scalar(db.select(Staff).where(Staff.email == email.strip().lower()))
    if account is None:
        raise click.UsageError(f"職員 {email} は登録されていません (no such staff member)")
    try:
        staff_accounts.disable(account, actor="cli")
    except StaffError as exc:
        raise click.UsageError(exc.message) from None
    click.echo(f"{account.email}: 無効にしました disabled (every session ended)")


@staff.command("list")
@with_appcontext
def list_staff():
    """Every staff account: id, role, state, email and the insurers it works for."""
    for s in db.session.scalars(db.select(Staff).order_by(Staff.id)):
        state = "disabled" if s.disabled_at else "active"
        scope = "*" if s.is_operator else ",".join(s.insurer_numbers) or "-"
        click.echo(f"{s.id:>4} {s.role:<8} {state:<8} {s.email} {scope}")


@click.group()
def insurers():
    """Insurers (保険者) in this register."""


@insurers.command("add")
@click.argument("number")
@click.argument("name")
@click.option("--phone", help="the telephone members call (told when an activation code locks)")
@with_appcontext
def add_insurer(number, name, phone):
    """Register insurer NUMBER (保険者番号) with NAME (保険者名称); give it a signing key."""
    try:
        record, key = insurers_register.add_insurer(number, name, phone)
    except ValidationError as exc:
        raise click.UsageError("; ".join(f"{e.label}: {e.ja} ({e.en})" for e in exc.errors)) from None
    click.echo(f"保険者 {record.number} を登録しました")
    if key:
        click.echo(f"signing key {key.kid} created for {record.number}")


@insurers.command("list")
@with_appcontext
def list_insurers():
    """Every insurer: 保険者番号 and 保険者名称."""
    for i in db.session.scalars(db.select(Insurer).order_by(Insurer.number)):
        click.echo(f"{i.number} {i.name}")
