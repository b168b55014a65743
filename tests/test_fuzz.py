"""Fuzz every route: hostile paths, queries and bodies never get a 5xx, and every error under
/api/ and /auth/ has the one JSON shape.

Every rule of the app's url_map is called with each of its methods, its converters filled with
valid and hostile values, as nobody, a member and an admin, with and without a valid CSRF
token; POST routes get fixed nasties (100,000-deep arrays and objects, 10^5-digit numbers, NUL,
lone surrogates, non-UTF-8, wrong types where an object is expected, wrong field types) and
then Hypothesis-generated JSON. Statistics are printed with ``-s``.
"""
from __future__ import annotations

import json
import re
import secrets
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server import clock
from server.extensions import db
from server.models import EligibilityCard, PasskeyCredential
from server.views.errors import JSON_PREFIXES

SHAPE = {"error", "message", "message_en"}
HUGE = "99999999999999999999"
#: Field names the views read, so that generated objects reach the typed field checks.
FIELDS = ["consent", "member", "confirm", "code", "birth_date", "id", "rawId", "type", "response",
          "clientDataJSON", "attestationObject", "authenticatorData", "signature", "userHandle",
          "transports", "clientExtensionResults", "authenticatorAttachment"]

NASTY_BODIES: list[tuple[str, bytes]] = [
    ("deep-array", b"[" * 100_000 + b"]" * 100_000),
    ("deep-object", b'{"a":' * 100_000 + b"1" + b"}" * 100_000),
    ("deep-array-small", b"[" * 5_000 + b"]" * 5_000),
    ("deep-object-small", b'{"consent":' * 3_000 + b"true" + b"}" * 3_000),
    ("unclosed-deep", b"[" * 50_000),
    ("huge-int", b'{"member": ' + b"9" * 100_000 + b', "consent": true}'),
    ("int-4301-digits", b'{"member": ' + b"1" * 4301 + b"}"),
    ("huge-float", b'{"consent": 1e999999}'),
    ("nan", b'{"member": NaN, "consent": Infinity}'),
    ("big-id", b'{"member": 9223372036854775808, "consent": true, "confirm": true}'),
    ("negative-id", b'{"member": -1, "consent": false}'),
    ("nul-escaped", b'{"code": "\\u0000", "birth_date": "1980-05-15\\u0000", "consent": true}'),
    ("nul-raw", b'{"code": "\x00"}'),
    ("nul-key", b'{"\\u0000": 1}'),
    ("lone-surrogate", b'{"code": "\\ud800", "birth_date": "\\udfff", "rawId": "\\ud800"}'),
    ("surrogate-key", b'{"\\ud800": true}'),
    ("not-utf8", b'{"code": "\xff\xfe\xfd"}'),
    ("utf16", '{"consent": true}'.encode("utf-16")),
    ("array", b'[{"consent": true}]'), ("string", b'"consent"'), ("number", b"1"),
    ("null", b"null"), ("true", b"true"), ("empty", b""), ("garbage", b"{]"),
    ("wrong-types", b'{"member": "1", "consent": "yes", "confirm": 1, "code": 1234, "birth_date": [1980]}'),
    ("bool-ids", b'{"member": true, "consent": false, "confirm": "true"}'),
    ("credential-wrong-types", b'{"id": 1, "rawId": [], "type": null, "response": "x", "clientExtensionResults": 5}'),
    ("credential-bad-base64", (b'{"id": "!!", "rawId": "!!!", "type": "public-key", "response": {"clientDataJSON": "%%%",'
                               b' "attestationObject": "\\ud800", "transports": [1, null, {}]}}')),
    ("long-strings", json.dumps({"code": "1" * 60_000, "birth_date": "昭和" * 100}).encode()),
    ("wareki-garbage", '{"code": "１２３４－５６７８", "birth_date": "令和99年13月40日"}'.encode()),
    ("duplicate-keys", b'{"consent": true, "consent": "x"}'),
    ("too-big", b'{"x": "' + b"a" * 70_000 + b'"}'),
]

PATH_SAMPLES = {
    "id": ["{id}", "2147483647", "2147483648", "9223372036854775807", "9223372036854775808", HUGE, "0", "-1", "abc", "%00"],
    "int": ["{id}", HUGE, "-1"],
    "default": ["{token}", "x", "%00", "%ED%A0%80", "%FF", "a" * 500, "..%2F..%2Fetc"],
    "path": ["index.html", "js/app.js", "../../etc/passwd", "%00", "a/%ED%A0%80", "x" * 300],
}
QUERIES = ["", f"?member={HUGE}", "?member=abc", f"?before={HUGE}", "?member=%00", "?action=%ED%A0%80",
           "?next=//evil.example", "?member=1&member=2"]
#: Nasties also posted as forms and uploads (the admin pages read forms, not JSON).
FORM_BODIES = [
    ("form", b"q=%00&email=%FF&role=admin&lost_on=9999-99-99&reason=%ED%A0%80&encoding=utf-32",
     "application/x-www-form-urlencoded"),
    ("multipart-csv", b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n'
     b"insurer_number,symbol\r\n\x00\xff\xfe," + b"9" * 5000 + b"\r\n--b--\r\n", "multipart/form-data; boundary=b"),
    ("multipart-broken", b"--b\r\nContent-Disposition: form-data; name=\"file\"\r\n", "multipart/form-data; boundary=b"),
]


class Fuzzer:
    """Sends requests as one identity at a time and keeps the statistics."""

    def __init__(self, app, client, as_member, as_staff):
        self.app, self.client = app, client
        self.as_member, self.as_staff = as_member, as_staff
        self.statuses = Counter()
        self.by_identity = Counter()
        self.codes = Counter()          # (status, error code) of the JSON errors
        self.failures: list[str] = []
        self.sent = 0
        with app.app_context():
            from server.models import Member
            member = db.session.scalar(db.select(Member).order_by(Member.id))
            self.member_id = member.id
            passkey = PasskeyCredential(owner_type="member", owner_id=member.id,
                                        credential_id=secrets.token_bytes(16), public_key=b"x",
                                        created_at=clock.now())
            db.session.add(passkey)
            db.session.commit()
            self.passkey_id = passkey.id
            card = db.session.scalar(db.select(EligibilityCard).order_by(EligibilityCard.id))
            self.card_id = card.id if card else 1
            from server.auth import staff_accounts
            link = staff_accounts.invite("fuzz@example.jp", "clerk", ["06138093"], invited_by="fuzz")
            self.invite = link.rsplit("/", 1)[1]
        self.identity = None
        self.token = None

    def become(self, identity: str) -> None:
        with self.client.session_transaction() as session:
            session.clear()
        if identity == "member":
            self.token = self.as_member(self.member_id)
        elif identity == "staff":
            self.token = self.as_staff("admin")
        else:
            self.token = self.client.get("/api/v1/csrf").get_json()["csrf_token"]
        self.identity = identity

    def fill(self, rule, sample_index: int) -> str | None:
        """The rule's path with each converter filled by its sample ``sample_index`` (None when
        the rule has no such sample)."""
        parts = []
        used = False
        path = rule.rule
        for match in re.finditer(r"<(?:([a-z]+)(?:\([^)]*\))?:)?([a-z_]+)>", rule.rule):
            kind = match.group(1) or "default"
            samples = PATH_SAMPLES.get(kind, PATH_SAMPLES["default"])
            if sample_index < len(samples):
                used = True
            value = samples[min(sample_index, len(samples) - 1)]
            value = value.format(id=self._id_for(match.group(2)), token=self.invite)
            path = path.replace(match.group(0), value, 1)
            parts.append(value)
        if not parts:
            return path if sample_index == 0 else None
        return path if used else None

    def _id_for(self, name: str) -> int:
        return {"member_id": self.member_id, "passkey_id": self.passkey_id, "card_id": self.card_id}.get(name, 1)

    def send(self, method: str, path: str, body: bytes | None = None, content_type: str = "application/json",
             csrf: bool = True, label: str = "") -> None:
        headers = {"X-CSRFToken": self.token} if csrf and self.token else {}
        if body is not None:
            headers["Content-Type"] = content_type
        # Each request from its own address, so the rate limits (tested in test_bad_input.py)
        # never answer 429 before the body is read.
        address = f"10.{self.sent >> 16 & 255}.{self.sent >> 8 & 255}.{self.sent & 255}"
        try:
            response = self.client.open(path, method=method, data=body, headers=headers,
                                        environ_base={"REMOTE_ADDR": address})
        except Exception as exc:  # noqa: BLE001  (TESTING propagates exceptions: each would be a 500)
            self._fail(f"{method} {path} [{self.identity}, csrf={csrf}, {label}]: {type(exc).__name__}: {exc}"[:400])
            self.statuses["exception"] += 1
            self.sent += 1
            if self.identity:
                self.become(self.identity)
            return
        self.sent += 1
        self.statuses[response.status_code] += 1
        self.by_identity[self.identity] += 1
        where = f"{method} {path[:80]} [{self.identity}, csrf={csrf}, {label}]"
        if response.status_code >= 500:
            self._fail(f"{where}: {response.status_code} {response.get_data()[:200]!r}")
        elif response.status_code >= 400 and path.startswith(JSON_PREFIXES):
            data = response.get_json(silent=True)
            self.codes[response.status_code, (data or {}).get("error")] += 1
            if response.mimetype != "application/json" or not isinstance(data, dict) or not SHAPE <= set(data):
                self._fail(f"{where}: {response.status_code} not the one JSON shape: {response.get_data()[:200]!r}")
        response.close()
        if path.split("?")[0].endswith("/logout") and response.status_code < 400:
            self.become(self.identity)          # signed out: sign in again for the next request

    def _fail(self, text: str) -> None:
        if len(self.failures) < 50:
            self.failures.append(text)


@pytest.fixture
def fuzzer(app, client, as_member, as_staff):
    return Fuzzer(app, client, as_member, as_staff)


def _rules(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_survives_hostile_input(fuzzer, capsys):
    app = fuzzer.app
    rules = list(_rules(app))
    assert len(rules) >= 45, "the fuzz test no longer sees the app's routes"
    for identity in ("anonymous", "member", "staff"):
        fuzzer.become(identity)
        for rule, method in rules:
            for index in range(max(len(v) for v in PATH_SAMPLES.values())):
                path = fuzzer.fill(rule, index)
                if path is None:
                    continue
                for csrf in (True, False):
                    fuzzer.send(method, path, csrf=csrf, label=f"path sample {index}")
                if index:
                    continue
                for query in QUERIES[1:]:
                    fuzzer.send(method, path + query, label="query")
                fuzzer.send("PUT" if method == "POST" else "DELETE", path, b"{}", label="wrong method")
                if method != "POST":
                    fuzzer.send(method, path, NASTY_BODIES[0][1], label="body on a GET")
                    continue
                for label, body in NASTY_BODIES:
                    fuzzer.send(method, path, body, label=label)
                fuzzer.send(method, path, NASTY_BODIES[-1][1], csrf=False, label="no csrf")
                for label, body, content_type in FORM_BODIES:
                    fuzzer.send(method, path, body, content_type=content_type, label=label)
    with capsys.disabled():
        print(f"\nfuzz (fixed): {fuzzer.sent} requests over {len(rules)} rule/method pairs; "
              f"statuses {dict(sorted(fuzzer.statuses.items(), key=str))}; by identity {dict(fuzzer.by_identity)}; "
              f"JSON errors {dict(sorted(fuzzer.codes.items(), key=str))}")
    assert not fuzzer.failures, "\n".join(fuzzer.failures)


# -- generated JSON --------------------------------------------------------------------------

_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=30)     # surrogates too
_scalars = (st.none() | st.booleans() | st.integers() | st.integers(min_value=2**63 - 2, max_value=2**64)
            | st.floats(allow_nan=True, allow_infinity=True) | _text)
_json = st.recursive(_scalars, lambda children: st.lists(children, max_size=4)
                     | st.dictionaries(st.sampled_from(FIELDS) | _text, children, max_size=5), max_leaves=20)
_objects = st.dictionaries(st.sampled_from(FIELDS), _json, max_size=6)
_bodies = (_objects.map(lambda o: json.dumps(o).encode())                        # NaN, Infinity as written by Python
           | _json.map(lambda o: json.dumps(o).encode())
           | st.tuples(_objects, st.integers(1, 40)).map(lambda t: (("[" * t[1]) + json.dumps(t[0]) + ("]" * t[1])).encode())
           | st.binary(max_size=200))


def test_generated_json_on_every_post_route(fuzzer, capsys):
    posts = [rule for rule, method in _rules(fuzzer.app) if method == "POST"]
    identities = ("anonymous", "member", "staff")

    @settings(max_examples=250, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(rule=st.sampled_from(posts), identity=st.sampled_from(identities), body=_bodies)
    def check(rule, identity, body):
        if fuzzer.identity != identity:
            fuzzer.become(identity)
        fuzzer.send("POST", fuzzer.fill(rule, 0), body, label="hypothesis")

    check()
    with capsys.disabled():
        print(f"\nfuzz (hypothesis): {fuzzer.sent} requests over {len(posts)} POST routes; "
              f"statuses {dict(sorted(fuzzer.statuses.items(), key=str))}")
    assert not fuzzer.failures, "\n".join(fuzzer.failures)
