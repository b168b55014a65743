"""The signed trust list: which insurers, keys and revocations a verifier believes.

Wire form: a JWS in flattened JSON serialization (RFC 7515 §7.2.2), ES256, so a
browser checks it with WebCrypto alone: ``verify(ECDSA P-256 SHA-256, anchor,
signature, ASCII(protected "." payload))``. The payload is UTF-8 JSON::

    {"typ": "shikaku-trust-list", "v": 1, "iat": 1790000000, "exp": ..., "grace": ...,
     "insurers": {"33120015": "全国健康保険協会 東京支部"},
     "keys": [{"kid": "...", "alg": "ES256", "kty": "EC", "crv": "P-256", "x": "...", "y": "...",
               "signs_from": 1789000000, "signs_until": null, "insurers": ["33120015"]}],
     "revocations": [{"rid": "0011223344556677", "before": 1790000000}],
     "status": {"seq": 412, "root": "<64 hex digits>", "url": "status/"}}

``status`` (optional) is the signed root of the status lists that version-2 tokens are checked
against (status_lists.py); lists without it are version-1 lists as before.
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
#: The whole JWS text, counted in UTF-8 bytes, is refused beyond this before it is parsed.
MAX_TRUST_LIST_BYTES = 5_000_000
#: Verifiers try at most this many keys (in list order) for one kid.
MAX_KEYS_PER_KID = 8
#: Strict JSON: containers nest at most this deep (the list itself needs 4).
MAX_JSON_DEPTH = 16
#: Strict JSON: integers only, within the range every JSON parser reads exactly.
MAX_JSON_INT = 2**53 - 1


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
class StatusRoot:
    """The status lists a trust list vouches for: their root digest, a sequence number that
    grows with every new root, and where the snapshot and the deltas are (relative to the list)."""
    seq: int
    root: bytes     # SHA-256 of the directory (status_lists.StatusState.root)
    url: str

    def to_json(self) -> dict:
        return {"seq": self.seq, "root": self.root.hex(), "url": self.url}


#: ``status.url``: a relative reference (no scheme, not "//host"), resolved against the list's URL.
_RELATIVE_URL = re.compile(r"(?![A-Za-z][A-Za-z0-9+.-]*:)(?!//)[!-~]{1,1000}")


@dataclass(frozen=True)
class TrustList:
    issued_at: int
    expires_at: int     # refresh due; a stale warning after this
    grace: int          # seconds after expires_at before the list is unusable
    insurers: dict      # insurer number -> 保険者名称
    keys: tuple[TrustedKey, ...]
    revocations: dict   # revocation id -> before
    status: StatusRoot | None = None    # the status lists' signed root (version-2 tokens)

    def keys_for(self, kid: bytes) -> list[TrustedKey]:
        return [k for k in self.keys if k.kid == kid][:MAX_KEYS_PER_KID]

    def to_json(self) -> dict:
        return {
            "typ": TYP, "v": VERSION, "iat": self.issued_at, "exp": self.expires_at,
            "grace": self.grace, "insurers": dict(sorted(self.insurers.items())),
            "keys": [k.to_json() for k in self.keys],
            "revocations": [Revocation(r, b).to_json() for r, b in sorted(self.revocations.items())],
            **({"status": self.status.to_json()} if self.status is not None else {}),
        }

    @classmethod
    def from_json(cls, doc) -> "TrustList":
        """The payload document (already strict JSON), checked member by member."""
        try:
            doc = _object(doc, "the payload")
            if doc.get("typ") != TYP or type(doc.get("v")) is not int or doc["v"] != VERSION:
                raise TrustListError("not a version-1 Shikaku Pass trust list")
            keys = tuple(_trusted_key(k) for k in _array(doc["keys"], "keys")
                         if _text(_object(k, "a key entry")["alg"], "alg") == "ES256")
            revocations = {}
            for r in _array(doc["revocations"], "revocations"):
                r = _object(r, "a revocation entry")
                rid, before = _hex(r["rid"]), _int(r["before"])
                revocations[rid] = max(before, revocations.get(rid, before))
            insurers = _object(doc["insurers"], "insurers")
            if not all(isinstance(v, str) for v in insurers.values()):
                raise TrustListError("insurer names must be text")
            return cls(issued_at=_int(doc["iat"]), expires_at=_int(doc["exp"]),
                       grace=_int(doc["grace"]), insurers=dict(insurers), keys=keys,
                       revocations=revocations,
                       status=_status_root(doc["status"]) if "status" in doc else None)
        except TrustListError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise TrustListError(f"malformed trust list: {exc!r}") from exc

    @classmethod
    def from_signed(cls, text: str | bytes, anchor_jwk: dict) -> "TrustList":
        """Check the JWS with the pinned trust-anchor key, then parse the payload."""
        return cls.from_json(verify_signed_json(text, anchor_jwk))


def _trusted_key(k: dict) -> TrustedKey:
    return TrustedKey(kid=kid_bytes(k["kid"]), public_key=public_key_from_jwk(k),
                      insurers=frozenset(_strs(k["insurers"])), signs_from=_int(k["signs_from"]),
                      signs_until=None if k["signs_until"] is None else _int(k["signs_until"]))


def _status_root(value) -> StatusRoot:
    value = _object(value, "status")
    root = value["root"]
    if type(root) is not str or not re.fullmatch(r"[0-9a-f]{64}", root):
        raise TrustListError("status root: 64 lowercase hex digits expected")
    url = _text(value["url"], "status url")
    if not _RELATIVE_URL.fullmatch(url) or "\\" in url:
        raise TrustListError("status url: a relative reference of 1-1000 printable ASCII characters")
    return StatusRoot(seq=_int(value["seq"]), root=bytes.fromhex(root), url=url)


def _object(value, what: str) -> dict:
    if type(value) is not dict:
        raise TrustListError(f"{what} must be a JSON object")
    return value


def _array(value, what: str) -> list:
    if type(value) is not list:
        raise TrustListError(f"{what} must be a JSON array")
    return value


def _text(value, what: str) -> str:
    if type(value) is not str:
        raise TrustListError(f"{what} must be text")
    return value


def _int(value) -> int:
    """Instants and durations: non-negative integers up to 2^53 - 1."""
    if type(value) is not int or not 0 <= value <= MAX_JSON_INT:
        raise TrustListError(f"{value!r} is not a non-negative integer")
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
    """Check the JWS with the pinned anchor and return its payload document (strict JSON)."""
    try:
        if _utf8_size(text) > MAX_TRUST_LIST_BYTES:
            raise TrustListError("trust list too large")
        jws = _object(loads_strict(text), "the JWS")
        _check_header(_object(loads_strict(b64url_decode(jws["protected"])), "the JWS header"))
        signature = b64url_decode(jws["signature"])
        if len(signature) != 64:
            raise TrustListError("signature must be 64 bytes")
        anchor = public_key_from_jwk(anchor_jwk)
        r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        anchor.verify(encode_dss_signature(r, s),
                      f"{jws['protected']}.{_text(jws['payload'], 'payload')}".encode(),
                      ec.ECDSA(hashes.SHA256()))
        return loads_strict(b64url_decode(jws["payload"]))
    except TrustListError:
        raise
    except InvalidSignature as exc:
        raise TrustListError("trust list signature does not verify with the pinned anchor") from exc
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError) as exc:
        raise TrustListError(f"malformed trust list: {exc!r}") from exc


def _utf8_size(text) -> int:
    if isinstance(text, str):   # a code point is at least one byte: skip encoding huge texts
        return len(text) if len(text) > MAX_TRUST_LIST_BYTES else len(
            text.encode("utf-8", "surrogatepass"))
    return len(text)


def _check_header(header: dict) -> None:
    """alg ES256 and our typ; no crit (we understand no extension). The kid is not used: the
    pinned anchor is the only key a verifier has, and the signature decides."""
    if header.get("alg") != "ES256" or header.get("typ") != TYP + "+jws":
        raise TrustListError("unexpected JWS header")
    if "crit" in header:
        raise TrustListError("JWS header crit: no extension is understood")


# -- strict JSON: what Python's json and JavaScript's JSON.parse read the same way ----------

def loads_strict(data: str | bytes):
    """JSON in UTF-8 without a BOM; no duplicate member names (at any depth); numbers are
    integers written without fraction or exponent, |n| <= 2^53 - 1 (no NaN or Infinity);
    containers nest at most MAX_JSON_DEPTH deep. Raises TrustListError."""
    if not isinstance(data, str):
        data = bytes(data).decode("utf-8")     # strict; a BOM stays and json refuses it
    value = json.loads(data, object_pairs_hook=_no_duplicates, parse_int=_json_int,
                       parse_float=_no_float, parse_constant=_no_float)
    _check_depth(value)
    return value


def _no_duplicates(pairs: list) -> dict:
    doc = dict(pairs)
    if len(doc) != len(pairs):
        raise TrustListError("duplicate JSON member names")
    return doc


def _json_int(literal: str) -> int:
    value = int(literal)
    if abs(value) > MAX_JSON_INT:
        raise TrustListError("JSON integer beyond 2^53 - 1")
    return value


def _no_float(literal: str):
    raise TrustListError(f"JSON number {literal[:20]} is not an integer")


def _check_depth(value) -> None:
    level = [value]
    for _ in range(MAX_JSON_DEPTH):
        level = [c for v in level if isinstance(v, (dict, list))
                 for c in (v.values() if isinstance(v, dict) else v)]
    if any(isinstance(v, (dict, list)) for v in level):
        raise TrustListError(f"JSON nested deeper than {MAX_JSON_DEPTH}")


def _json_bytes(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
