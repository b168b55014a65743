"""Where the server finds its files: the default settings, templates, migrations and the
static web apps (``web/``)."""
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_ROOT.parent
WEB_ROOT = REPO_ROOT / "web"
DEFAULT_CONFIG = REPO_ROOT / "config" / "default.py"
MIGRATIONS = PACKAGE_ROOT / "migrations"
