"""The Flask extensions, created unbound and attached in ``create_app``: the database
(Flask-SQLAlchemy) and its migrations (Flask-Migrate), rate limits (Flask-Limiter) and
CSRF protection for cookie-authenticated writes (Flask-WTF)."""
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()

#: Rate limits on the endpoints a guesser would hammer: activation and sign-in. Wrong
#: activation codes cannot be counted against any code, so they are counted against the
#: client's address instead.
limiter = Limiter(key_func=get_remote_address)


def sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """The embedded SQLite in WAL mode, so a long CLI import does not stop the app from
    reading, and writers wait up to 5 s for each other instead of failing at once."""
    import sqlite3
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()
