"""A software passkey for tests without a browser: a P-256 key registered in the database,
and WebAuthn assertions signed as an authenticator signs them (authenticatorData, then a
signature over it and the hash of clientDataJSON). The server verifies them with
py_webauthn exactly as it verifies Chromium's virtual authenticator."""
from __future__ import annotations

import hashlib
import json
import secrets
import struct

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url

UP, UV = 0x01, 0x04


class SoftPasskey:
    def __init__(self, *, rp_id: str = "localhost", origin: str = "http://localhost:5000"):
        self.rp_id, self.origin = rp_id, origin
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = secrets.token_bytes(16)
        self.sign_count = 0

    def cose_public_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"),
                            -3: numbers.y.to_bytes(32, "big")})

    def register(self, db, owner_type: str, owner_id: int, now: int) -> None:
        """Store the credential as a completed registration would."""
        from server.models import PasskeyCredential
        db.session.add(PasskeyCredential(owner_type=owner_type, owner_id=owner_id,
                                         credential_id=self.credential_id,
                                         public_key=self.cose_public_key(), sign_count=0,
                                         name="soft", created_at=now))
        db.session.commit()

    def assertion(self, options: dict, *, user_verified: bool = True) -> dict:
        """The credential JSON (as toJSON() gives it) answering request ``options``."""
        self.sign_count += 1
        client_data = json.dumps({"type": "webauthn.get", "challenge": options["challenge"],
                                  "origin": self.origin, "crossOrigin": False}).encode()
        flags = UP | (UV if user_verified else 0)
        auth_data = (hashlib.sha256(self.rp_id.encode()).digest() + bytes([flags])
                     + struct.pack(">I", self.sign_count))
        signature = self.key.sign(auth_data + hashlib.sha256(client_data).digest(),
                                  ec.ECDSA(hashes.SHA256()))
        raw_id = bytes_to_base64url(self.credential_id)
        return {"id": raw_id, "rawId": raw_id, "type": "public-key",
                "response": {"clientDataJSON": bytes_to_base64url(client_data),
                             "authenticatorData": bytes_to_base64url(auth_data),
                             "signature": bytes_to_base64url(signature)},
                "clientExtensionResults": {}}


    def attestation(self, options: dict) -> dict:
        """The credential JSON answering creation ``options`` ("none" attestation, UV)."""
        client_data = json.dumps({"type": "webauthn.create", "challenge": options["challenge"],
                                  "origin": self.origin, "crossOrigin": False}).encode()
        attested = (bytes(16) + struct.pack(">H", len(self.credential_id)) + self.credential_id
                    + self.cose_public_key())
        auth_data = (hashlib.sha256(self.rp_id.encode()).digest() + bytes([UP | UV | 0x40])
                     + struct.pack(">I", 0) + attested)
        raw_id = bytes_to_base64url(self.credential_id)
        attestation_object = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {"id": raw_id, "rawId": raw_id, "type": "public-key",
                "response": {"clientDataJSON": bytes_to_base64url(client_data),
                             "attestationObject": bytes_to_base64url(attestation_object),
                             "transports": ["internal"]},
                "clientExtensionResults": {}}


def challenge_of(options: dict) -> bytes:
    return base64url_to_bytes(options["challenge"])
