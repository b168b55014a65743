"""pycose as an independent oracle for our COSE_Sign1 layer (RFC 9052).

pycose verifies ES256 with python-ecdsa, not with the ``cryptography`` package our core uses,
so agreement here is agreement between two ECDSA implementations and two COSE readers.

pycose 1.1.0's ``CoseMessage.decode`` checks ``isinstance(cose_obj, list)``, but cbor2 >= 6
decodes the contents of a tag as immutable (a tuple, with a frozendict for the unprotected
header), so ``Sign1Message.decode`` rejects every tagged message. We therefore let cbor2 read
the outer tag and hand the four members to pycose's own ``Sign1Message.from_cose_obj``, which
does the rest (protected-header parsing, Sig_structure, signature check) as ``decode`` would.
"""
import cbor2
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from pycose.algorithms import Es256
from pycose.headers import KID, Algorithm
from pycose.keys import EC2Key
from pycose.keys.curves import P256
from pycose.messages import Sign1Message

from server.token_core import cose, digits
from server.token_core.keys import b64url_decode, public_jwk
from server.token_core.verify import Status, verify


def pycose_decode(data: bytes) -> Sign1Message:
    tag = cbor2.loads(data)
    assert isinstance(tag, cbor2.CBORTag) and tag.tag == Sign1Message.cbor_tag == 18
    protected, unprotected, payload, signature = tag.value
    return Sign1Message.from_cose_obj([protected, dict(unprotected), payload, signature],
                                      allow_unknown_attributes=False)


@pytest.fixture(scope="module")
def public_cose_key(signing_key) -> EC2Key:
    """The published key, rebuilt from the JWK a browser would import."""
    jwk = public_jwk(signing_key.private_key.public_key(), signing_key.kid)
    return EC2Key(crv=P256, x=b64url_decode(jwk["x"]), y=b64url_decode(jwk["y"]))


@pytest.fixture(scope="module")
def private_cose_key(signing_key) -> EC2Key:
    d = signing_key.private_key.private_numbers().private_value.to_bytes(32, "big")
    return EC2Key(crv=P256, d=d)


def test_pycose_verifies_our_token(token, make_claims, signing_key, public_cose_key):
    message = pycose_decode(digits.decode(token))
    message.key = public_cose_key
    assert message.verify_signature() is True
    assert message.phdr == {Algorithm: Es256, KID: signing_key.kid}
    assert message.uhdr == {}
    assert message.get_attr(KID) == signing_key.kid
    assert cbor2.loads(message.payload) == make_claims().to_map()


def test_pycose_rejects_our_token_with_a_payload_byte_flipped(token, public_cose_key):
    data = bytearray(digits.decode(token))
    payload = cose.parse(bytes(data)).payload
    start = bytes(data).index(payload)
    for offset in (0, len(payload) // 2, len(payload) - 1):
        tampered = bytearray(data)
        tampered[start + offset] ^= 0x01
        message = pycose_decode(bytes(tampered))
        message.key = public_cose_key
        assert message.verify_signature() is False


def test_pycose_rejects_our_token_under_another_key(token, other_signing_key):
    numbers = other_signing_key.private_key.public_key().public_numbers()
    message = pycose_decode(digits.decode(token))
    message.key = EC2Key(crv=P256, x=numbers.x.to_bytes(32, "big"), y=numbers.y.to_bytes(32, "big"))
    assert message.verify_signature() is False


def test_a_pycose_message_is_byte_identical_and_verifies(make_claims, signing_key, private_cose_key,
                                                         trust_list, now):
    claims = make_claims()
    payload = cose.dumps(claims.to_map())
    made = Sign1Message(phdr={Algorithm: Es256, KID: signing_key.kid}, payload=payload,
                        key=private_cose_key).encode()
    # pycose signs deterministically (RFC 6979); ours signs with a random nonce. With the
    # nonce made deterministic too, our layout gives exactly pycose's bytes: same tag, same
    # protected header {1: -7, 4: kid} (alg then kid is also the deterministic key order),
    # an empty unprotected map, and the raw 64-byte r||s signature.
    parsed = cose.parse(made)
    der = signing_key.private_key.sign(parsed.to_be_signed(),
                                       ec.ECDSA(hashes.SHA256(), deterministic_signing=True))
    r, s = decode_dss_signature(der)
    ours = cose.dumps(cbor2.CBORTag(18, [cose.dumps({1: -7, 4: signing_key.kid}), {}, payload,
                                         r.to_bytes(32, "big") + s.to_bytes(32, "big")]))
    assert made == ours
    assert parsed.protected == cose.parse(digits.decode(
        digits.encode(cose.sign(payload, signing_key.kid, signing_key.private_key)))).protected

    result = verify(digits.encode(made), trust_list(), now=now)
    assert result.status is Status.VALID, result.detail
    assert result.claims == claims


def test_pycose_headers_in_another_shape_are_refused(make_claims, signing_key, private_cose_key,
                                                     trust_list, now):
    """Valid COSE that we never issue: pycose verifies it, our verifier calls it malformed."""
    payload = cose.dumps(make_claims().to_map())
    shapes = {
        # kid inserted first: pycose keeps insertion order, a2 04 44 <kid> 01 26, which is not
        # deterministic CBOR (RFC 8949 §4.2.1 sorts key 1 before key 4).
        "kid before alg": dict(phdr={KID: signing_key.kid, Algorithm: Es256}),
        # kid in the unprotected header: it would not be covered by the signature.
        "unprotected kid": dict(phdr={Algorithm: Es256}, uhdr={KID: signing_key.kid}),
    }
    for name, headers in shapes.items():
        made = Sign1Message(payload=payload, key=private_cose_key, **headers).encode()
        message = pycose_decode(made)
        message.key = private_cose_key
        assert message.verify_signature() is True, name
        result = verify(digits.encode(made), trust_list(), now=now)
        assert result.status is Status.MALFORMED, name
    kid_first = cbor2.loads(Sign1Message(payload=payload, key=private_cose_key,
                                         **shapes["kid before alg"]).encode()).value[0]
    assert kid_first == bytes([0xA2, 0x04, 0x44]) + signing_key.kid + bytes([0x01, 0x26])
    assert kid_first != cose.dumps({1: -7, 4: signing_key.kid})
