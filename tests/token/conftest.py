"""Fixtures for the token core: a signing key, a realistic member, a frozen clock and a trust list.

Test modules take these values as fixtures and never import this file: tests/ has no
``__init__.py``, so ``conftest`` is not a unique module name.

Everything here is stateless (keys are immutable, the factories build fresh frozen objects), so
the fixtures are session-scoped: that keeps key generation out of each test and lets Hypothesis
tests use them.
"""
from datetime import date

import pytest

from server.token_core import keys
from server.token_core.claims import Claims, DocumentKind, Relationship, Sex
from server.token_core.issue import issue
from server.token_core.trust_list import TrustedKey, TrustList

#: The frozen clock: 2026-09-21T14:13:20Z.
NOW = 1_790_000_000
DAY = 86_400
INSURER = "06138093"   # 組合管掌健康保険, 東京 (check digit valid)


@pytest.fixture(scope="session")
def now() -> int:
    """The frozen clock (tests pass it to verify() as ``now=``)."""
    return NOW


@pytest.fixture(scope="session")
def insurer() -> str:
    """The realistic member's 保険者番号."""
    return INSURER


@pytest.fixture(scope="session")
def private_key():
    return keys.generate_private_key()


@pytest.fixture(scope="session")
def signing_key(private_key) -> keys.SigningKey:
    return keys.signing_key(private_key)


@pytest.fixture(scope="session")
def other_signing_key() -> keys.SigningKey:
    """A second, unrelated key (another insurer's, or an attacker's)."""
    return keys.signing_key(keys.generate_private_key())


@pytest.fixture(scope="session")
def anchor_key():
    """The trust-anchor key that signs trust lists (pinned in the verifier)."""
    return keys.generate_private_key()


@pytest.fixture(scope="session")
def make_claims():
    """``make_claims(**overrides)``: a realistic insured person (本人) on a phone notice."""
    def make(**overrides) -> Claims:
        fields = dict(
            insurer_number=INSURER, symbol="1234", number="5678901", branch="01",
            relationship=Relationship.INSURED, name="𠮷田 太郎", sex=Sex.MALE,
            birth_date=date(1985, 4, 2), acquired_on=date(2019, 4, 1),
            copay_ratio=30, copay_from=date(2019, 4, 1), kind=DocumentKind.NOTICE,
            issued_at=NOW - 3600, expires_at=NOW + 7 * DAY,
            revocation_id=bytes.fromhex("0011223344556677"), limit_category=None,
        )
        fields.update(overrides)
        return Claims(**fields)
    return make


@pytest.fixture(scope="session")
def trusted_key(signing_key):
    """``trusted_key(key=signing_key, insurers=(INSURER,), ...)``: a published key entry."""
    def make(key: keys.SigningKey = signing_key, *, insurers=(INSURER,), kid: bytes | None = None,
             signs_from: int = NOW - 365 * DAY, signs_until: int | None = None) -> TrustedKey:
        return TrustedKey(kid=key.kid if kid is None else kid,
                          public_key=key.private_key.public_key(), insurers=frozenset(insurers),
                          signs_from=signs_from, signs_until=signs_until)
    return make


@pytest.fixture(scope="session")
def trust_list(trusted_key):
    """``trust_list(keys=None, ...)``: the signing key scoped to INSURER, fresh at NOW."""
    def make(keys=None, *, insurers=None, revocations=None, issued_at: int = NOW - 600,
             expires_at: int = NOW + 2 * DAY, grace: int = 14 * DAY) -> TrustList:
        return TrustList(
            issued_at=issued_at, expires_at=expires_at, grace=grace,
            insurers={INSURER: "シカク健康保険組合"} if insurers is None else insurers,
            keys=(trusted_key(),) if keys is None else tuple(keys),
            revocations={} if revocations is None else revocations)
    return make


@pytest.fixture(scope="session")
def token(make_claims, signing_key) -> str:
    """The realistic member's token text."""
    return issue(make_claims(), signing_key)


@pytest.fixture(scope="session")
def make_token(make_claims, signing_key):
    """``make_token(key=signing_key, **claim_overrides)``: issue a token for the member."""
    def make(key: keys.SigningKey = signing_key, **overrides) -> str:
        return issue(make_claims(**overrides), key)
    return make
