"""Where the server finds its files: the default settings, templates, migrations and the
static web apps.

All of them are package data, so an installed wheel (``pip install .``) serves every page
from any working directory. In a checkout, ``server/web`` and ``server/config`` are links to
the top-level ``web/`` and ``config/`` folders, which is where they are edited; the wheel
holds copies. Settings files of a deployment are named by ``SHIKAKU_CONFIG``.
"""
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent
WEB_ROOT = PACKAGE_ROOT / "web"
DEFAULT_CONFIG = PACKAGE_ROOT / "config" / "default.py"
MIGRATIONS = PACKAGE_ROOT / "migrations"
TEMPLATES = PACKAGE_ROOT / "templates"
