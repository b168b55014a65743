"""The signed trust list: which insurers, keys and revocations a verifier believes.

Wire form: a JWS in flattened JSON serialization (RFC 7515 §7.2.2), ES256, so a
browser checks it with WebCrypto alone: ``verify(ECDSA P-256 SHA-256, anchor,
signature, ASCII(protected "." payload))``. The payload is UTF-8 JSON::

    {"typ": "shikaku-trust-list", "v": 1, "iat": 1790000000, "exp": ..., "grace": ...,
     "insurers": {"33120015": "全国健康保険協会 東京支部"},
     "keys": [{"kid": "...", "alg": "ES256", "kty": "EC", "crv": "P-256", "x": "...", "y": "...",
               "signs_from": 1789000000, "signs_until": null, "insurers": ["33120015"]}],
     "revocations": [{"rid": "0011223344556677", "before": 1790000000}]}
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature, encode_dss_signature)

from .errors import TrustListError
from .keys import b64url, b64url_decode, kid_bytes, kid_text, public_jwk, public_key_from_jwk

TYP = "shikaku-trust-list"
VERSION = 1
MAX_TRUST_LIST_BYTES = 5_000_000
MAX_KEYS_PER_KID = 8


@dataclass(frozen=True)
class TrustedKey:
    kid: bytes
    public_key: ec.EllipticCurvePublicKey
    insurers: frozenset[str]
    signs_from: int
    signs_until: int | None    # None while the key is current

    def to_json(self) -> dict:
        return {**public_jwk(self.public_key, self.kid), "alg": "ES256",
                "signs_from": self.signs_from, "signs_until": self.signs_until,
                "insurers": sorted(self.insurers)}


@dataclass(frozen=True)
class Revocation:
    revocation_id: bytes
    before: int     # tokens issued before this instant are revoked

    def to_json(self) -> dict:
        return {"rid": self.revocation_id.hex(), "before": self.before}


@dataclass(frozen=True)
class TrustList:
    issued_at: int
    expires_at: int     # refresh due; a stale warning after this
    grace: int          # seconds after expires_at before the list is unusable
    insurers: dict      # insurer number -> 保険者名称
    keys: tuple[TrustedKey, ...]
    revocations: dict   # revocation id -> before

    def keys_for(self, kid: bytes) -> list[TrustedKey]:
        return [k for k in self.keys if k.kid == kid][:MAX_KEYS_PER_KID]

    def to_json(self) -> dict:
        return {
            "typ": TYP, "v": VERSION, "iat": self.issued_at, "exp": self.expires_at,
            "grace": self.grace, "insurers": dict(sorted(self.insurers.items())),
            "keys": [k.to_json() for k in self.keys],
            "revocations": [Revocation(r, b).to_json() for r, b in sorted(self.revocations.items())],
        }

    @classmethod
    def from_json(cls, doc) -> "TrustList":
        try:
            if doc["typ"] != TYP or type(doc["v"]) is not int or doc["v"] != VERSION:
                raise TrustListError("not a version-1 Shikaku Pass trust list")
            keys = tuple(
                TrustedKey(kid=kid_bytes(k["kid"]), public_key=public_key_from_jwk(k),
                           insurers=frozenset(_strs(k["insurers"])),
                           signs_from=_int(k["signs_from"]),
                           signs_until=None if k["signs_until"] is None else _int(k["signs_until"]))
                for k in doc["keys"] if k.get("alg") == "ES256")
            revocations = {}
            for r in doc["revocations"]:
                rid, before = _hex(r["rid"]), _int(r["before"])
                revocations[rid] = max(before, revocations.get(rid, before))
            insurers = doc["insurers"]
            if not all(isinstance(v, str) for v in insurers.values()):
                raise TrustListError("insurer names must be text")
            return cls(issued_at=_int(doc["iat"]), expires_at=_int(doc["exp"]),
                       grace=_int(doc["grace"]), insurers=dict(insurers), keys=keys,
                       revocations=revocations)
        except TrustListError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise TrustListError(f"malformed trust list: {exc!r}") from exc

    @classmethod
    def from_signed(cls, text: str | bytes, anchor_jwk: dict) -> "TrustList":
        """Check the JWS with the pinned trust-anchor key, then parse the payload."""
        return cls.from_json(verify_signed_json(text, anchor_jwk))


def _int(value) -> int:
    if type(value) is not int:
        raise TrustListError(f"{value!r} is not an integer")
    return value


def _hex(text) -> bytes:
    if not isinstance(text, str) or not re.fullmatch(r"(?:[0-9a-f]{2}){1,32}", text):
        raise TrustListError(f"{text!r} is not lowercase hex")
    return bytes.fromhex(text)


def _strs(values) -> list[str]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise TrustListError("insurers must be a list of text")
    return values


def sign_trust_list(trust_list: TrustList, anchor_key: ec.EllipticCurvePrivateKey,
                    anchor_kid: bytes) -> str:
    header = {"alg": "ES256", "kid": kid_text(anchor_kid), "typ": TYP + "+jws"}
    protected = b64url(_json_bytes(header))
    payload = b64url(_json_bytes(trust_list.to_json()))
    der = anchor_key.sign(f"{protected}.{payload}".encode(), ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    signature = b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))
    return json.dumps({"protected": protected, "payload": payload, "signature": signature},
                      indent=1)


def verify_signed_json(text: str | bytes, anchor_jwk: dict) -> dict:
    try:
        if len(text) > MAX_TRUST_LIST_BYTES:
            raise TrustListError("trust list too large")
        jws = json.loads(text)
        header = json.loads(b64url_decode(jws["protected"]))
        if header.get("alg") != "ES256" or header.get("typ") != TYP + "+jws":
            raise TrustListError("unexpected JWS header")
        signature = b64url_decode(jws["signature"])
        if len(signature) != 64:
            raise TrustListError("signature must be 64 bytes")
        anchor = public_key_from_jwk(anchor_jwk)
        r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        anchor.verify(encode_dss_signature(r, s),
                      f"{jws['protected']}.{jws['payload']}".encode(), ec.ECDSA(hashes.SHA256()))
        return json.loads(b64url_decode(jws["payload"]))
    except TrustListError:
        raise
    except InvalidSignature as exc:
        raise TrustListError("trust list signature does not verify with the pinned anchor") from exc
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError) as exc:
        raise TrustListError(f"malformed trust list: {exc!r}") from exc


def _json_bytes(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
