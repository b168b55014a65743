"""P-256 keys: generation, key ids and the JWK form browsers import with WebCrypto."""
from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

#: What this issuer writes: the first 4 bytes of SHA-256 over the key's SubjectPublicKeyInfo.
KID_BYTES = 4
#: What every verifier accepts, in a token and in a trust list: 1 to 16 bytes.
MIN_KID_BYTES, MAX_KID_BYTES = 1, 16


@dataclass(frozen=True)
class SigningKey:
    """A private signing key and its key id (the kid in the COSE protected header)."""
    kid: bytes
    private_key: ec.EllipticCurvePrivateKey = None  # never printed
    def __repr__(self):
        return f"SigningKey(kid={self.kid.hex()!r})"


def generate_private_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def key_id_for(public_key: ec.EllipticCurvePublicKey) -> bytes:
    """First 4 bytes of SHA-256 over the SubjectPublicKeyInfo; collisions are tolerated
    (a verifier tries every key with the same id)."""
    spki = public_key.public_bytes(serialization.Encoding.DER,
                                   serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(spki).digest()[:KID_BYTES]


def signing_key(private_key: ec.EllipticCurvePrivateKey) -> SigningKey:
    return SigningKey(kid=key_id_for(private_key.public_key()), private_key=private_key)


def kid_text(kid: bytes) -> str:
    """A key id as text: lowercase hex (safe on command lines, easy to read out)."""
    return kid.hex()


def kid_bytes(text: str) -> bytes:
    if not isinstance(text, str) or not re.fullmatch(
            rf"(?:[0-9a-f]{{2}}){{{MIN_KID_BYTES},{MAX_KID_BYTES}}}", text):
        raise ValueError("a key id is 2-32 lowercase hex digits")
    return bytes.fromhex(text)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


_B64URL = re.compile(r"[A-Za-z0-9_-]*")


def b64url_decode(text: str) -> bytes:
    if not isinstance(text, str) or not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("base64url without padding expected")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def public_jwk(public_key: ec.EllipticCurvePublicKey, kid: bytes | None = None) -> dict:
    numbers = public_key.public_numbers()
    jwk = {"kty": "EC", "crv": "P-256",
           "x": b64url(numbers.x.to_bytes(32, "big")), "y": b64url(numbers.y.to_bytes(32, "big"))}
    if kid is not None:
        jwk["kid"] = kid_text(kid)
    return jwk


def public_key_from_jwk(jwk: dict) -> ec.EllipticCurvePublicKey:
    """Raises ValueError unless ``jwk`` is a P-256 public key on the curve."""
    if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
        raise ValueError("not a P-256 key")
    x, y = b64url_decode(jwk["x"]), b64url_decode(jwk["y"])
    if len(x) != 32 or len(y) != 32:
        raise ValueError("bad coordinate length")
    return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b"\x04" + x + y)
