"""CBOR <-> COSE_Sign1 (RFC 9052), ES256 with a raw r||s signature.

We issue exactly one shape, and accept only that shape:

    18([ bstr .cbor {1: -7, 4: kid}, {}, bstr payload, bstr 64-byte signature ])
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature, encode_dss_signature)

from .errors import CoseError, SignatureError
from .keys import MAX_KID_BYTES, MIN_KID_BYTES

COSE_SIGN1_TAG = 18
ALG = 1
KID = 4
ES256 = -7
_SIG_BYTES = 64


def dumps(value) -> bytes:
    """Deterministic CBOR: RFC 8949 §4.2.1 rules with the length-first map-key order of §4.2.3
    (cbor2's canonical mode; identical to bytewise order for keys 0-23)."""
    return cbor2.dumps(value, canonical=True)


def loads_strict(data: bytes):
    """Decode one CBOR item that must be in deterministic encoding, with nothing after it."""
    try:
        value = cbor2.loads(data, max_depth=8, allow_indefinite=False,
                            allow_duplicate_keys=False, semantic_decoders={})
    except Exception as exc:  # cbor2 raises several types on bad input
        raise CoseError(f"not CBOR: {exc}") from exc
    try:
        canonical = dumps(value) == data
    except Exception:
        canonical = False
    if not canonical:
        raise CoseError("not deterministic CBOR, or trailing bytes")
    return value


@dataclass(frozen=True)
class Sign1:
    protected: bytes
    kid: bytes
    payload: bytes
    signature: bytes

    def to_be_signed(self) -> bytes:
        return _sig_structure(self.protected, self.payload)


def _sig_structure(protected: bytes, payload: bytes) -> bytes:
    return dumps(["Signature1", protected, b"", payload])


def sign(payload: bytes, kid: bytes, private_key: ec.EllipticCurvePrivateKey) -> bytes:
    protected = dumps({ALG: ES256, KID: kid})
    der = private_key.sign(_sig_structure(protected, payload), ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]))


def parse(data: bytes) -> Sign1:
    item = loads_strict(data)
    if not isinstance(item, cbor2.CBORTag) or item.tag != COSE_SIGN1_TAG:
        raise CoseError("not a tagged COSE_Sign1")
    body = item.value
    if not isinstance(body, (list, tuple)) or len(body) != 4:
        raise CoseError("COSE_Sign1 must be an array of 4")
    protected, unprotected, payload, signature = body
    if (type(protected) is not bytes or not isinstance(unprotected, Mapping) or unprotected
            or type(payload) is not bytes):
        raise CoseError("bad COSE_Sign1 members")
    if type(signature) is not bytes or len(signature) != _SIG_BYTES:
        raise CoseError("signature must be 64 bytes (r||s)")
    header = loads_strict(protected)
    if (not isinstance(header, Mapping) or any(type(k) is not int for k in header)
            or set(header) != {ALG, KID} or type(header[ALG]) is not int or header[ALG] != ES256):
        raise CoseError("protected header must be exactly {alg: ES256, kid}")
    if type(header[KID]) is not bytes or not MIN_KID_BYTES <= len(header[KID]) <= MAX_KID_BYTES:
        raise CoseError("bad key id")
    return Sign1(protected=protected, kid=header[KID], payload=payload, signature=signature)


def verify_signature(message: Sign1, public_key: ec.EllipticCurvePublicKey) -> None:
    r = int.from_bytes(message.signature[:32], "big")
    s = int.from_bytes(message.signature[32:], "big")
    try:
        public_key.verify(encode_dss_signature(r, s), message.to_be_signed(),
                          ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError) as exc:
        raise SignatureError("signature does not verify") from exc
