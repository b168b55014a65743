"""Key life cycle: files 0600, rotation overlap, revocation at once, scope."""
import stat
from pathlib import Path

import pytest

from server.documents.issuance import issue_token
from server.keys import lifecycle, publishing
from server.keys.lifecycle import KeyManagementError
from server.token_core import Status


def test_private_keys_are_files_readable_only_by_the_server(app):
    key_dir = Path(app.config["KEY_DIR"])
    files = sorted(p.name for p in key_dir.iterdir())
    assert "trust-anchor.pem" in files and any(f.startswith("signing-") for f in files)
    for path in key_dir.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    assert stat.S_IMODE(key_dir.stat().st_mode) == 0o700


def test_keys_encrypted_at_rest_with_a_passphrase(make_app):
    app = make_app(KEY_PASSPHRASE="correct horse battery staple")
    pem = (Path(app.config["KEY_DIR"]) / "trust-anchor.pem").read_text()
    assert "ENCRYPTED PRIVATE KEY" in pem
    with app.app_context():
        assert publishing.current_trust_list().keys   # the server still signs with it


def test_rotation_keeps_the_old_key_until_its_tokens_expire(app, clock, demo_member):
    with app.app_context():
        old_token = issue_token(demo_member())
        [(old, new)] = lifecycle.rotate(insurer="06138093")
        old_kid, new_kid = old.kid, new.kid
        new_token = issue_token(demo_member())
        trust_list = publishing.current_trust_list()
        assert publishing.verify_now(old_token.text, now=clock.now).status is Status.VALID
        assert publishing.verify_now(new_token.text, now=clock.now).status is Status.VALID
    assert new_token.text != old_token.text
    # The key's mark runs an hour ahead of its last token (one write per key per hour, not
    # one per token): published until then, gone after.
    clock.now = old_token.claims.expires_at + 1
    with app.app_context():
        kids = [k.kid.hex() for k in publishing.current_trust_list().keys]
        assert old_kid in kids and new_kid in kids
    clock.now = old_token.claims.expires_at + lifecycle.NOTE_SIGNED_AHEAD + 1
    with app.app_context():
        kids = [k.kid.hex() for k in publishing.current_trust_list().keys]
        assert old_kid not in kids and new_kid in kids


def test_a_token_issued_after_rotation_by_the_old_key_is_refused(app, clock, demo_member):
    from server.documents.issuance import claims_for
    from server.keys import store
    from server.token_core import DocumentKind, issue
    with app.app_context():
        issue_token(demo_member())
        [(old, _)] = lifecycle.rotate(insurer="06138093")
        clock.advance(3600)
        forged = issue(claims_for(demo_member(), DocumentKind.NOTICE, clock.now),
                       store.signing_key(bytes.fromhex(old.kid)))
        result = publishing.verify_now(forged, now=clock.now)
    assert result.status is Status.KEY_NOT_FOR_INSURER


def test_revoking_a_key_removes_trust_at_once_and_destroys_it(app, clock, demo_member):
    with app.app_context():
        token = issue_token(demo_member())
        kid = lifecycle.key_for("06138093")[0].kid
        _, replacement = lifecycle.revoke(kid)
        result = publishing.verify_now(token.text, now=clock.now)
        assert lifecycle.key_for("06138093")[0].kid == replacement.kid     # signs from now on
        assert publishing.verify_now(issue_token(demo_member()).text, now=clock.now).status is Status.VALID
    assert result.status is Status.UNKNOWN_KEY
    assert not list(Path(app.config["KEY_DIR"]).glob(f"signing-{kid}.pem"))


def test_revoking_without_replacement_leaves_the_insurer_without_a_key(app):
    with app.app_context():
        lifecycle.revoke(lifecycle.key_for("06138093")[0].kid, replace=False)
        with pytest.raises(KeyManagementError):
            lifecycle.key_for("06138093")
        assert lifecycle.key_for("06270888")          # the other insurer's key is untouched


def test_a_key_signs_only_within_its_insurer_scope(app):
    with app.app_context(), pytest.raises(KeyManagementError, match="39130000"):
        lifecycle.key_for("39130000")


def test_a_key_needs_an_insurer_in_scope(app):
    with app.app_context(), pytest.raises(KeyManagementError):
        lifecycle.create_key([])


def test_a_new_signing_key_never_takes_a_kid_already_in_use(app, monkeypatch):
    """A kid collision (1 in 2^32 per pair) draws a new key instead of overwriting a file."""
    from server.keys import lifecycle, store
    from server.token_core import keys as core_keys
    with app.app_context():
        existing = lifecycle.current_keys()[0]
        _, existing_key = lifecycle.key_for(existing.insurers[0])
        drawn = [existing_key.private_key, core_keys.generate_private_key()]
        monkeypatch.setattr(store, "generate_private_key", lambda: drawn.pop(0))
        before = (Path(app.config["KEY_DIR"]) / f"signing-{existing.kid}.pem").read_bytes()
        record = lifecycle.create_key(existing.insurers)
        assert record.kid != existing.kid and drawn == []
        assert (Path(app.config["KEY_DIR"]) / f"signing-{existing.kid}.pem").read_bytes() == before
