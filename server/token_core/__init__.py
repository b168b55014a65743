"""The Shikaku Pass token core: framework-free, pure Python.

The pipeline is a stack of reversible layers, composed by :func:`issue` and
:func:`verify` (see docs/token-format.md, which lists them in the same order):

    claims  <->  CBOR map        (claims.py)
    CBOR    <->  COSE_Sign1      (cose.py)
    bytes   <->  digits + header (digits.py: 8801 version 1, 8802 version 2)

Revocation data: the trust list (trust_list.py: keys, rid entries for version 1, the status
root) and the status lists it vouches for (status_lists.py: version 2).

Nothing here imports Flask or SQLAlchemy; keys and ``now`` are passed in.
"""
from .claims import Claims, DocumentKind, Relationship, Sex
from .errors import TokenError
from .issue import issue
from .keys import SigningKey, generate_private_key, key_id_for, public_jwk
from .status_lists import ListKey, StatusList, StatusState
from .trust_list import StatusRoot, TrustList, TrustedKey, Revocation, sign_trust_list
from .verify import Status, VerificationResult, VerifyWarning, verify

__all__ = [
    "Claims", "DocumentKind", "Relationship", "Sex", "TokenError", "issue",
    "SigningKey", "generate_private_key", "key_id_for", "public_jwk",
    "TrustList", "TrustedKey", "Revocation", "sign_trust_list", "StatusRoot",
    "ListKey", "StatusList", "StatusState",
    "Status", "VerificationResult", "VerifyWarning", "verify",
]
