"""claims -> CBOR -> COSE_Sign1 -> digits."""
from . import cose, digits
from .claims import Claims
from .keys import SigningKey


def issue(claims: Claims, key: SigningKey) -> str:
    """Sign ``claims`` with ``key`` and return the QR text (digits only): format version 2
    (header 8802) when the claims carry a status index, version 1 (8801) when they carry a
    revocation id."""
    payload = cose.dumps(claims.to_map())
    return digits.encode(cose.sign(payload, key.kid, key.private_key), claims.version)


def claims_of(text: str) -> Claims:
    """The claims inside one of this issuer's own tokens, either version, read without any
    trust check (signature, keys, revocation, time): for printing what a QR says. Raises
    TokenError (DigitsError, CoseError, ClaimsError) for anything that is not a token."""
    version, data = digits.decode_versioned(text)
    return Claims.from_map(cose.loads_strict(cose.parse(data).payload), version)
