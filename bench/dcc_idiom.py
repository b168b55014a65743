"""The peer: the same claims in the EU Digital COVID Certificate (DCC) idiom.

Layers, in the order the DCC specification lists them (encode; decode runs them backwards):

    claims -> DCC-style payload (short text keys, ISO dates)
           -> CWT  {1 iss, 4 exp, 6 iat, -260 hcert: {1: payload}}   (CBOR)
           -> COSE_Sign1 ES256, 8-byte kid in the protected header     (pycose)
           -> zlib, level 9
           -> Base45 (RFC 9285)
           -> "HC1:" prefix -> QR (segno picks alphanumeric mode)

The payload mirrors every Shikaku Pass claim. Where DCC's own style leaves a choice we take
the smaller one, so the comparison does not flatter Shikaku Pass: small enumerations
(relationship, sex, kind, ratio) are integers, optional fields are omitted when empty, and
DCC's mandatory standardised names (``fnt``/``gnt``) are left out (the token has no
romanised name). Identifiers stay text, as in DCC (``ci`` holds the revocation id in hex).
"""
from __future__ import annotations

import hashlib
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import cbor2
import segno
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pycose.algorithms import Es256
from pycose.headers import KID, Algorithm
from pycose.keys import EC2Key
from pycose.keys.curves import P256
from pycose.messages import Sign1Message

from server.token_core import Claims, DocumentKind, Relationship, Sex

PREFIX = "HC1:"
CWT_ISS, CWT_EXP, CWT_IAT, CWT_HCERT = 1, 4, 6, -260
KID_BYTES = 8          # DCC: first 8 bytes of a SHA-256 (of the DSC certificate there)
ZLIB_LEVEL = 9

# -- Base45, RFC 9285 ----------------------------------------------------------------
B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_B45_VALUE = {c: i for i, c in enumerate(B45)}


def b45encode(data: bytes) -> str:
    out = []
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        e, rest = divmod(n, 45 * 45)
        d, c = divmod(rest, 45)
        out += (B45[c], B45[d], B45[e])
    if len(data) % 2:
        d, c = divmod(data[-1], 45)
        out += (B45[c], B45[d])
    return "".join(out)


def b45decode(text: str) -> bytes:
    try:
        values = [_B45_VALUE[c] for c in text]
    except KeyError as exc:
        raise ValueError(f"not Base45: {exc}") from None
    if len(values) % 3 == 1:
        raise ValueError("Base45 length")
    out = bytearray()
    for i in range(0, len(values), 3):
        chunk = values[i:i + 3]
        n = sum(v * 45 ** k for k, v in enumerate(chunk))
        if len(chunk) == 3:
            if n > 0xFFFF:
                raise ValueError("Base45 triple out of range")
            out += n.to_bytes(2, "big")
        else:
            if n > 0xFF:
                raise ValueError("Base45 pair out of range")
            out.append(n)
    return bytes(out)


# -- keys ----------------------------------------------------------------------------
@dataclass(frozen=True)
class DccKey:
    kid: bytes
    cose_key: EC2Key           # with the private part, for signing
    public_cose_key: EC2Key

    @classmethod
    def from_private_key(cls, private_key: ec.EllipticCurvePrivateKey) -> "DccKey":
        nums = private_key.private_numbers()
        x, y = nums.public_numbers.x.to_bytes(32, "big"), nums.public_numbers.y.to_bytes(32, "big")
        spki = private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        return cls(kid=hashlib.sha256(spki).digest()[:KID_BYTES],
                   cose_key=EC2Key(crv=P256, x=x, y=y, d=nums.private_value.to_bytes(32, "big")),
                   public_cose_key=EC2Key(crv=P256, x=x, y=y))


# -- claims <-> payload ----------------------------------------------------------------
def payload(claims: Claims) -> dict:
    surname, space, given = claims.name.partition(" ")
    nam = {"fn": surname, "gn": given} if space else {"fn": surname}
    ins = {"is": claims.insurer_number, "no": claims.number, "rl": int(claims.relationship),
           "ac": claims.acquired_on.isoformat(), "rt": claims.copay_ratio // 10,
           "rf": claims.copay_from.isoformat(), "kd": int(claims.kind),
           "ci": claims.revocation_id.hex()}
    if claims.symbol:
        ins["sy"] = claims.symbol
    if claims.branch:
        ins["br"] = claims.branch
    if claims.limit_category is not None:
        ins["lc"] = claims.limit_category
    return {"ver": "1.0.0", "nam": nam, "dob": claims.birth_date.isoformat(),
            "sx": int(claims.sex), "ins": ins}


def cwt(claims: Claims) -> dict:
    return {CWT_ISS: claims.insurer_number, CWT_EXP: claims.expires_at,
            CWT_IAT: claims.issued_at, CWT_HCERT: {1: payload(claims)}}


def claims_from_cwt(token: dict) -> Claims:
    p = token[CWT_HCERT][1]
    ins, nam = p["ins"], p["nam"]
    return Claims(
        insurer_number=ins["is"], symbol=ins.get("sy", ""), number=ins["no"],
        branch=ins.get("br", ""), relationship=Relationship(ins["rl"]),
        name=nam["fn"] + (" " + nam["gn"] if "gn" in nam else ""), sex=Sex(p["sx"]),
        birth_date=date.fromisoformat(p["dob"]), acquired_on=date.fromisoformat(ins["ac"]),
        copay_ratio=ins["rt"] * 10, copay_from=date.fromisoformat(ins["rf"]),
        kind=DocumentKind(ins["kd"]), issued_at=token[CWT_IAT], expires_at=token[CWT_EXP],
        revocation_id=bytes.fromhex(ins["ci"]), limit_category=ins.get("lc"))


# -- the pipeline ------------------------------------------------------------------------
def encode(claims: Claims, key: DccKey) -> str:
    message = Sign1Message(phdr={Algorithm: Es256, KID: key.kid},
                           payload=cbor2.dumps(cwt(claims)), key=key.cose_key)
    cose = message.encode()          # tagged COSE_Sign1 (18), as DCC issuers emit
    return PREFIX + b45encode(zlib.compress(cose, ZLIB_LEVEL))


def decode(text: str, key: DccKey) -> Claims:
    """Reverse every layer and check the signature; raises ValueError on any failure."""
    if not text.startswith(PREFIX):
        raise ValueError("no HC1: prefix")
    message = sign1_decode(zlib.decompress(b45decode(text[len(PREFIX):])))
    if message.phdr.get(KID) != key.kid:
        raise ValueError("unknown kid")
    message.key = key.public_cose_key
    if not message.verify_signature():
        raise ValueError("bad signature")
    return claims_from_cwt(cbor2.loads(message.payload))


def sign1_decode(data: bytes) -> Sign1Message:
    """``Sign1Message.decode`` without its cbor2 6 breakage.

    pycose 1.1.0 checks ``isinstance(body, list)`` and ``type(uhdr) is dict``, but cbor2 6
    decodes the tagged array as a tuple of frozendicts, so ``Sign1Message.decode`` rejects
    every message ("Bytes cannot be decoded as COSE message"; TimothyClaeys/pycose#141).
    We decode the tag ourselves and hand pycose the list it expects.
    """
    item = cbor2.loads(data)
    if not isinstance(item, cbor2.CBORTag) or item.tag != Sign1Message.cbor_tag:
        raise ValueError("not a tagged COSE_Sign1")
    body = [dict(v) if isinstance(v, Mapping) else v for v in item.value]
    if len(body) != 4:
        raise ValueError("COSE_Sign1 must be an array of 4")
    return Sign1Message.from_cose_obj(body, True)


def qr(text: str) -> segno.QRCode:
    return segno.make_qr(text, error="m")
