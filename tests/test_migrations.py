"""Migrations on the database under test (SQLite, or PostgreSQL with SHIKAKU_TEST_DATABASE_URL):
from empty to head, the migrated schema equal to the models, down to empty and up again."""
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from server.extensions import db


def _differences():
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_the_migrations_build_exactly_the_models_and_go_down_and_up(make_app, database_url):
    app = make_app(AUTO_BOOTSTRAP=False)
    directory = app.extensions["migrate"].directory
    with app.app_context():
        if database_url:                         # the PostgreSQL copy comes migrated: start empty
            downgrade(directory=directory, revision="base")
        assert "member" not in sa.inspect(db.engine).get_table_names()
        upgrade(directory=directory)
        assert _differences() == []
        downgrade(directory=directory, revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade(directory=directory)
        assert _differences() == []
        db.engine.dispose()


def test_the_embedded_sqlite_runs_in_wal_mode(make_app, database_url):
    """A CLI import writing for seconds does not stop the app from reading (WAL), and a write
    waits for another instead of failing at once (busy_timeout)."""
    if database_url:
        return                                   # PostgreSQL: not applicable
    app = make_app()
    with app.app_context():
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
