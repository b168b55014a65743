"""The trust list is served from stored bytes (server/keys/publishing.py): a 304 or a 200
costs no query and no signature, any change to its content is served at once by the worker
that made it and within TRUST_LIST_CHECK_SECONDS by every other, and old snapshots go."""
from __future__ import annotations

import gzip
import json
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event

from server.extensions import db
from server.keys import lifecycle, publishing
from server.models import Insurer, RevocationEntry, TrustListSnapshot
from server.register import members
from server.token_core import TrustList


@contextmanager
def statements(app):
    """Every SQL statement the app's engine runs inside the block."""
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _get(client, etag=None, gzip_ok=False):
    headers = {}
    if etag:
        headers["If-None-Match"] = f'"{etag}"'
    if gzip_ok:
        headers["Accept-Encoding"] = "gzip, deflate, br"
    return client.get("/api/v1/trust-list", headers=headers)


def _document(response) -> dict:
    body = response.get_data()
    if response.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return json.loads(body)


def test_304_and_200_are_answered_without_a_query(app, client):
    first = _get(client)
    etag = first.headers["ETag"].strip('"')
    with statements(app) as seen:
        not_modified = _get(client, etag)
        again = _get(client, gzip_ok=True)
    assert not_modified.status_code == 304 and not not_modified.get_data()
    assert again.status_code == 200 and again.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in again.headers["Vary"]
    assert _document(again) == _document(first)             # the same signed bytes, compressed
    assert seen == [], seen
    # the gzip representation has its own ETag, and a clinic holding it gets a 304 too
    gz_etag = again.headers["ETag"].strip('"')
    assert gz_etag == etag + "-gz"
    assert _get(client, gz_etag, gzip_ok=True).status_code == 304
    weakened = client.get("/api/v1/trust-list", headers={"If-None-Match": f'W/"{gz_etag}"'})
    assert weakened.status_code == 304            # a CDN may weaken the tag when it recompresses
    assert _get(client, "0" * 32).status_code == 200


@pytest.mark.parametrize("change", ["loss", "rotate", "revoke_key", "insurer", "bulk_revocation"])
def test_every_change_is_served_at_once_by_the_worker_that_made_it(app, client, demo_member, clock, change,
                                                                    phone_tokens):
    before = _get(client)
    etag = before.headers["ETag"].strip('"')
    with app.app_context():
        if change == "loss":
            taro = demo_member()
            members.record_loss(taro, taro.eligibility.acquired_on + timedelta(days=1), "retirement")
        elif change == "rotate":
            lifecycle.rotate(insurer="06138093")
        elif change == "revoke_key":
            lifecycle.revoke(lifecycle.current_keys()[0].kid, replace=False)
        elif change == "insurer":
            db.session.add(Insurer(number="01130012", name="全国健康保険協会 北海道支部"))
            db.session.commit()
        else:                                               # a statement, not an ORM object
            db.session.execute(db.insert(RevocationEntry).values(
                revocation_id="00" * 8, revoked_before=clock.now, effective_at=0,
                reason="card_withdrawn", created_at=clock.now))
            db.session.commit()
    after = _get(client, etag)
    assert after.status_code == 200, "a 304 would keep the clinic on the old list"
    with app.app_context():
        old, new = (TrustList.from_signed(json.dumps(_document(r)), publishing.anchor_jwk())
                    for r in (before, after))
    if change == "loss":                      # version 2: a status bit, so a new root
        assert new.status.root != old.status.root and new.status.seq == old.status.seq + 1
    elif change == "bulk_revocation":
        assert len(new.revocations) > len(old.revocations)
    elif change == "rotate":                  # the old key signed nothing: replaced at once
        assert {k.kid for k in new.keys} != {k.kid for k in old.keys}
    elif change == "revoke_key":
        assert len(new.keys) == len(old.keys) - 1
    else:
        assert "01130012" in new.insurers and "01130012" not in old.insurers


def test_another_worker_sees_a_change_within_the_check_interval(make_app, app, client, demo_member,
                                                               phone_tokens):
    """Two apps on one database stand for two gunicorn workers."""
    other = make_app(TRUST_LIST_CHECK_SECONDS=3600)
    other_client = other.test_client()
    etag = _get(other_client).headers["ETag"].strip('"')
    with app.app_context():
        taro = demo_member()
        members.record_loss(taro, taro.eligibility.acquired_on + timedelta(days=1), "retirement")
    assert _get(client, etag).status_code == 200            # the worker that wrote it: at once
    assert _get(other_client, etag).status_code == 304      # the other: not before its check
    other.config["TRUST_LIST_CHECK_SECONDS"] = 0
    with statements(other) as seen:
        assert _get(other_client, etag).status_code == 200
    assert len(seen) <= 4, seen       # the version, the newest snapshot, its text and gzip bytes


def test_old_snapshots_are_pruned(app, client):
    with app.app_context():
        for _ in range(5):
            lifecycle.rotate()
            publishing.current()
        assert db.session.scalar(db.select(db.func.count()).select_from(TrustListSnapshot)) == 2


def test_a_write_that_changes_no_content_keeps_the_etag(app, client, as_member, demo_member):
    """Issuing tokens moves a key's published-until mark: no new list, no new ETag."""
    etag = _get(client).headers["ETag"]
    with app.app_context():
        member_id = demo_member().id
    as_member(member_id)
    for _ in range(3):
        assert client.get("/api/v1/me/token").status_code == 200
    assert _get(client).headers["ETag"] == etag
