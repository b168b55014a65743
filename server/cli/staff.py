"""`shikaku staff invite|disable|list` and `shikaku insurers add|list`."""
import click
from flask import current_app
from flask.cli import with_appcontext

from ..auth import staff_accounts
from ..auth.staff_accounts import StaffError, invite
from ..extensions import db
from ..keys import lifecycle
from ..models import ROLES, Insurer, Staff
from ..register import audit
from ..register.insurer_numbers import problem


@click.group()
def staff():
    """Insurer staff accounts (passkey sign-in only)."""


@staff.command("invite")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), default="clerk", show_default=True)
@with_appcontext
def invite_command(email, role):
    """Print a one-time, expiring link that registers EMAIL's first passkey."""
    try:
        link = invite(email, role, invited_by="cli")
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
    for s in db.session.scalars(db.select(Staff).order_by(Staff.id)):
        state = "disabled" if s.disabled_at else "active"
        click.echo(f"{s.id:>4} {s.role:<6} {state:<8} {s.email}")


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
    reason = problem(number)
    if reason:
        raise click.UsageError(f"保険者番号: {reason[0]} ({reason[1]})")
    if db.session.scalar(db.select(Insurer).where(Insurer.number == number)):
        raise click.UsageError(f"保険者番号 {number} は登録済みです (already registered)")
    record = Insurer(number=number, name=name.strip(), phone=(phone or "").strip()[:40] or None)
    db.session.add(record)
    db.session.flush()
    audit.record("insurer.create", record, after={"number": number, "name": record.name})
    db.session.commit()
    click.echo(f"保険者 {number} を登録しました")
    if lifecycle.has_anchor() and not any(number in k.insurers for k in lifecycle.current_keys()):
        key = lifecycle.create_key([number])
        click.echo(f"signing key {key.kid} created for {number}")


@insurers.command("list")
@with_appcontext
def list_insurers():
    for i in db.session.scalars(db.select(Insurer).order_by(Insurer.number)):
        click.echo(f"{i.number} {i.name}")
