"""When the database goes away: a 503 never says "not saved" for a change that was committed,
and a restarted PostgreSQL costs no request once it is back (pool_pre_ping).

The outage is real, not a stand-in: PostgreSQL is told to refuse connections to the test's
database and its open connections are cut (as a restart cuts them); SQLite's file is moved away
and a folder put in its place, so no connection opens. Runs on SQLite and, with
SHIKAKU_TEST_DATABASE_URL, on PostgreSQL (bench.faults does the same with real restarts).
"""
from __future__ import annotations

import shutil
import socket
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import jsonify
from sqlalchemy import event
from sqlalchemy.engine import make_url

from server.extensions import db
from server.models import AuditEntry, Member

NOT_SAVED = "保存されませんでした"
UNCONFIRMED = "保存できたか確認できませんでした"


class Outage:
    """The app's database made unreachable (``cut``) and reachable again (``restore``)."""

    def __init__(self, app):
        self.app = app
        self.url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
        self.postgres = self.url.get_backend_name() == "postgresql"
        self.down = False

    def _server(self, *statements: str) -> list:
        engine = sa.create_engine(self.url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                results = [connection.execute(sa.text(s)) for s in statements]
                return [r.all() if r.returns_rows else None for r in results]
        finally:
            engine.dispose()

    def cut(self) -> None:
        name = self.url.database
        if self.postgres:
            self._server(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false',
                         f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
            for _ in range(100):           # until the cut connections are gone
                if not self._server(f"SELECT pid FROM pg_stat_activity WHERE datname = '{name}'")[0]:
                    break
                time.sleep(0.05)
        else:
            path = Path(name)
            self.aside = path.parent / "moved-away"
            self.aside.mkdir()
            for file in path.parent.glob(path.name + "*"):
                shutil.move(file, self.aside / file.name)
            path.mkdir()                       # sqlite3 cannot open a folder
            with self.app.app_context():
                db.engine.dispose()            # pooled connections go; new ones cannot open
        self.down = True

    def restore(self) -> None:
        if not self.down:
            return
        if self.postgres:
            self._server(f'ALTER DATABASE "{self.url.database}" ALLOW_CONNECTIONS true')
        else:
            path = Path(self.url.database)
            path.rmdir()
            for file in self.aside.iterdir():
                shutil.move(file, path.parent / file.name)
            self.aside.rmdir()
        with self.app.app_context():
            db.engine.dispose()
        self.down = False

    def after_next_commit(self) -> None:
        """Cut right after the next COMMIT of the app's session succeeds."""
        event.listen(db.session, "after_commit", self._after_commit, once=True)

    def _after_commit(self, session) -> None:
        self.cut()

    def disarm(self) -> None:
        if event.contains(db.session, "after_commit", self._after_commit):
            event.remove(db.session, "after_commit", self._after_commit)


@pytest.fixture
def outage(app):
    with app.app_context():                    # SQLite: the file exists before it is moved
        db.session.execute(sa.text("SELECT 1"))
    cut = Outage(app)
    yield cut
    cut.disarm()
    cut.restore()


def _consent(app, member_id) -> tuple[bool, int]:
    with app.app_context():
        member = db.session.get(Member, member_id)
        entries = db.session.scalar(db.select(db.func.count(AuditEntry.id)).where(
            AuditEntry.action == "member.consent", AuditEntry.target_id == member_id))
        return member.limit_consent, entries


@pytest.fixture
def kazuo(app):
    """The demo member with a 限度額適用区分 and consent on."""
    with app.app_context():
        member = db.session.scalar(db.select(Member).where(Member.name == "髙橋 和夫"))
        assert member.limit_category and member.limit_consent
        return member.id


def test_a_consent_change_committed_just_before_the_database_goes_away_is_answered_as_saved(
        client, app, as_member, outage, kazuo):
    token = as_member(kazuo)
    outage.after_next_commit()
    response = client.post("/api/v1/me/consent", json={"member": kazuo, "consent": False},
                           headers={"X-CSRFToken": token})
    assert outage.down                       # the database went away after the commit …
    assert response.status_code == 200, response.get_json()   # … and the answer did not need it
    body = response.get_json()
    assert body["id"] == kazuo and body["limit_consent"] is False and body["limit_category"] == "B04"
    outage.restore()
    assert _consent(app, kazuo) == (False, 1)


def test_a_write_that_fails_after_its_commit_says_it_could_not_confirm_never_not_saved(
        client, app, as_member, outage, kazuo):
    """Any write view that reads after committing (here one made for the test): the change is
    saved, so the 503 must not say it was not."""
    @app.post("/api/v1/me/test-commit-then-read")
    def commit_then_read():
        member = db.session.get(Member, kazuo)
        member.limit_consent, member.limit_consent_at = False, None
        db.session.commit()
        return jsonify(name=member.name)     # expired by the commit: a new query

    token = as_member(kazuo)
    outage.after_next_commit()
    response = client.post("/api/v1/me/test-commit-then-read", headers={"X-CSRFToken": token})
    assert outage.down
    body = response.get_json()
    assert response.status_code == 503 and body["error"] == "unconfirmed", body
    assert body["message"].startswith(UNCONFIRMED) and NOT_SAVED not in body["message"]
    assert body["message_en"].startswith("could not confirm")
    assert response.headers["Cache-Control"] == "no-store"
    outage.restore()
    assert _consent(app, kazuo)[0] is False                    # it was saved


def test_a_write_that_never_reached_a_commit_says_not_saved(client, app, as_member, outage, kazuo):
    token = as_member(kazuo)
    outage.cut()
    response = client.post("/api/v1/me/consent", json={"member": kazuo, "consent": False},
                           headers={"X-CSRFToken": token})
    body = response.get_json()
    assert response.status_code == 503 and body["error"] == "unavailable", body
    assert body["message"].startswith("一時的な障害のため" + NOT_SAVED)
    outage.restore()
    assert _consent(app, kazuo) == (True, 0)                   # and it was not


def test_a_read_while_the_database_is_away_says_unavailable_not_saved(client, as_member, outage, kazuo):
    as_member(kazuo)
    outage.cut()
    response = client.get("/api/v1/me/token")
    body = response.get_json()
    assert response.status_code == 503 and body["error"] == "unavailable", body
    assert body["message"].startswith("一時的にご利用いただけません") and "保存" not in body["message"]
    assert body["message_en"] == "temporarily unavailable: please try again shortly"


def test_after_its_connections_were_cut_the_next_request_is_answered(client, app, as_member, outage, kazuo):
    """What a PostgreSQL restart does to the pool: every open connection dies. With
    pool_pre_ping (config/default.py) the next request takes a new one instead of failing."""
    if not outage.postgres:
        pytest.skip("SQLite connections do not die with a server")
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True
    as_member(kazuo)
    assert client.get("/api/v1/me/token").status_code == 200   # the pool holds a connection now
    outage.cut()
    outage._server(f'ALTER DATABASE "{outage.url.database}" ALLOW_CONNECTIONS true')
    outage.down = False                       # connections were cut, the database is back
    response = client.get("/api/v1/me/token")
    assert response.status_code == 200, response.get_json()


def test_a_connection_cut_after_the_answer_was_made_does_not_replace_it_with_a_500(client, app, outage):
    """Seen under bench.faults: a token fetch answered, then PostgreSQL's restart cut the
    connection before the request's transaction was rolled back at teardown; the failed
    ROLLBACK turned the answer into gunicorn's bare 500."""
    if not outage.postgres:
        pytest.skip("an open SQLite connection is not cut by anyone")

    @app.get("/api/v1/test-read-then-cut")
    def read_then_cut():
        members = db.session.scalar(db.select(db.func.count(Member.id)))   # a transaction is open
        outage.cut()                        # and the server ends its connection
        return jsonify(members=members)

    response = client.get("/api/v1/test-read-then-cut")
    assert response.status_code == 200 and response.get_json()["members"] > 0
    outage.restore()
    with app.app_context():                 # the dead connection did not stay in the pool
        assert db.session.scalar(db.select(db.func.count(Member.id))) > 0


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_sign_in_limits_fall_back_to_each_workers_memory_when_redis_is_away(make_app):
    """RATELIMIT_IN_MEMORY_FALLBACK_ENABLED (config/default.py): with the shared store
    unreachable, the sign-in limit still holds (counted in this process), and sign-in still
    works: neither a 500 for everyone (fail closed) nor no limit (fail open)."""
    pytest.importorskip("redis")
    app = make_app(RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{_closed_port()}/0",
                   SIGN_IN_RATE_LIMIT="3 per minute")
    assert app.config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] is True
    client = app.test_client()
    token = client.get("/api/v1/csrf").get_json()["csrf_token"]
    statuses = [client.post("/auth/member/login/options", headers={"X-CSRFToken": token}).status_code
                for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]



def test_an_import_cut_by_the_database_says_so_in_japanese_and_writes_nothing(app, runner, outage, tmp_path):
    """No traceback for the clerk: what happened, that nothing is half-written, and to rerun."""
    from server.cli import main as shikaku
    from server.models import Member
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count()).select_from(Member))
    csv_file = tmp_path / "members.csv"
    csv_file.write_text(
        "insurer_number,symbol,number,branch,relationship,name,name_kana,sex,birth_date,"
        "acquired_on,copay_ratio,copay_from,mynumber_last4\n"
        "06138093,77,1,00,1,山田 花子,ヤマダ ハナコ,2,1990-01-01,2020-04-01,30,2020-04-01,1234\n",
        encoding="utf-8")
    outage.cut()
    result = runner.invoke(shikaku, ["members", "import", str(csv_file)])
    assert result.exit_code == 3, result.output
    assert "接続が切れた" in result.output and "もう一度実行" in result.output
    assert "Traceback" not in result.output
    outage.restore()
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Member)) == before
    rerun = runner.invoke(shikaku, ["members", "import", str(csv_file)])
    assert rerun.exit_code == 0, rerun.output
