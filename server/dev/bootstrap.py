"""First start of the embedded development default.

Creates (or upgrades) the schema, the trust-anchor key and a first signing key, and
the demo insurer and members (`shikaku run` then prints the URLs). Runs only when ENV is
"development": a production server never invents members, and its schema and keys
are provisioned by command (`shikaku db upgrade`, `shikaku keys init`).
"""
from __future__ import annotations

import click
from flask import Flask
from flask_migrate import upgrade

from ..auth import staff_accounts
from ..extensions import db
from ..keys import lifecycle
from ..models import Insurer
from . import demo


def init_app(app: Flask) -> None:
    if app.config["ENV"] != "development":
        return
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        first_start = db.session.scalar(db.select(Insurer).limit(1)) is None
        if first_start and app.config["DEMO_DATA"]:
            demo.seed()
        lifecycle.ensure_anchor()
        lifecycle.ensure_keys()
        if first_start and not app.config.get("TESTING"):
            click.echo("資格パス: 初回起動 — demo data and keys created in "
                       f"{app.instance_path}", err=True)
            if app.config["DEMO_DATA"]:
                link = staff_accounts.invite("admin@example.jp", "admin", lifecycle.all_insurer_numbers(),
                                             invited_by="bootstrap")
                click.echo(f"  保険者の管理者（デモの全保険者）の招待リンク / insurer admin invitation "
                           f"(one-time): {link}", err=True)
                link = staff_accounts.invite("operator@example.jp", "operator", invited_by="bootstrap")
                click.echo(f"  運用者の招待リンク / operator invitation (one-time): {link}", err=True)


def print_urls(app: Flask) -> None:
    base = app.config["PUBLIC_URL"].rstrip("/")
    for label, path in [("トップ / Home", "/"), ("会員アプリ / Member app", "/app/"),
                        ("保険者の管理画面 / Insurer admin", "/admin/"),
                        ("医療機関の確認画面 / Clinic verifier", "/clinic/"),
                        ("信頼リスト / Trust list", "/api/v1/trust-list"),
                        ("発行者の公開鍵 / Issuer keys", "/.well-known/jwks.json")]:
        click.echo(f"  {label}: {base}{path}", err=True)
