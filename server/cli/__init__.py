"""The `shikaku` command: Flask's own commands (run, shell, routes, db) plus ours."""
import os

import click
from flask.cli import FlaskGroup, ScriptInfo, run_command


def _create_app():
    from .. import create_app
    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app)
def main():
    """資格パス Shikaku Pass — server and administration commands."""


@main.command("run", params=run_command.params, help=run_command.help,
              context_settings=run_command.context_settings, with_appcontext=False)
@click.pass_context
def run(ctx, **options):
    from ..dev.bootstrap import print_urls
    # Links (and the WebAuthn origin) follow the port we listen on, unless configured.
    os.environ.setdefault("SHIKAKU_PUBLIC_URL", f'"http://localhost:{options.get("port") or 5000}"')
    app = ctx.ensure_object(ScriptInfo).load_app()
    click.echo("資格パス Shikaku Pass:", err=True)
    print_urls(app)
    ctx.invoke(run_command, **options)


from . import clinic, keys, members, printing, staff, tokens  # noqa: E402  (register the command groups)

main.add_command(keys.keys)
main.add_command(keys.trust_list)
main.add_command(members.members)
main.add_command(tokens.token)
main.add_command(staff.staff)
main.add_command(staff.insurers)
main.add_command(clinic.clinic_group)
main.add_command(printing.print_group)
