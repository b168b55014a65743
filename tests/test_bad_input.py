"""Bad input never gets a 500: JSON bodies are parsed once and their shape checked
(views/json_body.py), ids in paths and queries are bounded (views/converters.py), bodies are
capped (MAX_CONTENT_LENGTH, 413), and X-Forwarded-For is believed only from the proxy.

Each 500 fixed here has its regression test: a 100,000-deep JSON body (and a deep one within the
size cap) on every endpoint that reads a body, the consent body as an array or a string, and an
id beyond SQLite's 64-bit integer in the admin pages and the audit filters.
"""
from __future__ import annotations

import importlib.util
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from pins import TEST_PIN

from server import clock
from server.extensions import db
from server.models import PasskeyCredential
from server.views.admin.imports import MAX_UPLOAD_BYTES

ROOT = Path(__file__).resolve().parent.parent
SHAPE = {"error", "message", "message_en"}
BIRTH = "1980-05-15"                      # 𠮷田 太郎's birth date (demo data)
HUGE = "99999999999999999999"             # > 2**63-1: overflowed SQLite's INTEGER (a 500)
DEEP = "[" * 100_000 + "]" * 100_000      # 200 kB: beyond the JSON cap (413)
DEEP_SMALL = "[" * 10_000 + "]" * 10_000  # 20 kB: within the cap, deeper than Python's json can go


def _error(response, status, code=None):
    assert response.status_code == status, (response.status_code, response.get_data()[:300])
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert SHAPE <= set(body), body
    if code is not None:
        assert body["error"] == code, body
    return body


def _csrf(client) -> str:
    return client.get("/api/v1/csrf").get_json()["csrf_token"]


def _post(client, path, data, token, content_type="application/json"):
    return client.post(path, data=data, headers={"X-CSRFToken": token, "Content-Type": content_type})


@pytest.fixture
def member_id(app, demo_member):
    with app.app_context():
        return demo_member().id


@pytest.fixture
def signed_in(as_member, member_id):
    return as_member(member_id)


def _add_passkey(app, member_id) -> int:
    with app.app_context():
        record = PasskeyCredential(owner_type="member", owner_id=member_id,
                                   credential_id=secrets.token_bytes(16), public_key=b"x",
                                   created_at=clock.now())
        db.session.add(record)
        db.session.commit()
        return record.id


def _invite(app) -> str:
    from server.auth import staff_accounts
    with app.app_context():
        link = staff_accounts.invite(f"new-{secrets.token_hex(3)}@example.jp", "clerk", ["06138093"],
                                     invited_by="test")
    return link.rsplit("#token=", 1)[1]


def _activation_started(app, client, member_id) -> str:
    """An activation whose options were given: activate/verify reads the credential next."""
    from server.documents import activation_codes
    from server.models import Member
    with app.app_context():
        code = activation_codes.issue(db.session.get(Member, member_id)).code
    token = _csrf(client)
    response = client.post("/auth/member/activate/options",
                           json={"code": code, "birth_date": BIRTH, "pin": TEST_PIN},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 200, response.get_data()
    return _csrf(client)


# -- the deep JSON bodies: every endpoint that reads one ----------------------------------

def _endpoints(app, client, member_id, as_member):
    """(path, CSRF token) for each endpoint that reads a body, in the state where it reads it."""
    yield "/auth/staff/login/verify", _csrf(client)
    yield "/auth/member/login/verify", _csrf(client)
    yield "/auth/member/activate/options", _csrf(client)
    token = _invite(app)
    yield "/auth/staff/invite", _csrf(client)
    client.post("/auth/staff/invite/options", json={"token": token}, headers={"X-CSRFToken": _csrf(client)})
    yield "/auth/staff/invite/verify", _csrf(client)
    yield "/auth/member/activate/verify", _activation_started(app, client, member_id)
    csrf = as_member(member_id)
    yield "/auth/member/passkeys/verify", csrf
    yield "/api/v1/me/consent", csrf
    yield f"/api/v1/me/passkeys/{_add_passkey(app, member_id)}/delete", csrf


DEEP_BODIES = [
    (DEEP, 413, "too_large"), (DEEP_SMALL, 400, "bad_request"),
    ('{"a":' * 10_000 + "1" + "}" * 10_000, 400, "bad_request"),
    ("[" * 17 + "]" * 17, 400, "bad_request"),          # one level beyond MAX_DEPTH
]


def test_deep_json_is_refused_on_every_endpoint_that_reads_a_body(app, client, member_id, as_member):
    seen = []
    for path, token in _endpoints(app, client, member_id, as_member):
        for body, status, code in DEEP_BODIES:
            _error(_post(client, path, body.encode(), token), status, code)
        seen.append(path)
    assert len(seen) == 9


def test_a_credential_within_the_depth_limit_still_reaches_py_webauthn(client):
    """A real PublicKeyCredential.toJSON() is 3 deep; 16 levels pass the shape check."""
    from server.views import json_body
    token = _csrf(client)
    client.post("/auth/member/login/options", headers={"X-CSRFToken": token})
    credential = {"id": "AAAA", "rawId": "AAAA", "type": "public-key", "authenticatorAttachment": "platform",
                  "response": {"clientDataJSON": "e30", "authenticatorData": "AAAA", "signature": "AAAA",
                               "userHandle": "AAAA", "transports": ["internal"]},
                  "clientExtensionResults": {"credProps": {"rk": True}}}
    _error(client.post("/auth/member/login/verify", json=credential, headers={"X-CSRFToken": token}),
           400, "unknown_passkey")
    nested = {"x": json.loads("[" * 15 + "]" * 15), **credential}
    assert json_body.depth(json.dumps(nested)) == 16
    _error(client.post("/auth/member/login/verify", json=nested, headers={"X-CSRFToken": token}),
           400, "ceremony_expired")        # the options were used up by the first attempt


# -- consent: the body must be an object, its fields typed ---------------------------------

def test_a_consent_body_that_is_not_an_object_is_a_400(client, signed_in):
    for body in ['[{"consent": true}]', '"consent"', "1", "null", "true", "[]"]:
        answer = _error(_post(client, "/api/v1/me/consent", body.encode(), signed_in), 400, "bad_request")
        assert "object" in answer["message_en"], body


CONSENT_FIELDS = [
    ({"consent": "yes"}, "consent"), ({"consent": 1}, "consent"), ({}, "consent"),
    ({"consent": None}, "consent"), ({"member": "1", "consent": True}, "member"),
    ({"member": True, "consent": True}, "member"), ({"member": 1.0, "consent": True}, "member"),
    ({"member": [1], "consent": True}, "member"),
]


def test_consent_fields_have_their_types(client, signed_in):
    for body, field in CONSENT_FIELDS:
        answer = _error(client.post("/api/v1/me/consent", json=body, headers={"X-CSRFToken": signed_in}),
                        400, "bad_request")
        assert answer["field"] == field, body


def test_a_member_id_that_cannot_exist_is_not_found(client, signed_in):
    for member in [2**31, 2**63, 2**70, 10**30, 0, -1]:
        _error(client.post("/api/v1/me/consent", json={"member": member, "consent": False},
                           headers={"X-CSRFToken": signed_in}), 404, "not_found")


def test_a_good_consent_still_works(client, signed_in, member_id):
    response = client.post("/api/v1/me/consent", json={"member": member_id, "consent": False},
                           headers={"X-CSRFToken": signed_in})
    assert response.status_code == 200 and response.get_json()["limit_consent"] is False
    empty = _post(client, "/api/v1/me/consent", b"", signed_in)      # no body: consent is missing
    assert _error(empty, 400, "bad_request")["field"] == "consent"


def test_passkey_delete_confirm_must_be_a_boolean(app, client, signed_in, member_id):
    passkey = _add_passkey(app, member_id)
    response = client.post(f"/api/v1/me/passkeys/{passkey}/delete", json={"confirm": "yes"},
                           headers={"X-CSRFToken": signed_in})
    assert _error(response, 400, "bad_request")["field"] == "confirm"
    _error(_post(client, f"/api/v1/me/passkeys/{passkey}/delete", b"", signed_in), 409, "last_passkey")
    assert client.post(f"/api/v1/me/passkeys/{passkey}/delete", json={"confirm": True},
                       headers={"X-CSRFToken": signed_in}).get_json() == {"ok": True}


# -- activation: typed fields --------------------------------------------------------------

def test_activation_fields_have_their_types(client):
    token = _csrf(client)
    for body, field in [
        ({"code": 1234, "birth_date": BIRTH}, "code"), ({"birth_date": BIRTH}, "code"),
        ({"code": "1" * 65, "birth_date": BIRTH}, "code"),
        ({"code": "1111", "birth_date": [1980, 5, 15]}, "birth_date"),
        ({"code": "1111"}, "birth_date"), ({"code": "1111", "birth_date": "1" * 41}, "birth_date"),
    ]:
        response = client.post("/auth/member/activate/options", json=body, headers={"X-CSRFToken": token})
        assert _error(response, 400, "bad_request")["field"] == field, body


def test_a_wrong_activation_code_is_still_invalid(client):
    response = client.post("/auth/member/activate/options", headers={"X-CSRFToken": _csrf(client)},
                           json={"code": "１１１１ー２２２２", "birth_date": "昭和55年5月15日"})
    _error(response, 400, "invalid")


# -- the parser's refusals -----------------------------------------------------------------

HOSTILE = [
    (b'{"consent": true, "x": "\\u0000"}', 400),            # NUL, escaped
    (b'{"consent": true, "x\\u0000": 1}', 400),             # NUL in a key
    (b'{"consent": true, "x": "a\x00b"}', 400),              # a raw NUL: not JSON
    (b'{"consent": true, "x": "\\ud800"}', 400),            # a lone surrogate
    (b'{"consent": true, "\\udfff": 1}', 400),              # in a key
    (b'{"consent": true, "x": "\xff\xfe"}', 400),            # not UTF-8
    ('{"consent": true}'.encode("utf-16"), 400),             # UTF-16 is not guessed
    (b'\xef\xbb\xbf{"consent": true}', 400),                 # nor a byte order mark
    (b'{"consent": true, "x": NaN}', 400),
    (b'{"consent": true, "x": -Infinity}', 400),
    (b'{"consent": true, "x": 1e999}', 400),                 # a float beyond double
    (b'{"consent": true, "x": ' + b"9" * 5000 + b"}", 400),  # over Python's 4300-digit limit
    (b'{"consent": true, "x": ' + b"9" * 41 + b"}", 400),    # over MAX_NUMBER_CHARS
    (b'{"consent": true, "x": ' + b"9" * 100_000 + b"}", 413),
    (b'{"consent": true, "x": "' + b"a" * (64 * 1024) + b'"}', 413),
    (b'{"consent": true', 400), (b"", 400), (b"   ", 400), (b"{}{}", 400),
]


def test_hostile_json_is_a_4xx_in_the_one_shape(client, signed_in):
    for raw, status in HOSTILE:
        response = _post(client, "/api/v1/me/consent", raw, signed_in)
        try:
            _error(response, status, "too_large" if status == 413 else "bad_request")
        except AssertionError as exc:
            raise AssertionError(f"{raw[:60]!r}: {exc}") from None


def test_hostile_json_on_an_anonymous_ceremony(client):
    token = _csrf(client)
    for raw in (b'"\\ud800"', b"[" * 5000, b"\x00", b"9" * 5000, b'{"rawId": "\\ud800"}', b"{\"a\": NaN}"):
        _error(_post(client, "/auth/member/login/verify", raw, token), 400, "bad_request")


def test_the_depth_count_ignores_brackets_in_strings():
    from server.views import json_body
    assert json_body.depth('{"a": "[[[[[[[[[[[[[[[[[[[[[[[[", "b": "\\"{{{{{{{{{{{{{{{{{{{{{{"}') == 1
    assert json_body.depth("[[], [[]], {}]") == 3
    assert json_body.depth("1") == 0


# -- ids in paths and queries --------------------------------------------------------------

def test_an_id_that_cannot_exist_is_a_404_page(client, as_staff):
    as_staff("admin")
    for path in [
        f"/admin/members/{HUGE}", "/admin/members/9223372036854775808", f"/admin/members/{HUGE}/edit",
        f"/admin/members/{HUGE}/dependents/new", f"/admin/cards/{HUGE}/print",
        "/admin/members/9223372036854775807", "/admin/members/2147483648", "/admin/members/0", "/admin/members/007", "/admin/members/-1",
        f"/admin/audit?member={HUGE}", f"/admin/audit?before={HUGE}", "/admin/audit?member=abc",
    ]:
        response = client.get(path)
        assert response.status_code == 404, path
        assert "見つかりません" in response.get_data(as_text=True)


def test_an_id_that_cannot_exist_is_a_404_on_admin_posts(client, as_staff):
    token = as_staff("admin")
    for path in [f"/admin/members/{HUGE}/loss", f"/admin/members/{HUGE}/re-enrol",
                 f"/admin/members/{HUGE}/notice", f"/admin/members/{HUGE}/cards",
                 f"/admin/cards/{HUGE}/withdraw", f"/admin/members/{HUGE}/edit",
                 f"/admin/members/{HUGE}/dependents/new"]:
        assert client.post(path, data={"csrf_token": token}).status_code == 404, path


def test_admin_ids_in_range_still_work(app, client, as_staff, member_id):
    as_staff("admin")
    assert client.get(f"/admin/members/{member_id}").status_code == 200
    assert client.get(f"/admin/audit?member={member_id}").status_code == 200
    assert client.get("/admin/audit?member=").status_code == 200
    with app.test_request_context():
        from flask import url_for
        assert url_for("admin.member", member_id=member_id) == f"/admin/members/{member_id}"


def test_a_token_for_an_id_that_cannot_exist_is_a_404(client, signed_in):
    for query in [HUGE, "9223372036854775808", "abc", "1_0", "-1", "0", "１", "+1", " 1"]:
        _error(client.get("/api/v1/me/token", query_string={"member": query}), 404, "not_found")


def test_a_passkey_id_that_cannot_exist_is_a_404(client, signed_in):
    _error(client.post(f"/api/v1/me/passkeys/{HUGE}/delete", json={}, headers={"X-CSRFToken": signed_in}),
           404, "not_found")


# -- request size --------------------------------------------------------------------------

def test_the_biggest_legitimate_body_fits_and_more_is_a_413(app, client, as_staff, signed_in):
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert MAX_UPLOAD_BYTES + 64 * 1024 <= limit <= 64 * 1024 * 1024
    token = _csrf(client)
    big = b"x" * (limit + 1)
    _error(_post(client, "/api/v1/me/consent", big, token), 413, "too_large")
    _error(_post(client, "/auth/member/login/verify", big, token), 413, "too_large")
    token = as_staff("admin")
    response = client.post("/admin/import", data=big, headers={"X-CSRFToken": token},
                           content_type="multipart/form-data; boundary=x")
    assert response.status_code == 413 and response.mimetype == "text/html"
    assert "大きすぎます" in response.get_data(as_text=True)


# -- X-Forwarded-For -----------------------------------------------------------------------

def test_a_spoofed_forwarded_for_does_not_dodge_the_rate_limit(make_app):
    """Default settings: the peer's address counts, whatever X-Forwarded-For says."""
    app = make_app(SIGN_IN_RATE_LIMIT="3 per minute")
    assert not app.config["PROXY_FIX_HOPS"]
    client = app.test_client()
    token = _csrf(client)
    statuses = [client.post("/auth/member/login/options",
                            headers={"X-CSRFToken": token, "X-Forwarded-For": f"1.2.3.{i}",
                                     "X-Real-IP": f"5.6.7.{i}", "Forwarded": f"for=9.9.9.{i}"}).status_code
                for i in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    _error(client.post("/auth/member/login/options", headers={"X-CSRFToken": token,
                                                              "X-Forwarded-For": "8.8.8.8"}), 429, "rate_limited")
    other = app.test_client()           # another real address is counted apart
    response = other.post("/auth/member/login/options", headers={"X-CSRFToken": _csrf(other)},
                          environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert response.status_code == 200


def _gunicorn_conf():
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "config" / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gunicorn_drops_forwarding_headers_from_untrusted_peers():
    conf = _gunicorn_conf()

    class Request:
        def __init__(self, peer):
            self.peer_addr = peer
            self.headers = [("HOST", "x"), ("X-FORWARDED-FOR", "1.2.3.4"), ("X-FORWARDED-PROTO", "https"),
                            ("FORWARDED", "for=1.2.3.4"), ("X-REAL-IP", "1.2.3.4")]

    class Worker:
        class cfg:
            forwarded_allow_ips = ("127.0.0.1", "10.0.0.0/8")

    for peer, kept in [(("127.0.0.1", 5000), 5), (("10.3.4.5", 1), 5), (("192.0.2.1", 1), 1),
                       (("::1", 1), 1), ("/run/shikaku.sock", 5), (("not an address", 1), 1)]:
        request = Request(peer)
        conf.pre_request(Worker, request)
        assert len(request.headers) == kept, peer
    assert conf.trusted(("192.0.2.1", 1), "*")
    assert conf.forwarded_allow_ips == os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


ECHO_APP = '''
from werkzeug.middleware.proxy_fix import ProxyFix


def echo(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [environ["REMOTE_ADDR"].encode()]


app = ProxyFix(echo, x_for=1)      # what PROXY_FIX_HOPS = 1 does (server/__init__.py)
'''


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("allowed, seen", [("127.0.0.1", "1.2.3.4"), ("10.0.0.5", "127.0.0.1")],
                         ids=["from-the-proxy", "from-anyone-else"])
def test_gunicorn_with_the_project_config_believes_only_the_proxy(tmp_path, allowed, seen):
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if not gunicorn.exists():
        pytest.skip("gunicorn is not installed")
    (tmp_path / "echo_app.py").write_text(ECHO_APP)
    port = _free_port()
    env = {**os.environ, "FORWARDED_ALLOW_IPS": allowed, "PORT": str(port), "WEB_CONCURRENCY": "1"}
    process = subprocess.Popen([str(gunicorn), "-c", str(ROOT / "config" / "gunicorn.conf.py"),
                                "--bind", f"127.0.0.1:{port}", "--chdir", str(tmp_path), "echo_app:app"],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"X-Forwarded-For": "1.2.3.4"})
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(request, timeout=2) as response:
                    assert response.read().decode() == seen
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
    finally:
        process.terminate()
        process.wait(10)
