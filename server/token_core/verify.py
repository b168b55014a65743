"""digits -> COSE_Sign1 -> CBOR -> claims, then the trust checks.

:func:`verify` is total: whatever it is given, it returns a frozen
:class:`VerificationResult` and never raises. The checks run in this order and the
first failure decides the status:

1. size and alphabet, header, byte length        -> malformed
2. COSE_Sign1 shape, protected header             -> malformed
3. trust list past expiry + grace                 -> trust_list_expired (re-sync first)
4. a trusted key with the token's kid             -> unknown_key
5. the signature, with each key of that kid       -> bad_signature
6. the claims map                                 -> malformed
7. key scope: insurer and signing window          -> key_not_for_insurer
8. version 1: a revocation entry for an earlier issue time -> revoked
   version 2: the token's bit in the status lists of the list's root -> revoked;
              no lists for that root to look in                       -> status_unavailable
9. issued in the future (beyond skew)             -> not_yet_valid
10. past expiry (beyond skew)                     -> expired
A result carries claims whenever the signature verified; only ``valid`` makes them trustworthy.
Warnings: trust_list_stale (past its expiry), clock_suspect (now before the list's iat).
"""
from __future__ import annotations

import enum
from dataclasses import dataclass

from . import cose, digits
from .claims import Claims
from .errors import ClaimsError, CoseError, DigitsError, InputTooLarge, SignatureError
from .keys import kid_text
from .status_lists import EMPTY_ROOT, StatusState
from .trust_list import TrustList

#: Default tolerance for clocks that disagree (device vs. server), in seconds.
DEFAULT_SKEW = 300


class Status(str, enum.Enum):
    VALID = "valid"
    MALFORMED = "malformed"
    BAD_SIGNATURE = "bad_signature"
    UNKNOWN_KEY = "unknown_key"
    KEY_NOT_FOR_INSURER = "key_not_for_insurer"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    REVOKED = "revoked"
    TRUST_LIST_EXPIRED = "trust_list_expired"
    STATUS_UNAVAILABLE = "status_unavailable"


class VerifyWarning(str, enum.Enum):
    TRUST_LIST_STALE = "trust_list_stale"
    CLOCK_SUSPECT = "clock_suspect"


@dataclass(frozen=True)
class VerificationResult:
    status: Status
    detail: str = ""
    warnings: tuple[VerifyWarning, ...] = ()
    claims: Claims | None = None
    kid: str | None = None
    insurer_name: str | None = None

    @property
    def valid(self) -> bool:
        return self.status is Status.VALID

    def to_json(self) -> dict:
        return {"status": self.status.value, "detail": self.detail,
                "warnings": [w.value for w in self.warnings], "kid": self.kid,
                "insurer_name": self.insurer_name,
                "claims": self.claims.to_json() if self.claims else None}


class _Rejected(Exception):
    def __init__(self, status: Status, detail: str, extra: dict | None = None):
        super().__init__(detail)
        self.status, self.detail, self.extra = status, detail, extra or {}


def verify(text, trust_list: TrustList, *, now: int, skew: int = DEFAULT_SKEW,
           status: StatusState | None = None) -> VerificationResult:
    """Verify a token's text against a trust list at ``now`` (seconds since the epoch).
    ``status``: the status lists verified against the list's status root (parse_snapshot,
    apply_delta), for version-2 tokens; None when there are none."""
    warnings = _warnings(trust_list, now, skew)
    try:
        claims, kid = _check(text, trust_list, now, skew, status)
    except _Rejected as r:
        return VerificationResult(status=r.status, detail=r.detail, warnings=warnings, **r.extra)
    except Exception as exc:  # totality: a bug in a layer still yields a result
        return VerificationResult(status=Status.MALFORMED, detail=f"unexpected: {type(exc).__name__}",
                                  warnings=warnings)
    return VerificationResult(status=Status.VALID, warnings=warnings, claims=claims, kid=kid,
                              insurer_name=trust_list.insurers.get(claims.insurer_number))


def _warnings(trust_list, now, skew) -> tuple[VerifyWarning, ...]:
    found = []
    if now > trust_list.expires_at:
        found.append(VerifyWarning.TRUST_LIST_STALE)
    if now + skew < trust_list.issued_at:
        found.append(VerifyWarning.CLOCK_SUSPECT)
    return tuple(found)


def _check(text, trust_list: TrustList, now: int, skew: int, status: StatusState | None):
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text[: digits.MAX_INPUT_CHARS + 1]).decode("utf-8", "replace")
    if not isinstance(text, str):
        raise _Rejected(Status.MALFORMED, "input is not text")
    try:
        version, data = digits.decode_versioned(text)
        message = cose.parse(data)
    except (DigitsError, InputTooLarge, CoseError) as exc:
        raise _Rejected(Status.MALFORMED, str(exc)) from None
    kid = kid_text(message.kid)
    if now > trust_list.expires_at + trust_list.grace:
        # Keys and revocations may have changed since: no verdict from this list.
        raise _Rejected(Status.TRUST_LIST_EXPIRED, "trust list too old: refresh it", {"kid": kid})
    candidates = trust_list.keys_for(message.kid)
    if not candidates:
        raise _Rejected(Status.UNKNOWN_KEY, f"no trusted key {kid}", {"kid": kid})
    key = _verifying_key(message, candidates)
    if key is None:
        raise _Rejected(Status.BAD_SIGNATURE, "signature does not verify", {"kid": kid})
    try:
        claims = Claims.from_map(cose.loads_strict(message.payload), version)
    except (ClaimsError, CoseError) as exc:
        raise _Rejected(Status.MALFORMED, f"claims: {exc}", {"kid": kid}) from None
    extra = {"kid": kid, "claims": claims,
             "insurer_name": trust_list.insurers.get(claims.insurer_number)}
    if claims.insurer_number not in key.insurers:
        raise _Rejected(Status.KEY_NOT_FOR_INSURER, "key may not sign for this insurer", extra)
    if claims.issued_at + skew < key.signs_from or (
            key.signs_until is not None and claims.issued_at > key.signs_until + skew):
        raise _Rejected(Status.KEY_NOT_FOR_INSURER, "issued outside the key's signing period", extra)
    if version == 1:
        before = trust_list.revocations.get(claims.revocation_id)
        if before is not None and claims.issued_at < before:
            raise _Rejected(Status.REVOKED, "revoked by the insurer", extra)
    else:
        _check_status(claims, trust_list, status, extra)
    if claims.issued_at > now + skew:
        raise _Rejected(Status.NOT_YET_VALID, "issued in the future", extra)
    if now > claims.expires_at + skew:
        raise _Rejected(Status.EXPIRED, "past expiry", extra)
    return claims, kid


def _check_status(claims: Claims, trust_list: TrustList, status, extra) -> None:
    """Step 8 for version 2: the token's bit, in the lists whose root the trust list signed. No
    lists is the empty state, which is enough only when the signed root is the empty one."""
    signed = trust_list.status
    if signed is None:
        raise _Rejected(Status.STATUS_UNAVAILABLE, "the trust list has no status lists: re-sync", extra)
    state = status
    if state is None and signed.root == EMPTY_ROOT:
        return
    if not isinstance(state, StatusState) or state.root != signed.root:
        raise _Rejected(Status.STATUS_UNAVAILABLE,
                        "no status lists for the trust list's root: re-sync", extra)
    if state.is_token_revoked(claims):
        raise _Rejected(Status.REVOKED, "revoked by the insurer (status list)", extra)


def _verifying_key(message, candidates):
    for key in candidates:
        try:
            cose.verify_signature(message, key.public_key)
            return key
        except SignatureError:
            continue
    return None
