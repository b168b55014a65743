"""Shikaku Pass (資格パス): the Flask application factory."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

REPO_ROOT = Path(__file__).resolve().parent.parent
WEB_ROOT = REPO_ROOT / "web"


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True, static_folder=None)
    app.config.from_pyfile(REPO_ROOT / "config" / "default.py")
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

    from . import secrets
    secrets.init_app(app)

    from .db import db, migrate
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"),
                     render_as_batch=True)

    _secure_sessions(app)
    from . import display
    display.init_app(app)
    from flask_wtf.csrf import CSRFProtect
    CSRFProtect(app)
    from .limits import limiter
    limiter.init_app(app)

    from . import admin, api, ceremonies, clinic, home, member_api, member_pages
    app.register_blueprint(admin.bp)
    app.register_blueprint(member_pages.bp)
    app.register_blueprint(ceremonies.bp)
    app.register_blueprint(member_api.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(api.well_known)
    app.register_blueprint(clinic.bp)
    app.register_blueprint(home.bp)

    if app.config.get("AUTO_BOOTSTRAP", True):
        from . import bootstrap
        bootstrap.init_app(app)
    return app


def _secure_sessions(app: Flask) -> None:
    """Secure cookies outside development unless configured otherwise (SESSION_COOKIE_SECURE)."""
    if app.config.get("SESSION_COOKIE_SECURE") is None:
        app.config["SESSION_COOKIE_SECURE"] = app.config["ENV"] != "development"
