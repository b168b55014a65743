"""Typed errors, one per layer. :func:`verify` turns them into result codes."""


class TokenError(Exception):
    """Base class: anything wrong with a token or a trust list."""


class InputTooLarge(TokenError):
    """The input is longer than any token can be; rejected before parsing."""


class DigitsError(TokenError):
    """The text is not a Shikaku Pass digit string (header, alphabet, length)."""


class CoseError(TokenError):
    """The bytes are not a COSE_Sign1 structure of the form we issue."""


class ClaimsError(TokenError):
    """The signed payload is not a valid claims map."""


class SignatureError(TokenError):
    """The signature does not verify with any key carrying the token's key id."""


class TrustListError(TokenError):
    """The trust list is malformed or its signature does not verify with the pinned anchor."""


class StatusListError(TokenError):
    """A status-list snapshot or delta is malformed, beyond its bounds, or its root is not the
    signed one."""
