"""The signed trust list: a flattened JWS (ES256) that a browser checks with WebCrypto alone."""
import base64
import hashlib
import hmac
import json

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from hypothesis import given, settings
from hypothesis import strategies as st

from server.token_core.errors import TrustListError
from server.token_core.keys import key_id_for, public_jwk
from server.token_core.trust_list import MAX_TRUST_LIST_BYTES, TYP, TrustList, sign_trust_list

DAY = 86_400


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.fixture(scope="module")
def anchor_jwk(anchor_key) -> dict:
    return public_jwk(anchor_key.public_key())


@pytest.fixture(scope="module")
def full_list(trust_list, trusted_key, other_signing_key, insurer, now) -> TrustList:
    """Two keys (one retired), two insurers with Japanese names, two revocations."""
    return trust_list(
        [trusted_key(signs_from=now - 30 * DAY),
         trusted_key(other_signing_key, insurers=[insurer, "138156"], signs_from=now - 400 * DAY,
                     signs_until=now - 30 * DAY)],
        insurers={insurer: "シカク健康保険組合", "138156": "𠮷野町国民健康保険"},
        revocations={bytes.fromhex("0011223344556677"): now - DAY, b"\xff" * 8: now - 2 * DAY})


@pytest.fixture(scope="module")
def signed(full_list, anchor_key) -> str:
    return sign_trust_list(full_list, anchor_key, key_id_for(anchor_key.public_key()))


def sign_jws(header: dict, payload: bytes, anchor_key) -> str:
    """An ES256 flattened JWS made here, independently of the core's signer."""
    protected = b64url(json.dumps(header).encode())
    encoded_payload = b64url(payload)
    der = anchor_key.sign(f"{protected}.{encoded_payload}".encode(), ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    return json.dumps({"protected": protected, "payload": encoded_payload,
                       "signature": b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))})


HEADER = {"alg": "ES256", "typ": TYP + "+jws"}


# -- round trip ------------------------------------------------------------------------------

def test_sign_then_read_round_trips(signed, full_list, anchor_jwk):
    assert TrustList.from_signed(signed, anchor_jwk) == full_list
    assert TrustList.from_signed(signed.encode(), anchor_jwk) == full_list


def test_the_jws_verifies_with_plain_webcrypto_style_primitives(signed, full_list, anchor_key):
    """What a browser does: ECDSA P-256 SHA-256 over ASCII(protected "." payload), with the
    signature as raw r||s (WebCrypto's form), which we convert to DER for ``cryptography``."""
    jws = json.loads(signed)
    assert set(jws) == {"protected", "payload", "signature"}
    for part in jws.values():
        assert set(part) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    header = json.loads(unb64url(jws["protected"]))
    assert header == {"alg": "ES256", "kid": key_id_for(anchor_key.public_key()).hex(),
                      "typ": "shikaku-trust-list+jws"}
    raw = unb64url(jws["signature"])
    assert len(raw) == 64
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    signing_input = f"{jws['protected']}.{jws['payload']}".encode("ascii")
    anchor_key.public_key().verify(der, signing_input, ec.ECDSA(hashes.SHA256()))
    with pytest.raises(InvalidSignature):
        anchor_key.public_key().verify(der, signing_input + b" ", ec.ECDSA(hashes.SHA256()))
    assert json.loads(unb64url(jws["payload"]).decode("utf-8")) == full_list.to_json()


def test_an_independently_signed_list_is_read(full_list, anchor_key, anchor_jwk):
    payload = json.dumps(full_list.to_json(), ensure_ascii=False).encode()
    assert TrustList.from_signed(sign_jws(HEADER, payload, anchor_key), anchor_jwk) == full_list


# -- refusals ------------------------------------------------------------------------------

def test_a_list_signed_by_another_key_is_refused(full_list, other_signing_key, anchor_jwk):
    forged = sign_trust_list(full_list, other_signing_key.private_key, other_signing_key.kid)
    with pytest.raises(TrustListError, match="does not verify"):
        TrustList.from_signed(forged, anchor_jwk)


def test_a_tampered_payload_is_refused(signed, full_list, anchor_jwk, other_signing_key):
    jws = json.loads(signed)
    doc = json.loads(unb64url(jws["payload"]))
    doc["revocations"] = []                                 # un-revoke everybody
    jws["payload"] = b64url(json.dumps(doc).encode())
    with pytest.raises(TrustListError, match="does not verify"):
        TrustList.from_signed(json.dumps(jws), anchor_jwk)


@pytest.mark.parametrize("part", ["protected", "payload", "signature"])
def test_any_part_changed_is_refused(part, signed, anchor_jwk):
    jws = json.loads(signed)
    value = jws[part]
    for position in (0, len(value) // 2, len(value) - 2):
        changed = "A" if value[position] != "A" else "B"
        jws[part] = value[:position] + changed + value[position + 1:]
        with pytest.raises(TrustListError):
            TrustList.from_signed(json.dumps(jws), anchor_jwk)


def test_alg_none_is_refused(full_list, anchor_jwk):
    payload = b64url(json.dumps(full_list.to_json()).encode())
    for signature in ("", b64url(b"\x00" * 64)):
        jws = {"protected": b64url(json.dumps({"alg": "none", "typ": TYP + "+jws"}).encode()),
               "payload": payload, "signature": signature}
        with pytest.raises(TrustListError):
            TrustList.from_signed(json.dumps(jws), anchor_jwk)


def test_hs256_keyed_with_the_public_key_is_refused(full_list, anchor_jwk):
    """The classic confusion attack: HMAC with the (public) anchor JWK as the secret."""
    protected = b64url(json.dumps({"alg": "HS256", "typ": TYP + "+jws"}).encode())
    payload = b64url(json.dumps(full_list.to_json()).encode())
    for secret in (json.dumps(anchor_jwk).encode(), unb64url(anchor_jwk["x"])):
        mac = hmac.new(secret, f"{protected}.{payload}".encode(), hashlib.sha256).digest()
        for signature in (mac, mac + mac):      # 32 bytes, and padded to the 64 we expect
            jws = {"protected": protected, "payload": payload, "signature": b64url(signature)}
            with pytest.raises(TrustListError):
                TrustList.from_signed(json.dumps(jws), anchor_jwk)


@pytest.mark.parametrize("header", [
    {"alg": "ES256"},                                        # no typ: some other JWS
    {"alg": "ES256", "typ": "JWT"},
    {"alg": "ES384", "typ": TYP + "+jws"},
    {"alg": "es256", "typ": TYP + "+jws"},
])
def test_a_correctly_signed_jws_of_another_kind_is_refused(header, full_list, anchor_key, anchor_jwk):
    payload = json.dumps(full_list.to_json()).encode()
    with pytest.raises(TrustListError, match="header"):
        TrustList.from_signed(sign_jws(header, payload, anchor_key), anchor_jwk)


@pytest.mark.parametrize("change", [
    {"typ": "something-else"}, {"v": 2}, {"iat": "1790000000"}, {"exp": 1.5e9}, {"grace": None},
    {"keys": [{"kid": "AAAA", "alg": "ES256", "kty": "EC", "crv": "P-256", "x": "AA", "y": "AA",
               "signs_from": 0, "signs_until": None, "insurers": []}]},          # not a point
    {"keys": "none"}, {"revocations": [{"rid": "zz", "before": 1}]},
    {"revocations": [{"rid": "00", "before": True}]}, {"insurers": {"06138093": 1}},
    {"insurers": ["06138093"]},
])
def test_a_correctly_signed_but_malformed_list_is_refused(change, full_list, anchor_key, anchor_jwk):
    doc = {**full_list.to_json(), **change}
    with pytest.raises(TrustListError):
        TrustList.from_signed(sign_jws(HEADER, json.dumps(doc).encode(), anchor_key), anchor_jwk)


@pytest.mark.parametrize("text", [
    "", " ", "null", "0", "[]", "{}", '"jws"', "not json", b"\xff\xfe\x00", b"",
    '{"protected": 1, "payload": 2, "signature": 3}',
    '{"protected": "e30", "payload": "e30", "signature": "AAAA"}',
    '{"protected": "!!!", "payload": "", "signature": ""}',
    '{"protected": "é", "payload": "", "signature": ""}',
    "[" * 100_000,                                           # deeper than the JSON parser recurses
    '{"a":' * 50_000 + "1" + "}" * 50_000,
    "1" * 10_000,                                            # an integer too long for int()
    "x" * (MAX_TRUST_LIST_BYTES + 1),
    None, 42, ["protected"],
], ids=lambda v: repr(v)[:24])
def test_garbage_is_a_trust_list_error_and_nothing_else(text, anchor_jwk):
    with pytest.raises(TrustListError):
        TrustList.from_signed(text, anchor_jwk)


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(data=st.text() | st.binary())
def test_arbitrary_input_is_a_trust_list_error(data, anchor_jwk):
    with pytest.raises(TrustListError):
        TrustList.from_signed(data, anchor_jwk)


@pytest.mark.parametrize("anchor", [{}, {"kty": "EC", "crv": "P-384", "x": "AA", "y": "AA"},
                                    {"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}])
def test_a_bad_pinned_anchor_is_a_trust_list_error(anchor, signed):
    with pytest.raises(TrustListError):
        TrustList.from_signed(signed, anchor)


# -- reading rules -------------------------------------------------------------------------

def test_keys_of_other_algorithms_are_ignored(full_list, anchor_key, anchor_jwk):
    doc = full_list.to_json()
    doc["keys"].append({**doc["keys"][0], "alg": "ES384"})
    read = TrustList.from_signed(sign_jws(HEADER, json.dumps(doc).encode(), anchor_key), anchor_jwk)
    assert read.keys == full_list.keys


def test_a_revocation_listed_twice_keeps_the_later_cut_off(full_list, anchor_key, anchor_jwk, now):
    doc = full_list.to_json()
    doc["revocations"] = [{"rid": "0011223344556677", "before": now},
                          {"rid": "0011223344556677", "before": now - DAY}]
    read = TrustList.from_signed(sign_jws(HEADER, json.dumps(doc).encode(), anchor_key), anchor_jwk)
    assert read.revocations[bytes.fromhex("0011223344556677")] == now


# -- strict JSON -----------------------------------------------------------------------------

from server.token_core.trust_list import MAX_JSON_DEPTH, loads_strict  # noqa: E402


@pytest.mark.parametrize("text", [
    '{"a":1,"a":1}', '{"a":1,"\\u0061":2}', '[{"x":{"b":[{"c":1,"c":2}]}}]', '{"":1,"":2}',
    '1.0', '1e3', '1E3', '-0.0', '[NaN]', '[Infinity]', '[-Infinity]', str(2**53), str(-2**53),
    "1" * 5000, "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1),
    b'\xef\xbb\xbf{}', '\ufeff{}', b'\xff\xfe{\x00}\x00', '{"a":1}x',
])
def test_strict_json_refuses(text):
    with pytest.raises((TrustListError, ValueError)):
        loads_strict(text)


@pytest.mark.parametrize("text, value", [
    ('{"a":{"a":1},"b":[{"a":2},{"a":3}]}', {"a": {"a": 1}, "b": [{"a": 2}, {"a": 3}]}),
    ('{"k":"{\\"k\\":1,\\"k\\":2}"}', {"k": '{"k":1,"k":2}'}),       # names inside a string
    (str(2**53 - 1), 2**53 - 1), (str(1 - 2**53), 1 - 2**53), ("-0", 0),
    ("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH, eval("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH)),
    ('"\\ud800"', "\ud800"),
])
def test_strict_json_reads(text, value):
    assert loads_strict(text) == value


def test_the_size_limit_counts_utf8_bytes(full_list, anchor_key, anchor_jwk):
    """Padding in an unknown JWS member: 3 bytes per あ, one code point (and one UTF-16 unit)."""
    jws = json.loads(sign_jws(HEADER, json.dumps(full_list.to_json()).encode(), anchor_key))
    base = len(json.dumps({**jws, "x": ""}, ensure_ascii=False).encode())
    fits = (MAX_TRUST_LIST_BYTES - base) // 3
    text = json.dumps({**jws, "x": "あ" * fits}, ensure_ascii=False)
    assert len(text.encode()) <= MAX_TRUST_LIST_BYTES < len(text.encode()) + 3
    assert TrustList.from_signed(text, anchor_jwk) == full_list
    over = json.dumps({**jws, "x": "あ" * (fits + 1)}, ensure_ascii=False)
    assert len(over) < MAX_TRUST_LIST_BYTES
    for value in (over, over.encode()):
        with pytest.raises(TrustListError, match="too large"):
            TrustList.from_signed(value, anchor_jwk)


@pytest.mark.parametrize("header", [
    {"alg": "ES256", "typ": TYP + "+jws", "crit": ["b64"], "b64": True},
    {"alg": "ES256", "typ": TYP + "+jws", "crit": []},
])
def test_a_crit_header_is_refused(header, full_list, anchor_key, anchor_jwk):
    with pytest.raises(TrustListError, match="crit"):
        TrustList.from_signed(sign_jws(header, json.dumps(full_list.to_json()).encode(),
                                       anchor_key), anchor_jwk)


@pytest.mark.parametrize("header", [
    {"alg": "ES256", "typ": TYP + "+jws", "kid": "ffffffff"}, {"alg": "ES256", "typ": TYP + "+jws"},
    {"alg": "ES256", "typ": TYP + "+jws", "kid": 7, "x5u": "https://example.invalid/"},
])
def test_the_header_kid_and_unknown_header_members_are_ignored(header, full_list, anchor_key,
                                                               anchor_jwk):
    payload = json.dumps(full_list.to_json()).encode()
    assert TrustList.from_signed(sign_jws(header, payload, anchor_key), anchor_jwk) == full_list
