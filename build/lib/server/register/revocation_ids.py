"""Revocation ids: an 8-byte keyed hash of a member's eligibility period.

Only the server (holding REVOCATION_SECRET) can compute one, so the trust list can
publish them without revealing whose they are.
"""
import hashlib
import hmac

from flask import current_app

from ..token_core.claims import REVOCATION_ID_BYTES


def revocation_id(eligibility) -> bytes:
    key = bytes.fromhex(current_app.config["REVOCATION_SECRET"])
    message = b"shikaku-rid|%d|" % eligibility.member_id + eligibility.revocation_seed
    return hmac.new(key, message, hashlib.sha256).digest()[:REVOCATION_ID_BYTES]


def card_revocation_id(card) -> bytes:
    """Each 資格確認書 has its own id, so withdrawing one card revokes that card only."""
    key = bytes.fromhex(current_app.config["REVOCATION_SECRET"])
    message = b"shikaku-card-rid|%d|%d|" % (card.member_id, card.id) + card.revocation_seed
    return hmac.new(key, message, hashlib.sha256).digest()[:REVOCATION_ID_BYTES]
