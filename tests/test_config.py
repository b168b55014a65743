"""Configuration: development invents demo data; production never does."""
import pytest

from server import create_app
from server.extensions import db
from server.instance_secrets import ConfigurationError
from server.models import Member, SigningKeyRecord


def test_development_first_start_creates_schema_demo_data_and_keys(app):
    with app.app_context():
        members = db.session.scalars(db.select(Member)).all()
        assert len(members) >= 4
        assert any("𠮷" in m.name for m in members)
        insured = [m for m in members if m.relationship == 1]
        assert any(m.dependents for m in insured)
        assert db.session.scalars(db.select(SigningKeyRecord)).all()


def test_restart_does_not_duplicate_demo_data(make_app):
    make_app()
    app = make_app()
    with app.app_context():
        assert len(db.session.scalars(db.select(Member)).all()) == 7      # two demo insurers


def test_production_never_invents_members_or_keys(tmp_path):
    instance = tmp_path / "prod"
    app = create_app({"ENV": "production", "DEMO_DATA": True, "INSTANCE_PATH": instance,
                      "SECRET_KEY": "x" * 32, "REVOCATION_SECRET": "00" * 32, "ACTIVATION_SECRET": "11" * 32,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'prod.sqlite3'}"})
    assert not (tmp_path / "prod.sqlite3").exists() or (tmp_path / "prod.sqlite3").stat().st_size == 0
    assert not (instance / "keys").exists()
    runner = app.test_cli_runner()
    from server.cli import main
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    with app.app_context():
        assert db.session.scalars(db.select(Member)).all() == []


def test_production_requires_configured_secrets(tmp_path):
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app({"ENV": "production", "INSTANCE_PATH": tmp_path})


def test_settings_come_from_shikaku_environment_variables(monkeypatch, tmp_path):
    monkeypatch.setenv("SHIKAKU_NOTICE_TOKEN_DAYS", "3")
    monkeypatch.setenv("SHIKAKU_INSTANCE_PATH", str(tmp_path / "env"))
    app = create_app()
    assert app.config["NOTICE_TOKEN_DAYS"] == 3
    assert app.instance_path == str(tmp_path / "env")


def test_production_keys_are_provisioned_by_command(tmp_path):
    from server.cli import main
    from server.models import Insurer
    app = create_app({"ENV": "production", "INSTANCE_PATH": tmp_path / "prod",
                      "SECRET_KEY": "x" * 32, "REVOCATION_SECRET": "00" * 32, "ACTIVATION_SECRET": "11" * 32,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'prod.sqlite3'}"})
    runner = app.test_cli_runner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    assert runner.invoke(main, ["keys", "init"]).exit_code == 2       # no insurer to scope a key to
    with app.app_context():
        db.session.add(Insurer(number="39130000", name="東京都後期高齢者医療広域連合"))
        db.session.commit()
    result = runner.invoke(main, ["keys", "init"])
    assert result.exit_code == 0 and "signing key" in result.output and "39130000" in result.output
    listed = runner.invoke(main, ["trust-list"])
    assert listed.exit_code == 0 and "signature" in listed.output
