"""Passkey (WebAuthn) ceremonies with py_webauthn, for staff and members alike.

Resident keys and user verification are required. Each challenge is kept on the server
(CeremonyChallenge), bound to the browser that asked for it, consumed exactly once by an
atomic update when verified (a replayed assertion finds it used), and expires after
CHALLENGE_SECONDS.
"""
from __future__ import annotations

import hashlib
import json
import secrets
from urllib.parse import urlsplit

from flask import current_app, session
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.cose import COSEAlgorithmIdentifier
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from .. import clock
from ..extensions import db
from ..models import CeremonyChallenge, PasskeyCredential
from ..problems import Problem

CHALLENGE_SECONDS = 300
ALGORITHMS = [COSEAlgorithmIdentifier.ECDSA_SHA_256, COSEAlgorithmIdentifier.EDDSA,
              COSEAlgorithmIdentifier.RSASSA_PKCS1_v1_5_SHA_256]


class PasskeyError(Problem):
    """A ceremony failed."""


def rp_id() -> str:
    return current_app.config.get("WEBAUTHN_RP_ID") or urlsplit(current_app.config["PUBLIC_URL"]).hostname


def origin() -> str:
    parts = urlsplit(current_app.config["PUBLIC_URL"])
    return f"{parts.scheme}://{parts.netloc}"


def _browser() -> bytes:
    """A random value in this browser's cookie: a challenge is completed by the browser that
    asked for it (its hash is stored with the challenge)."""
    if not isinstance(session.get("browser"), str):
        session["browser"] = secrets.token_urlsafe(16)
    return hashlib.sha256(session["browser"].encode()).digest()


def _remember(purpose: str, challenge: bytes, **extra) -> None:
    """Keep the challenge on the server until it is used once or expires (commits)."""
    now = clock.now()
    db.session.execute(db.delete(CeremonyChallenge).where(CeremonyChallenge.expires_at < now - 86400))
    record = CeremonyChallenge(purpose=purpose, challenge=challenge, browser_hash=_browser(),
                               state_json=json.dumps(extra), created_at=now,
                               expires_at=now + CHALLENGE_SECONDS)
    db.session.add(record)
    db.session.commit()
    session[f"webauthn:{purpose}"] = record.id


def _expired() -> PasskeyError:
    return PasskeyError("ceremony_expired", "操作の有効時間が過ぎました。もう一度お試しください",
                        "the request expired or was already used; try again")


def _take(purpose: str) -> dict:
    """Consume this browser's challenge for ``purpose``: one atomic update, so the same
    assertion verified twice (a replay, or two requests at once) succeeds at most once."""
    challenge_id = session.pop(f"webauthn:{purpose}", None)
    if not isinstance(challenge_id, int):
        raise _expired()
    now = clock.now()
    taken = db.session.execute(db.update(CeremonyChallenge).where(
        CeremonyChallenge.id == challenge_id, CeremonyChallenge.purpose == purpose,
        CeremonyChallenge.browser_hash == _browser(), CeremonyChallenge.consumed_at.is_(None),
        CeremonyChallenge.expires_at > now).values(consumed_at=now)).rowcount
    db.session.commit()
    if taken != 1:
        raise _expired()
    record = db.session.get(CeremonyChallenge, challenge_id)
    return {**json.loads(record.state_json), "challenge": bytes_to_base64url(record.challenge)}


def registration_options(purpose: str, *, user_id: bytes, user_name: str, display_name: str,
                         owner_type: str, owner_id: int | None, **extra) -> str:
    existing = db.session.scalars(db.select(PasskeyCredential).where(
        PasskeyCredential.owner_type == owner_type, PasskeyCredential.owner_id == owner_id)) \
        if owner_id is not None else []
    options = generate_registration_options(
        rp_id=rp_id(), rp_name=current_app.config.get("WEBAUTHN_RP_NAME", "資格パス"),
        user_id=user_id, user_name=user_name, user_display_name=display_name,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=c.credential_id) for c in existing],
        supported_pub_key_algs=ALGORITHMS)
    _remember(purpose, options.challenge, **extra)
    return options_to_json(options)


def verify_registration(purpose: str, credential: dict, *, owner_type: str, owner_id: int,
                        name: str = "") -> PasskeyCredential:
    """Check the attestation response and add the credential (caller commits)."""
    state = _take(purpose)
    try:
        verified = verify_registration_response(
            credential=credential, expected_challenge=base64url_to_bytes(state["challenge"]),
            expected_rp_id=rp_id(), expected_origin=origin(), require_user_verification=True,
            supported_pub_key_algs=ALGORITHMS)
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        raise PasskeyError("registration_failed", "パスキーを登録できませんでした",
            "the passkey could not be registered") from exc
    transports = credential.get("response", {}).get("transports") or []
    record = PasskeyCredential(
        owner_type=owner_type, owner_id=owner_id, credential_id=verified.credential_id,
        public_key=verified.credential_public_key, sign_count=verified.sign_count,
        transports=",".join(t for t in transports if isinstance(t, str))[:200], name=name[:100],
        created_at=clock.now())
    db.session.add(record)
    return record


def state(purpose: str) -> dict | None:
    """What the options step remembered for ``purpose`` (not consumed), or None."""
    challenge_id = session.get(f"webauthn:{purpose}")
    record = db.session.get(CeremonyChallenge, challenge_id) if isinstance(challenge_id, int) else None
    if record is None or record.consumed_at is not None or record.expires_at <= clock.now():
        return None
    return json.loads(record.state_json)


def authentication_options(purpose: str) -> str:
    """Usernameless: no allowCredentials, the authenticator offers its discoverable keys."""
    options = generate_authentication_options(
        rp_id=rp_id(), user_verification=UserVerificationRequirement.REQUIRED)
    _remember(purpose, options.challenge)
    return options_to_json(options)


def verify_authentication(purpose: str, credential: dict, *, owner_type: str) -> PasskeyCredential:
    state = _take(purpose)
    try:
        credential_id = base64url_to_bytes(credential["rawId"])
    except (KeyError, TypeError, ValueError) as exc:
        raise PasskeyError("sign_in_failed", "サインインできませんでした",
            "sign-in failed") from exc
    record = db.session.scalar(db.select(PasskeyCredential).where(
        PasskeyCredential.credential_id == credential_id, PasskeyCredential.owner_type == owner_type))
    if record is None:
        raise PasskeyError("unknown_passkey", "このパスキーは登録されていません",
            "this passkey is not registered")
    try:
        verified = verify_authentication_response(
            credential=credential, expected_challenge=base64url_to_bytes(state["challenge"]),
            expected_rp_id=rp_id(), expected_origin=origin(),
            credential_public_key=record.public_key,
            credential_current_sign_count=record.sign_count, require_user_verification=True)
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        raise PasskeyError("sign_in_failed", "サインインできませんでした（本人確認が必要です）",
            "sign-in failed; user verification is required") from exc
    record.sign_count = verified.new_sign_count
    record.last_used_at = clock.now()
    return record
