"""Private keys on disk: the trust anchor and the token-signing keys.

Files live in KEY_DIR (instance/keys by default), created with mode 0600 and
encrypted with KEY_PASSPHRASE when one is configured. Private keys never leave
this module except as objects handed to the signer; they are never logged or served.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from flask import current_app

from ..instance_secrets import write_private_file
from ..token_core.keys import SigningKey, generate_private_key, kid_text, signing_key as key_of

ANCHOR_FILE = "trust-anchor.pem"


class KeyMissing(LookupError):
    """A private key the server needs is not in the key directory."""


def _dir() -> Path:
    return Path(current_app.config["KEY_DIR"])


def _passphrase() -> bytes | None:
    secret = current_app.config.get("KEY_PASSPHRASE")
    return secret.encode() if secret else None


def _save(path: Path, private_key) -> None:
    secret = _passphrase()
    encryption = (serialization.BestAvailableEncryption(secret) if secret
                  else serialization.NoEncryption())
    write_private_file(path, private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption))


#: Parsed keys by file identity (path, inode, mtime, size): parsing a PEM (and decrypting it
#: with KEY_PASSPHRASE) costs far more than signing, so each process does it once per file.
#: The file is looked at on every use, so a destroyed (revoked) key is never used again.
_parsed: dict[tuple, object] = {}


def _load(path: Path):
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise KeyMissing(path.name) from None
    identity = (str(path), stat.st_ino, stat.st_mtime_ns, stat.st_size)
    key = _parsed.get(identity)
    if key is None:
        key = serialization.load_pem_private_key(path.read_bytes(), password=_passphrase())
        for old in [k for k in _parsed if k[0] == identity[0]]:
            del _parsed[old]
        _parsed[identity] = key
    return key


def has_anchor() -> bool:
    return (_dir() / ANCHOR_FILE).exists()


def create_anchor() -> SigningKey:
    key = key_of(generate_private_key())
    _save(_dir() / ANCHOR_FILE, key.private_key)
    return key


def anchor() -> SigningKey:
    return key_of(_load(_dir() / ANCHOR_FILE))


def create_signing_key(taken: Callable[[bytes], bool] = lambda kid: False) -> SigningKey:
    """A new key whose kid no other key has, in the directory or ``taken`` (the register's
    records, revoked keys included): a colliding kid is drawn again, as docs/token-format.md
    says, so a key file is created and never overwritten."""
    while True:
        key = key_of(generate_private_key())
        if not _signing_path(key.kid).exists() and not taken(key.kid):
            _save(_signing_path(key.kid), key.private_key)
            return key


def signing_key(kid: bytes) -> SigningKey:
    return SigningKey(kid=kid, private_key=_load(_signing_path(kid)))


def destroy_signing_key(kid: bytes) -> None:
    _signing_path(kid).unlink(missing_ok=True)


def _signing_path(kid: bytes) -> Path:
    return _dir() / f"signing-{kid_text(kid)}.pem"
