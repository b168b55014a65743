"""`shikaku clinic export DIR`: the clinic verifier as plain static files, to host anywhere."""
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..views import clinic


@click.group("clinic")
def clinic_group():
    """The clinic verifier (医療機関の確認画面)."""


@clinic_group.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--trust-list-url", help="where the page fetches the trust list (default: this server's)")
@with_appcontext
def export(directory: Path, trust_list_url):
    """Write the verifier to DIRECTORY (clinic/, shared/, vendor/) with its config.json:
    the pinned trust anchor and the trust-list URL. Serve DIRECTORY's root from any
    static host; the trust-list URL must allow CORS (this server's does)."""
    if trust_list_url:
        current_app.config["CLINIC_TRUST_LIST_URL"] = trust_list_url
    verifier = clinic.offline_app
    # Everything the worker precaches (its shared rules and config.json among them), and itself.
    paths = [*verifier.precache_paths(), verifier.worker_url]
    for path in paths:
        target = directory / (path.lstrip("/") + ("index.html" if path.endswith("/") else ""))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(verifier.contents(path))
    click.echo(f"{len(paths)} files written to {directory} (trust list: {clinic.trust_list_url()})")
