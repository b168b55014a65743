"""bytes <-> digits: the QR text layer.

A token's text is ``HEADER`` followed by the COSE bytes written as one big-endian
unsigned integer in decimal, zero-padded to exactly ``digit_count(n)`` digits for
``n`` bytes. ``digit_count`` is strictly increasing, so the byte length is recovered
from the number of digits, and each byte string has exactly one text.

Digits only: QR numeric mode packs 3 digits into 10 bits, i.e. 8.03 bits per byte,
as dense as byte mode, and keyboard-emulating 2D scanners type digits faithfully on
any keyboard layout.
"""
from .errors import DigitsError, InputTooLarge

#: "88" identifies Shikaku Pass, the next two digits the format version: "8801" (claim 15, the
#: revocation id) and "8802" (claim 18, the status index). The header is not signed; the two
#: versions' claims are disjoint (v1 requires claim 15, v2 forbids it), so relabelling a token
#: never makes it valid under the other version.
HEADER = "8801"
HEADER_V2 = "8802"
HEADERS = {HEADER: 1, HEADER_V2: 2}
VERSIONS = {version: header for header, version in HEADERS.items()}
#: No version-10 QR holds more than 513 digits; anything far beyond that is refused unread.
MAX_INPUT_CHARS = 2000

_FULLWIDTH = {ord("０") + i: str(i) for i in range(10)}
_WHITESPACE = {ord(c): None for c in " \t\r\n\u3000\u00a0\ufeff"}
_NORMALISE = {**_FULLWIDTH, **_WHITESPACE}


def digit_count(n_bytes: int) -> int:
    """Number of decimal digits needed for any ``n_bytes``-byte value."""
    return len(str(256**n_bytes - 1)) if n_bytes else 0


def normalise(text: str) -> str:
    """Full-width digits to ASCII; spaces and line breaks dropped."""
    if len(text) > MAX_INPUT_CHARS:
        raise InputTooLarge(f"{len(text)} characters (limit {MAX_INPUT_CHARS})")
    return text.translate(_NORMALISE)


def encode(data: bytes, version: int = 1) -> str:
    if not data:
        raise ValueError("nothing to encode")
    return VERSIONS[version] + str(int.from_bytes(data, "big")).zfill(digit_count(len(data)))


def decode(text: str) -> bytes:
    """Normalise, check the header (either version), and return the bytes. Raises DigitsError."""
    return decode_versioned(text)[1]


def decode_versioned(text: str) -> tuple[int, bytes]:
    """Normalise, check the header, and return (format version, bytes). Raises DigitsError."""
    digits = normalise(text)
    version = HEADERS.get(digits[:len(HEADER)])
    if version is None:
        raise DigitsError("not a Shikaku Pass code (header)")
    body = digits[len(HEADER):]
    if not body or not body.isascii() or not body.isdigit():
        raise DigitsError("only digits are allowed")
    n_bytes = _byte_count(len(body))
    if n_bytes is None:
        raise DigitsError(f"{len(body)} digits is not a valid length")
    value = int(body)
    if value >= 256**n_bytes:
        raise DigitsError(f"value too large for {len(body)} digits")
    return version, value.to_bytes(n_bytes, "big")


def _byte_count(n_digits: int) -> int | None:
    guess = n_digits * 1000 // 2409  # log10(256) = 2.40824
    for n in (guess - 1, guess, guess + 1, guess + 2):
        if n > 0 and digit_count(n) == n_digits:
            return n
    return None
