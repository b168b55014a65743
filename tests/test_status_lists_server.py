"""Status lists as the server runs them (version-2 tokens): indexes handed out and revoked by
the register, the root signed into the trust list, the snapshot and the deltas served, and the
lists as a clinic rebuilds them verifying real tokens (docs/token-format.md, "Status lists")."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from server.documents import cards
from server.documents.issuance import issue_token
from server.extensions import db
from server.keys import publishing, status_publishing
from server.models import Member, RevocationEntry, StatusPublication, StatusSlot
from server.register import members, status_indexes
from server.token_core import Status, TrustList, verify
from server.token_core.status_lists import (
    KIND_CARD,
    KIND_NOTICE,
    ListKey,
    StatusListError,
    apply_delta,
    parse_snapshot,
)

DAY = 86_400


@pytest.fixture
def app(make_app):
    return make_app(TOKEN_VERSION=2)


class Clinic:
    """What a clinic holds: the trust list, and the status state bound to its root, kept up
    to date from the server's endpoints as the clinic page does (delta first, else snapshot)."""

    def __init__(self, app, client):
        self.app, self.client = app, client
        self.trust_list: TrustList | None = None
        self.state = None
        self.fetched = []

    def sync(self, now: int):
        with self.app.app_context():
            anchor = publishing.anchor_jwk()
        new = TrustList.from_signed(self.client.get("/api/v1/trust-list").get_data(as_text=True), anchor)
        status = new.status
        assert status is not None and status.url == "status/"
        if self.state is not None and self.trust_list.status.seq < status.seq:
            old = self.trust_list.status.seq
            response = self.client.get(f"/api/v1/status/{old}-{status.seq}.delta")
            if response.status_code == 200:
                self.fetched.append(("delta", len(response.data)))
                self.state = apply_delta(self.state, response.data, expected_root=status.root)
                self.trust_list = new
                return self
        if self.state is None or self.trust_list.status.seq != status.seq:
            response = self.client.get(f"/api/v1/status/{status.seq}.snapshot")
            assert response.status_code == 200
            assert "immutable" in response.headers["Cache-Control"]
            self.fetched.append(("snapshot", len(response.data)))
            self.state = parse_snapshot(response.data, expected_root=status.root)
        self.trust_list = new
        return self

    def check(self, text: str, now: int) -> Status:
        return verify(text, self.trust_list, now=now, status=self.state).status


def _member(number="5678", branch="00") -> Member:
    return db.session.scalar(db.select(Member).where(Member.number == number, Member.branch == branch))


def test_a_phone_token_carries_its_eligibilitys_index_and_verifies_with_the_lists(app, client, clock):
    with app.app_context():
        token = issue_token(_member()).text
        again = issue_token(_member())
        slot = db.session.scalar(db.select(StatusSlot).where(
            StatusSlot.eligibility_id == _member().eligibility.id))
    assert token.startswith("8802") and again.text.startswith("8802")
    assert again.claims.status_index == slot.idx and slot.kind == KIND_NOTICE and slot.group_no == 6138093
    clinic = Clinic(app, client).sync(clock.now)
    assert clinic.check(token, clock.now) is Status.VALID
    assert verify(token, clinic.trust_list, now=clock.now).status is Status.STATUS_UNAVAILABLE


def test_each_insurer_has_its_own_phone_indexes(app):
    with app.app_context():
        a = issue_token(_member()).claims.status_index
        b = issue_token(_member("3001")).claims.status_index
        a2 = issue_token(_member(branch="01")).claims.status_index
    assert (a, b, a2) == (0, 0, 1)


def test_a_loss_sets_the_bit_and_the_clinic_catches_up_with_a_small_delta(app, client, clock):
    with app.app_context():
        taro, misaki = issue_token(_member()).text, issue_token(_member("3001")).text
    clinic = Clinic(app, client).sync(clock.now)
    first_seq = clinic.trust_list.status.seq
    with app.app_context():
        m = _member()
        members.record_loss(m, m.eligibility.acquired_on.replace(year=2026, month=11, day=18), "retirement")
        assert db.session.scalar(db.select(RevocationEntry)) is None    # no version-1 token: no rid
    clinic.sync(clock.now)
    assert clinic.trust_list.status.seq == first_seq + 1
    assert clinic.fetched[-1][0] == "delta" and clinic.fetched[-1][1] < 200
    assert clinic.check(taro, clock.now) is Status.REVOKED
    assert clinic.check(misaki, clock.now) is Status.VALID
    assert client.get(f"/api/v1/status/{first_seq}.snapshot").status_code == 404   # newest only


def test_a_delta_that_does_not_reach_the_signed_root_is_refused(app, client, clock):
    with app.app_context():
        issue_token(_member())
    clinic = Clinic(app, client).sync(clock.now)
    old_state, seq = clinic.state, clinic.trust_list.status.seq
    with app.app_context():
        m = _member()
        members.record_loss(m, m.eligibility.acquired_on.replace(year=2026, month=11, day=18), "retirement")
    clinic.sync(clock.now)
    delta = client.get(f"/api/v1/status/{seq}-{clinic.trust_list.status.seq}.delta").data
    with pytest.raises(StatusListError):
        apply_delta(old_state, delta, expected_root=old_state.root)       # not the signed root


def test_a_future_loss_takes_effect_on_its_date(app, client, clock):
    with app.app_context():
        token = issue_token(_member()).text
        m = _member()
        members.record_loss(m, m.eligibility.acquired_on.replace(year=2026, month=11, day=25), "retirement")
        from server.clock import start_of_day
        effective = start_of_day(m.eligibility.lost_on)
        assert status_publishing.next_change(clock.now) == effective   # the list changes by itself
    clinic = Clinic(app, client).sync(clock.now)
    assert clinic.check(token, clock.now) is Status.VALID
    clock.now = effective - 1
    assert Clinic(app, client).sync(clock.now).check(token, clock.now) is Status.VALID
    clock.now = effective
    clinic.sync(clock.now)
    assert clinic.check(token, clock.now) is Status.REVOKED


def test_a_phone_bit_clears_after_its_tokens_expired_and_the_index_waits_before_reuse(app, client, clock):
    with app.app_context():
        issue_token(_member())
        m = _member()
        index = db.session.scalar(db.select(StatusSlot.idx).where(StatusSlot.eligibility_id == m.eligibility.id))
        members.record_loss(m, m.eligibility.acquired_on.replace(year=2026, month=11, day=18), "retirement")
        key = ListKey(KIND_NOTICE, 6138093, 0)
        assert status_publishing.state_now(clock.now).is_revoked(key, index)
        keep, wait = status_indexes.phone_bit_seconds(), status_indexes.quarantine()
        assert not status_publishing.state_now(clock.now + keep + 1).is_revoked(key, index)
    clock.advance(keep + 1)                      # cleared, but not yet handed out again
    with app.app_context():
        assert issue_token(_member("91")).claims.status_index == index + 1
    clock.advance(wait)                          # 𠮷田 太郎 joins again: a new period
    with app.app_context():
        from server.clock import today
        members.re_enrol(_member(), today())
        assert issue_token(_member()).claims.status_index == index


def test_a_card_is_in_its_expiry_blocks_list_and_a_withdrawal_revokes_it(app, client, clock):
    with app.app_context():
        card = cards.issue_card(_member())
        db.session.commit()
        text, card_id, expires = card.token, card.id, None
        slot = db.session.scalar(db.select(StatusSlot).where(StatusSlot.card_id == card_id))
    assert text.startswith("8802") and slot.kind == KIND_CARD
    clinic = Clinic(app, client).sync(clock.now)
    assert clinic.check(text, clock.now) is Status.VALID
    with app.app_context():
        members.withdraw(db.session.get(type(card), card_id), "lost")
        db.session.commit()
    clinic.sync(clock.now)
    assert clinic.check(text, clock.now) is Status.REVOKED
    with app.app_context():
        block = slot.group_no
        dropped = status_publishing.card_list_dropped_at(block)
        assert ListKey(KIND_CARD, block, 0) in status_publishing.state_now(dropped - 1).lists
        assert ListKey(KIND_CARD, block, 0) not in status_publishing.state_now(dropped).lists
    del expires


def test_the_old_state_is_rebuilt_exactly_so_deltas_span_days(app, client, clock):
    """A clinic away for 6 days catches up with one delta over several changes."""
    with app.app_context():
        for number, branch in (("5678", "00"), ("3001", "00"), ("91", "00")):
            issue_token(_member(number, branch))
    clinic = Clinic(app, client).sync(clock.now)
    for number in ("5678", "3001"):
        clock.advance(2 * DAY)
        with app.app_context():
            m = _member(number)
            members.record_loss(m, (m.eligibility.acquired_on + timedelta(days=1)), "retirement")
        client.get("/api/v1/trust-list")                       # published on the way
    clock.advance(2 * DAY)
    clinic.sync(clock.now)
    assert clinic.fetched[-1][0] == "delta"
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(StatusPublication)) >= 3


def test_a_snapshot_stored_in_an_older_format_is_rebuilt_when_the_root_is_unchanged(app, client, clock):
    """Snapshot version 1 (zlib only) is no longer read: the next publication of the same root
    stores it again in the current format, under the same seq."""
    client.get("/api/v1/trust-list")
    with app.app_context():
        latest = db.session.scalar(db.select(StatusPublication).order_by(StatusPublication.seq.desc()))
        seq, root, current = latest.seq, latest.root, latest.snapshot
        latest.snapshot = b"SPS\x01" + current[4:]
        db.session.commit()
        again = status_publishing.publish(clock.now)
        db.session.commit()
        assert (again.seq, again.root, again.snapshot) == (seq, root, current)
    assert parse_snapshot(client.get(f"/api/v1/status/{seq}.snapshot").data, expected_root=root)


def test_a_delta_from_an_unknown_seq_is_not_found(app, client):
    client.get("/api/v1/trust-list")
    assert client.get("/api/v1/status/999-1000.delta").status_code == 404
    assert client.get("/api/v1/status/2-1.delta").status_code == 404


def test_version_1_revocation_ids_are_published_only_while_their_tokens_live(make_app, clock):
    app = make_app(TOKEN_VERSION=1)
    client = app.test_client()
    with app.app_context():
        issued = issue_token(_member())
        assert issued.text.startswith("8801")
        m = _member()
        members.record_loss(m, m.eligibility.acquired_on.replace(year=2026, month=11, day=18), "retirement")
        entry = db.session.scalar(db.select(RevocationEntry))
        assert entry.publish_until == issued.claims.expires_at + app.config["VERIFY_SKEW_SECONDS"]
        anchor = publishing.anchor_jwk()
    listed = TrustList.from_signed(client.get("/api/v1/trust-list").get_data(as_text=True), anchor)
    assert verify(issued.text, listed, now=clock.now).status is Status.REVOKED
    clock.now = entry.publish_until
    payload = json.loads(client.get("/api/v1/trust-list").get_data(as_text=True))
    from server.token_core.trust_list import b64url_decode
    assert json.loads(b64url_decode(payload["payload"]))["revocations"] == []


def test_the_cli_verifies_a_version_2_token_with_the_published_lists(app, clock):
    from server.cli import main as shikaku
    runner = app.test_cli_runner()
    issued = runner.invoke(shikaku, ["token", "issue", "--insurer", "06138093", "--symbol", "1234",
                                     "--number", "5678", "--branch", "00"])
    text = issued.output.strip()
    assert text.startswith("8802")
    result = runner.invoke(shikaku, ["token", "verify", text])
    assert result.exit_code == 0 and json.loads(result.output)["status"] == "valid"
    with app.app_context():
        m = _member()
        members.record_loss(m, m.eligibility.acquired_on.replace(year=2026, month=11, day=18), "retirement")
    result = runner.invoke(shikaku, ["token", "verify", text])
    assert result.exit_code == 1 and json.loads(result.output)["status"] == "revoked"


def test_a_re_enrolment_gets_a_new_index_so_its_tokens_are_valid_and_the_old_ones_not(app, client, clock):
    with app.app_context():
        old = issue_token(_member())
        m = _member()
        members.record_loss(m, m.eligibility.acquired_on.replace(year=2026, month=11, day=18), "retirement")
        from server.clock import today
        members.re_enrol(_member(), today())
        new = issue_token(_member())
    assert new.claims.status_index != old.claims.status_index
    clinic = Clinic(app, client).sync(clock.now)
    assert clinic.check(old.text, clock.now) is Status.REVOKED
    assert clinic.check(new.text, clock.now) is Status.VALID


def test_a_loss_revokes_every_card_and_every_family_members_phone_token(app, client, clock):
    with app.app_context():
        household = [_member(branch=b) for b in ("00", "01", "02")]
        phones = [issue_token(m).text for m in household]
        card = cards.issue_card(household[0]).token
        db.session.commit()
    clinic = Clinic(app, client).sync(clock.now)
    assert {clinic.check(t, clock.now) for t in [*phones, card]} == {Status.VALID}
    with app.app_context():
        m = _member()
        members.record_loss(m, m.eligibility.acquired_on.replace(year=2026, month=11, day=18), "retirement")
    clinic.sync(clock.now)
    assert [clinic.check(t, clock.now) for t in [*phones, card]] == [Status.REVOKED] * 4
