"""Server secrets: the Flask SECRET_KEY (cookies), the revocation-id HMAC key and the
activation-code HMAC key.

Each has its own job, so each can be rotated alone: a new SECRET_KEY signs everybody out
(old ones may stay in SECRET_KEY_FALLBACKS for a while) without voiding a single printed
activation code, whose key is ACTIVATION_SECRET (older ones in ACTIVATION_SECRET_FALLBACKS).
In development they are generated once into the instance folder (mode 0600); in
production they must be configured (SHIKAKU_SECRET_KEY, SHIKAKU_REVOCATION_SECRET,
SHIKAKU_ACTIVATION_SECRET). They are never logged.
"""
from __future__ import annotations

import os
import secrets as random
from pathlib import Path

from flask import Flask


class ConfigurationError(RuntimeError):
    pass


def init_app(app: Flask) -> None:
    for name in ("SECRET_KEY", "REVOCATION_SECRET", "ACTIVATION_SECRET"):
        if app.config.get(name):
            continue
        if app.config["ENV"] == "production":
            raise ConfigurationError(f"{name} must be set in production (SHIKAKU_{name})")
        app.config[name] = _instance_secret(Path(app.instance_path) / f"{name.lower()}.hex")


def _instance_secret(path: Path) -> str:
    if path.exists():
        return path.read_text().strip()
    value = random.token_hex(32)
    write_private_file(path, value.encode())
    return value


def write_private_file(path: Path, data: bytes) -> None:
    """Create ``path`` with mode 0600 (never world-readable, even for a moment)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
