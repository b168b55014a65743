"""The clock, the trust list's life, revocation and key scope, each at its exact edge."""
import inspect

import pytest

from server.token_core.claims import DocumentKind
from server.token_core.keys import b64url
from server.token_core.trust_list import MAX_KEYS_PER_KID
from server.token_core.verify import DEFAULT_SKEW, Status, VerifyWarning, verify

DAY = 86_400


def test_default_skew_is_the_documented_five_minutes():
    assert DEFAULT_SKEW == 300
    assert inspect.signature(verify).parameters["skew"].default == DEFAULT_SKEW


# -- expiry and issue time --------------------------------------------------------------------

def test_valid_until_expiry_plus_default_skew(make_token, trust_list, now):
    text = make_token(issued_at=now - 7 * DAY, expires_at=now - DEFAULT_SKEW)
    assert verify(text, trust_list(), now=now).status is Status.VALID
    late = verify(text, trust_list(), now=now + 1)
    assert late.status is Status.EXPIRED
    assert late.claims is not None and late.claims.expires_at == now - DEFAULT_SKEW


def test_not_yet_valid_beyond_default_skew(make_token, trust_list, now):
    assert verify(make_token(issued_at=now + DEFAULT_SKEW, expires_at=now + DAY),
                  trust_list(), now=now).status is Status.VALID
    assert verify(make_token(issued_at=now + DEFAULT_SKEW + 1, expires_at=now + DAY),
                  trust_list(), now=now).status is Status.NOT_YET_VALID


@pytest.mark.parametrize("skew", [0, 1, 60, 3600])
def test_custom_skew_is_respected(skew, make_token, trust_list, now):
    expiring = make_token(issued_at=now - DAY, expires_at=now)
    assert verify(expiring, trust_list(), now=now + skew, skew=skew).status is Status.VALID
    assert verify(expiring, trust_list(), now=now + skew + 1, skew=skew).status is Status.EXPIRED
    early = make_token(issued_at=now + skew, expires_at=now + DAY)
    assert verify(early, trust_list(), now=now, skew=skew).status is Status.VALID
    assert verify(early, trust_list(), now=now - 1, skew=skew).status is Status.NOT_YET_VALID


def test_skew_zero_is_not_replaced_by_the_default(make_token, trust_list, now):
    text = make_token(issued_at=now - DAY, expires_at=now - 1)
    assert verify(text, trust_list(), now=now).status is Status.VALID            # default 300
    assert verify(text, trust_list(), now=now, skew=0).status is Status.EXPIRED


def test_a_long_lived_card_is_valid_years_later(make_token, trusted_key, trust_list, now):
    card = make_token(kind=DocumentKind.CARD, issued_at=now - 4 * 365 * DAY, expires_at=now + 365 * DAY)
    old_key = trusted_key(signs_from=now - 5 * 365 * DAY, signs_until=now - 3 * 365 * DAY)
    result = verify(card, trust_list([old_key]), now=now)
    assert result.status is Status.VALID, result.detail
    assert result.claims.kind is DocumentKind.CARD
    young_key = trusted_key(signs_from=now - 365 * DAY)
    assert verify(card, trust_list([young_key]), now=now).status is Status.KEY_NOT_FOR_INSURER


# -- the trust list's own life --------------------------------------------------------------

def test_a_fresh_trust_list_gives_no_warnings(token, trust_list, now):
    result = verify(token, trust_list(expires_at=now), now=now)
    assert result.status is Status.VALID and result.warnings == ()


def test_a_stale_trust_list_warns_but_still_verifies(token, trust_list, now):
    result = verify(token, trust_list(expires_at=now - 1), now=now)
    assert result.status is Status.VALID
    assert result.warnings == (VerifyWarning.TRUST_LIST_STALE,)


def test_a_trust_list_past_its_grace_is_expired(token, trust_list, now):
    grace = 14 * DAY
    at_edge = verify(token, trust_list(issued_at=now - 20 * DAY, expires_at=now - grace, grace=grace), now=now)
    assert at_edge.status is Status.VALID
    assert at_edge.warnings == (VerifyWarning.TRUST_LIST_STALE,)
    past = verify(token, trust_list(issued_at=now - 20 * DAY, expires_at=now - grace - 1, grace=grace), now=now)
    assert past.status is Status.TRUST_LIST_EXPIRED
    assert past.warnings == (VerifyWarning.TRUST_LIST_STALE,)
    assert not past.valid


def test_a_clock_behind_the_trust_list_is_suspect(token, trust_list, now):
    at_edge = verify(token, trust_list(issued_at=now + DEFAULT_SKEW), now=now)
    assert at_edge.warnings == ()
    behind = verify(token, trust_list(issued_at=now + DEFAULT_SKEW + 1), now=now)
    assert behind.status is Status.VALID
    assert behind.warnings == (VerifyWarning.CLOCK_SUSPECT,)
    no_skew = verify(token, trust_list(issued_at=now + 1), now=now, skew=0)
    assert no_skew.warnings == (VerifyWarning.CLOCK_SUSPECT,)


def test_warnings_come_with_every_status(trust_list, now):
    result = verify("not a token", trust_list(issued_at=now + DAY, expires_at=now - 1), now=now)
    assert result.status is Status.MALFORMED
    assert set(result.warnings) == {VerifyWarning.TRUST_LIST_STALE, VerifyWarning.CLOCK_SUSPECT}


# -- revocation ------------------------------------------------------------------------------

RID = bytes.fromhex("0011223344556677")   # the realistic member's revocation id


def test_a_token_issued_before_the_revocation_is_revoked(make_token, trust_list, now):
    before = now - 600
    revoked = verify(make_token(issued_at=before - 1), trust_list(revocations={RID: before}), now=now)
    assert revoked.status is Status.REVOKED
    assert revoked.claims.revocation_id == RID


def test_a_token_issued_at_or_after_the_revocation_is_valid(make_token, trust_list, now):
    before = now - 600
    trusted = trust_list(revocations={RID: before})
    assert verify(make_token(issued_at=before), trusted, now=now).status is Status.VALID
    assert verify(make_token(issued_at=before + 60), trusted, now=now).status is Status.VALID


def test_revocation_is_per_member(make_token, trust_list, now):
    other = verify(make_token(revocation_id=b"\x99" * 8), trust_list(revocations={RID: now}), now=now)
    assert other.status is Status.VALID


def test_a_revoked_card_is_revoked_whatever_its_expiry(make_token, trust_list, now):
    card = make_token(kind=DocumentKind.CARD, issued_at=now - 30 * DAY, expires_at=now + 4 * 365 * DAY)
    assert verify(card, trust_list(), now=now).status is Status.VALID
    assert verify(card, trust_list(revocations={RID: now - DAY}), now=now).status is Status.REVOKED


# -- key scope and key ids -------------------------------------------------------------------

def test_a_key_scoped_to_another_insurer_is_refused(token, trusted_key, trust_list, now):
    result = verify(token, trust_list([trusted_key(insurers=["33120015"])]), now=now)
    assert result.status is Status.KEY_NOT_FOR_INSURER
    assert "insurer" in result.detail


def test_a_key_scoped_to_several_insurers_signs_for_each(token, trusted_key, trust_list, insurer, now):
    trusted = trust_list([trusted_key(insurers=["33120015", insurer, "138156"])])
    assert verify(token, trusted, now=now).status is Status.VALID


def test_a_token_issued_after_the_key_was_retired_is_refused(make_token, trusted_key, trust_list, now):
    issued_at = now - DAY
    text = make_token(issued_at=issued_at)
    edge = trust_list([trusted_key(signs_until=issued_at - DEFAULT_SKEW)])
    assert verify(text, edge, now=now).status is Status.VALID
    retired = trust_list([trusted_key(signs_until=issued_at - DEFAULT_SKEW - 1)])
    result = verify(text, retired, now=now)
    assert result.status is Status.KEY_NOT_FOR_INSURER
    assert "signing period" in result.detail


def test_a_token_issued_before_the_key_existed_is_refused(make_token, trusted_key, trust_list, now):
    issued_at = now - DAY
    text = make_token(issued_at=issued_at)
    assert verify(text, trust_list([trusted_key(signs_from=issued_at + DEFAULT_SKEW)]),
                  now=now).status is Status.VALID
    assert verify(text, trust_list([trusted_key(signs_from=issued_at + DEFAULT_SKEW + 1)]),
                  now=now).status is Status.KEY_NOT_FOR_INSURER


def test_an_unpublished_kid_is_an_unknown_key(token, signing_key, other_signing_key, trusted_key,
                                              trust_list, now):
    result = verify(token, trust_list([trusted_key(other_signing_key)]), now=now)
    assert result.status is Status.UNKNOWN_KEY
    assert result.kid == signing_key.kid.hex()
    assert verify(token, trust_list([]), now=now).status is Status.UNKNOWN_KEY


def test_another_key_under_the_same_kid_is_a_bad_signature(token, signing_key, other_signing_key,
                                                          trusted_key, trust_list, now):
    collision = trusted_key(other_signing_key, kid=signing_key.kid)
    result = verify(token, trust_list([collision]), now=now)
    assert result.status is Status.BAD_SIGNATURE
    assert result.claims is None


@pytest.mark.parametrize("right_first", [False, True])
def test_every_key_with_the_kid_is_tried(right_first, token, signing_key, other_signing_key,
                                         trusted_key, trust_list, now):
    pair = [trusted_key(other_signing_key, kid=signing_key.kid), trusted_key()]
    if right_first:
        pair.reverse()
    result = verify(token, trust_list(pair), now=now)
    assert result.status is Status.VALID, result.detail


def test_the_scope_is_that_of_the_key_that_verified(token, signing_key, other_signing_key,
                                                   trusted_key, trust_list, insurer, now):
    wrong_but_in_scope = trusted_key(other_signing_key, kid=signing_key.kid, insurers=[insurer])
    right_but_elsewhere = trusted_key(insurers=["33120015"])
    result = verify(token, trust_list([wrong_but_in_scope, right_but_elsewhere]), now=now)
    assert result.status is Status.KEY_NOT_FOR_INSURER


def test_the_work_per_kid_is_bounded(token, signing_key, other_signing_key, trusted_key,
                                     trust_list, now):
    decoy = trusted_key(other_signing_key, kid=signing_key.kid)
    within = [decoy] * (MAX_KEYS_PER_KID - 1) + [trusted_key()]
    beyond = [decoy] * MAX_KEYS_PER_KID + [trusted_key()]
    assert verify(token, trust_list(within), now=now).status is Status.VALID
    assert verify(token, trust_list(beyond), now=now).status is Status.BAD_SIGNATURE


def test_the_first_failing_check_decides(make_token, trusted_key, trust_list, now):
    expired_and_revoked = make_token(issued_at=now - 9 * DAY, expires_at=now - 8 * DAY)
    assert verify(expired_and_revoked, trust_list(revocations={RID: now}), now=now).status \
        is Status.REVOKED
    assert verify(expired_and_revoked, trust_list([trusted_key(insurers=["33120015"])],
                                                  revocations={RID: now}), now=now).status \
        is Status.KEY_NOT_FOR_INSURER
    stale_and_expired = trust_list(issued_at=now - 30 * DAY, expires_at=now - 20 * DAY)
    # A list past its grace decides nothing but form: re-sync before any other verdict.
    past_grace = verify(expired_and_revoked, stale_and_expired, now=now)
    assert past_grace.status is Status.TRUST_LIST_EXPIRED and past_grace.claims is None
    assert verify("8801" + "1" * 40, stale_and_expired, now=now).status is Status.MALFORMED
