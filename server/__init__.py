"""Shikaku Pass (資格パス): the Flask application factory."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from . import paths


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True, static_folder=None)
    app.config.from_pyfile(paths.DEFAULT_CONFIG)
    if test_config is None:
        if os.environ.get("SHIKAKU_CONFIG"):
            app.config.from_pyfile(os.environ["SHIKAKU_CONFIG"])
        app.config.from_prefixed_env("SHIKAKU")
    else:
        app.config.from_mapping(test_config)
    if "INSTANCE_PATH" in app.config:
        app.instance_path = str(app.config["INSTANCE_PATH"])
    Path(app.instance_path).mkdir(parents=True, exist_ok=True, mode=0o700)
    app.config.setdefault("SQLALCHEMY_DATABASE_URI",
                          f"sqlite:///{Path(app.instance_path) / 'shikaku.sqlite3'}")
    app.config.setdefault("KEY_DIR", str(Path(app.instance_path) / "keys"))

    from . import instance_secrets, logs
    instance_secrets.init_app(app)
    logs.init_app(app)                  # first: its before_request starts every request's clock

    from .extensions import csrf, db, limiter, migrate
    db.init_app(app)
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from .extensions import sqlite_pragmas
    if not event.contains(Engine, "connect", sqlite_pragmas):
        event.listen(Engine, "connect", sqlite_pragmas)
    migrate.init_app(app, db, directory=str(paths.MIGRATIONS), render_as_batch=True)

    _secure_sessions(app)
    csrf.init_app(app)
    limiter.init_app(app)

    from . import views
    views.init_app(app)

    if app.config.get("PROXY_FIX_HOPS"):
        from werkzeug.middleware.proxy_fix import ProxyFix
        hops = int(app.config["PROXY_FIX_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    if app.config.get("AUTO_BOOTSTRAP", True):
        from .dev import bootstrap
        bootstrap.init_app(app)
    return app


def _secure_sessions(app: Flask) -> None:
    """Secure cookies outside development unless configured otherwise (SESSION_COOKIE_SECURE)."""
    if app.config.get("SESSION_COOKIE_SECURE") is None:
        app.config["SESSION_COOKIE_SECURE"] = app.config["ENV"] != "development"
