"""Logs: a request id on every line of a request, JSON in production, and no personal data in
any line, the app's (server/logs.py), the development server's or gunicorn's access log.

The main test runs a member and an insurer through the app with every logger at DEBUG and
looks for the member's 記号・番号, name, フリガナ, birth date, activation code, PIN, token text,
session and invitation tokens in every record, formatted as JSON and as text."""
from __future__ import annotations

import io
import json
import logging
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from pins import TEST_PIN
from soft_passkey import SoftPasskey

from server import logs

ROOT = Path(__file__).resolve().parent.parent
GENERATED_ID = re.compile(r"[0-9a-f]{32}")

MEMBER = {"insurer_number": "06138093", "symbol": "73914625", "number": "58206371", "branch": "00",
          "relationship": "1", "name": "鷲尾 律子", "name_kana": "ワシオ リツコ", "sex": "2",
          "birth_date": "1979-03-21", "acquired_on": "2020-04-01", "copay_ratio": "30",
          "copay_from": "", "mynumber_last4": "6402", "limit_category": ""}
CSV_ROWS = {"good": ("06138093", "84261937", "39517264", "00", "1", "磯貝 恒彦", "イソガイ ツネヒコ",
                     "1", "1968-11-02", "2019-04-01", "30", "", ""),
            "bad": ("06138093", "84261938", "39517265", "00", "1", "稗田 早苗", "ヒエダ サナエ",
                    "9", "2099-01-01", "2019-04-01", "30", "", "")}
CSV_HEADER = ("insurer_number,symbol,number,branch,relationship,name,name_kana,sex,birth_date,"
              "acquired_on,copay_ratio,copay_from,mynumber_last4")


# -- capturing and scanning -------------------------------------------------------------------

@pytest.fixture
def records(caplog):
    """Every record of every logger, the root at DEBUG (loggers that keep their own level, as
    werkzeug and sqlalchemy do, keep it: that is part of what is tested). ``records()`` is the
    list so far."""
    caplog.set_level(logging.DEBUG)
    return lambda: caplog.records


def formatted(records) -> list[str]:
    """Each record as the production (JSON) and development (text) handlers write it."""
    as_json, as_text = logs.JsonFormatter(), logs.text_formatter()
    return [f(r) for r in records for f in (as_json.format, as_text.format)]


def leaks(lines: list[str], secrets: dict[str, str]) -> list[str]:
    """"what: line" for each secret found in a line. Generated request ids are blanked first:
    32 random hex digits could hold a short number by chance."""
    found = []
    for line in lines:
        line = GENERATED_ID.sub("<id>", line)
        found += [f"{what}: {line}" for what, value in secrets.items() if value and value in line]
    return found


def _personal(fields: dict) -> dict[str, str]:
    """A member's values, and the parts a log could carry alone (a family name, the digits)."""
    family, given = fields["name"].split(" ")
    kana_family, kana_given = fields["name_kana"].split(" ")
    return {"symbol": fields["symbol"], "number": fields["number"], "name": fields["name"],
            "family name": family, "given name": given, "name_kana": fields["name_kana"],
            "kana family": kana_family, "kana given": kana_given,
            "birth_date": fields["birth_date"], "birth_date digits": fields["birth_date"].replace("-", "")}


def _api_csrf(client) -> str:
    return client.get("/api/v1/csrf").get_json()["csrf_token"]


def _post_json(client, path, body=None, **kwargs):
    return client.post(path, json=body or {}, headers={"X-CSRFToken": _api_csrf(client)}, **kwargs)


def _session_token(client) -> str:
    with client.session_transaction() as session:
        return session["sid"]


# -- the flows ---------------------------------------------------------------------------------

def test_a_member_and_an_admin_flow_log_no_personal_data(app, client, as_staff, records):
    secrets = {}
    token = as_staff("admin")
    secrets["staff session"] = _session_token(client)

    # enrol, print the notice (the activation code) and the PIN sheet
    enrolled = client.post("/admin/members/new", data={**MEMBER, "csrf_token": token},
                           headers={"X-Request-Id": "log-scan.enrol_1"})
    assert enrolled.status_code == 302, enrolled.get_data(as_text=True)[:500]
    assert enrolled.headers["X-Request-Id"] == "log-scan.enrol_1"
    member_id = int(enrolled.headers["Location"].rsplit("/", 1)[1])
    secrets |= _personal(MEMBER) | {"mynumber_last4": MEMBER["mynumber_last4"]}
    notice = client.post(f"/admin/members/{member_id}/notice", data={"csrf_token": token})
    assert notice.status_code == 200
    code = re.search(r'id="activation-code">([^<]+)<', notice.get_data(as_text=True)).group(1)
    secrets |= {"activation code": code, "activation code digits": code.replace("-", ""),
                "PIN": TEST_PIN}
    pin_sheet = client.post(f"/admin/members/{member_id}/pin", data={"csrf_token": token})
    assert pin_sheet.status_code == 200 and TEST_PIN in pin_sheet.get_data(as_text=True).replace(" ", "")

    # search, by name, フリガナ and 記号・番号; a search word in a query string (GET never searches)
    for q in ("鷲尾", "ワシオ", f'{MEMBER["symbol"]} {MEMBER["number"]}'):
        found = client.post("/admin/", data={"q": q, "csrf_token": token}).get_data(as_text=True)
        assert 'id="results"' in found and MEMBER["name"] in found, q
    assert client.get(f'/admin/?q={MEMBER["name"]}').status_code == 200

    # a CSV import with an error row: nothing written, every error reported
    csv = "\n".join([CSV_HEADER, ",".join(CSV_ROWS["good"]), ",".join(CSV_ROWS["bad"])]) + "\n"
    imported = client.post("/admin/import", content_type="multipart/form-data",
                           data={"csrf_token": token, "encoding": "utf-8",
                                 "file": (io.BytesIO(csv.encode()), "members.csv")})
    assert imported.status_code == 400 and "row 3, sex" in imported.get_data(as_text=True)
    for row in CSV_ROWS.values():
        csv_secrets = _personal(dict(zip(CSV_HEADER.split(","), row)))
        secrets |= {f"CSV {what}": value for what, value in csv_secrets.items()}

    # a staff invitation, opened; its token sent in the path by a mangled link
    invited = client.post("/admin/staff", data={"email": "washio.new@example.jp", "role": "clerk",
                                                "insurer": "06138093", "csrf_token": token}).get_data(as_text=True)
    invitation = re.search(r'<code id="invite-link">[^<#]+#token=([^<]+)</code>', invited).group(1)
    secrets |= {"invitation token": invitation, "staff email": "washio.new@example.jp"}
    opened = _post_json(client, "/auth/staff/invite", {"token": invitation})
    assert opened.get_json()["email"] == "washio.new@example.jp"
    assert client.get(f"/admin/invite%23token={invitation}").status_code == 404
    assert client.get(f"/admin/invite/{invitation}").status_code == 404

    # the member: activation with birth date and PIN, a passkey from the software authenticator
    member, passkey = app.test_client(), SoftPasskey()
    options = _post_json(member, "/auth/member/activate/options",
                         {"code": code, "birth_date": MEMBER["birth_date"], "pin": TEST_PIN})
    assert options.status_code == 200, options.get_json()
    activated = _post_json(member, "/auth/member/activate/verify", passkey.attestation(options.get_json()))
    assert activated.status_code == 200, activated.get_json()
    me = member.get("/api/v1/me").get_json()
    assert me["member"]["name"] == MEMBER["name"]
    issued = member.get(f"/api/v1/me/token?member={member_id}").get_json()
    text = issued["text"]
    secrets |= {"token text": text, "token tail": text[-40:]}
    consent = _post_json(member, "/api/v1/me/consent", {"member": member_id, "consent": False})
    assert consent.status_code == 200 and consent.get_json()["limit_consent"] is False
    # sign out and in again with the passkey
    assert _post_json(member, "/auth/member/logout").status_code == 200
    options = _post_json(member, "/auth/member/login/options").get_json()
    assert _post_json(member, "/auth/member/login/verify", passkey.assertion(options)).status_code == 200
    secrets["member session"] = _session_token(member)
    # personal values typed into paths: a name, a token
    assert member.get(f'/app/{MEMBER["name"]}').status_code == 404
    assert member.get(f"/app/{text}").status_code == 404
    assert client.get(f'/admin/members/{MEMBER["number"]}{MEMBER["symbol"]}').status_code == 404

    # the loss: recorded by staff, the member's session ends
    lost = client.post(f"/admin/members/{member_id}/loss",
                       data={"lost_on": "2026-11-18", "loss_reason": "retirement", "confirmed": "1",
                             "csrf_token": token})
    assert lost.status_code == 302
    assert member.get("/api/v1/me").status_code == 401

    lines = formatted(records())
    assert len(records()) > 40 and {"shikaku.audit", "shikaku.request"} <= {r.name for r in records()}
    assert leaks(lines, secrets) == []
    # the request id of a request is on the records made during it, and in its response
    enrol_lines = [json.loads(line) for line in lines if '"request_id": "log-scan.enrol_1"' in line]
    assert {line["logger"] for line in enrol_lines} >= {"shikaku.audit", "shikaku.request"}
    assert any(line.get("status") == 302 and line["path"] == "/admin/members/new" for line in enrol_lines)
    assert all(GENERATED_ID.fullmatch(r.request_id) or r.request_id == "log-scan.enrol_1"
               for r in records() if hasattr(r, "request_id"))
    # nothing logged a query string, and the invitation path kept nothing after /admin/invite
    assert not [line for line in lines if "?" in line or "q=" in line]
    assert any('"path": "/admin/invite*"' in line for line in lines)


def test_the_scan_sees_a_personal_value_logged_during_a_request(app, records):
    """The scan is not blind: a name in a log call's arguments is found in the formatted line."""
    with app.test_request_context("/admin/"):
        logging.getLogger("shikaku.anything").debug("enrolled %s", MEMBER["name"])
    assert leaks(formatted(records()), {"name": MEMBER["name"]})


def test_sql_and_result_rows_stay_out_of_the_logs_at_debug(app, records):
    from server.extensions import db
    from server.models import Member

    def read_the_register():
        with app.app_context():
            return [m.name for m in db.session.scalars(db.select(Member))]
    assert "𠮷田 太郎" in read_the_register()
    assert not [r for r in records() if r.name.startswith("sqlalchemy")]
    sql = logging.getLogger("sqlalchemy")
    sql.setLevel(logging.NOTSET)                 # what the root logger at DEBUG alone would give
    try:
        read_the_register()
    finally:
        sql.setLevel(logging.WARNING)
    rows = "\n".join(formatted([r for r in records() if r.name.startswith("sqlalchemy")]))
    assert "𠮷田 太郎" in rows                   # why the app keeps the sqlalchemy loggers at WARNING


# -- the request id ----------------------------------------------------------------------------

@pytest.mark.parametrize("given, kept", [
    ("abc-123_x.Y", True), ("a" * 64, True),
    ("a" * 65, False), ("a b", False), ("id;drop", False), ("<script>", False), ("", False),
])
def test_the_request_id_is_the_callers_only_when_short_and_plain(client, records, given, kept):
    response = client.get("/healthz", headers={"X-Request-Id": given} if given else {})
    echoed = response.headers["X-Request-Id"]
    assert echoed == given if kept else GENERATED_ID.fullmatch(echoed)
    line = [r for r in records() if r.name == "shikaku.request"][-1]
    assert line.request_id == echoed and line.http_path == "/healthz" and line.status == 200


def test_every_response_carries_a_new_request_id(client):
    ids = {client.get(path).headers["X-Request-Id"] for path in ("/healthz", "/healthz", "/nowhere", "/app/")}
    assert len(ids) == 4 and all(GENERATED_ID.fullmatch(i) for i in ids)


# -- what a path becomes ------------------------------------------------------------------------

@pytest.mark.parametrize("path, logged", [
    ("/admin/members/12/edit", "/admin/members/12/edit"),
    ("/api/v1/me/token", "/api/v1/me/token"),
    ("/.well-known/jwks.json", "/.well-known/jwks.json"),
    ("/vendor/cborg/lib/diagnostic_test.d.ts.map", "/vendor/cborg/lib/diagnostic_test.d.ts.map"),
    ("/app/", "/app/"),
    ("/admin/members/2147483647", "/admin/members/2147483647"),        # an id: 10 digits
    ("/admin/members/21474836470", "/admin/members/*"),                # 11 digits: not an id
    ("/app/鷲尾 律子", "/app/*"),
    ("/app/1234-5678-9012-3456-7890", "/app/*"),                         # an activation code
    ("/x/" + "a" * 33, "/x/*"),                                         # a session-length token
    ("/admin/invite", "/admin/invite"),
    ("/admin/invite#token=abc", "/admin/invite*"),
    ("/admin/invite/Ab3_-x", "/admin/invite*"),
    ("/" + "a/" * 20, "/a/a/a/a/a/a/a/a/a/a/a/*"),
])
def test_a_logged_path_keeps_ids_and_file_names_only(path, logged):
    assert logs.loggable_path(path) == logged


# -- the formats --------------------------------------------------------------------------------

def test_a_json_line_is_one_object_with_the_request_fields(app):
    with app.test_request_context("/admin/members/7?q=x", method="POST", headers={"X-Request-Id": "r-1"}):
        try:
            raise ValueError("boom")
        except ValueError:
            record = logging.getLogger("shikaku.test").makeRecord(
                "shikaku.test", logging.ERROR, __file__, 1, "failed %s\nnext", ("once",), sys.exc_info(),
                extra={"status": 500, "duration_ms": 3})
    line = logs.JsonFormatter().format(record)
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["level"] == "ERROR" and parsed["logger"] == "shikaku.test"
    assert parsed["message"] == "failed once\nnext" and "ValueError: boom" in parsed["exception"]
    assert (parsed["request_id"], parsed["method"], parsed["path"]) == ("r-1", "POST", "/admin/members/7")
    assert (parsed["status"], parsed["duration_ms"]) == (500, 3)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", parsed["time"])


def _run_app(log_format: str | None, tmp_path) -> str:
    """stderr of a fresh process (its logging unconfigured, as under gunicorn or flask run) that
    builds the app and answers one request with a query string."""
    config = {"INSTANCE_PATH": str(tmp_path / "instance"), "AUTO_BOOTSTRAP": False}
    if log_format:
        config["LOG_FORMAT"] = log_format
    script = (f"from server import create_app\n"
              f"app = create_app({config!r})\n"
              f"app.test_client().get('/healthz?name=' + 'x', headers={{'X-Request-Id': 'proc-1'}})\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                          env={k: v for k, v in os.environ.items() if not k.startswith("SHIKAKU_")},
                          timeout=60, check=True)
    return done.stderr


def test_production_writes_json_lines_on_stderr(tmp_path):
    lines = _run_app("json", tmp_path).splitlines()
    parsed = [json.loads(line) for line in lines]          # every line is JSON
    request = [line for line in parsed if line["logger"] == "shikaku.request"]
    assert len(request) == 1
    assert request[0]["request_id"] == "proc-1" and request[0]["path"] == "/healthz"
    assert request[0]["status"] == 200 and isinstance(request[0]["duration_ms"], int)
    assert "name=" not in "\n".join(lines)


def test_development_writes_readable_text(tmp_path):
    err = _run_app(None, tmp_path)
    assert re.search(r"INFO shikaku.request \[proc-1\] GET /healthz 200 \d+ms", err), err
    assert "{" not in err and "name=" not in err


def test_a_log_format_that_does_not_exist_stops_the_start(make_app):
    from server.instance_secrets import ConfigurationError
    with pytest.raises(ConfigurationError, match="LOG_FORMAT"):
        make_app(LOG_FORMAT="xml")


def test_logging_configured_by_someone_else_is_left_alone():
    """pytest configured the root logger here: the app adds no handler of its own."""
    root = logging.getLogger()
    before = list(root.handlers)
    assert before and logs.configure("json") is False
    assert root.handlers == before


# -- the development server's request lines ------------------------------------------------------

def test_the_development_server_logs_no_query_and_no_token(live_server, caplog):
    caplog.set_level("INFO", logger="werkzeug")
    for path in (f"/admin/?q={urllib.parse.quote(MEMBER['name'])}", "/admin/invite/Secret-Token_123",
                 "/healthz?member=42"):
        try:
            urllib.request.urlopen(live_server.url + path, timeout=5).close()
        except urllib.error.HTTPError:
            pass
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "werkzeug")
    assert '"GET /admin/ HTTP/1.1" 302' in logged and '"GET /healthz HTTP/1.1" 200' in logged
    assert '"GET /admin/invite* HTTP/1.1" 404' in logged
    assert "q=" not in logged and "member=" not in logged and "Secret-Token" not in logged
    assert "%E9" not in logged and MEMBER["name"] not in logged


# -- gunicorn's access log ------------------------------------------------------------------------

def _gunicorn_conf():
    import importlib.util
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "config" / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_access_log_format_has_no_query_referer_agent_address_or_headers():
    conf = _gunicorn_conf()
    fmt = conf.access_log_format
    for risky in ("%(r)s", "%(q)s", "%(U)s", "%(f)s", "%(a)s", "%(h)s", "%(u)s"):
        assert risky not in fmt, risky
    assert not re.search(r"%\(\{[^}]*\}i\)s", fmt)              # no request header, no cookie
    for wanted in ("%(m)s", "%({shikaku.log_path}e)s", "%(s)s", "%(b)s", "%(M)s", "%({x-request-id}o)s"):
        assert wanted in fmt, wanted
    assert logs.ENVIRON_PATH == "shikaku.log_path"
    assert conf.accesslog == os.environ.get("GUNICORN_ACCESSLOG", "-") or None
    assert conf.timeout >= 60 and conf.graceful_timeout > 0 and conf.keepalive > 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_writes_one_json_access_line_per_request_without_query_or_token(tmp_path):
    port = _free_port()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("SHIKAKU_", "GUNICORN_"))},
           "SHIKAKU_INSTANCE_PATH": f'"{tmp_path / "instance"}"', "SHIKAKU_AUTO_BOOTSTRAP": "false",
           "SHIKAKU_LOG_FORMAT": '"json"', "PORT": str(port), "WEB_CONCURRENCY": "1"}
    out, err = tmp_path / "out", tmp_path / "err"
    with out.open("w") as stdout, err.open("w") as stderr:
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(ROOT / "config" / "gunicorn.conf.py"),
                                   "--bind", f"127.0.0.1:{port}", "server:create_app()"],
                                  cwd=ROOT, env=env, stdout=stdout, stderr=stderr)
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while True:
                try:
                    urllib.request.urlopen(base + "/healthz", timeout=2).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
            request = urllib.request.Request(base + "/healthz?name=washio", headers={"X-Request-Id": "gunicorn-1"})
            with urllib.request.urlopen(request, timeout=5) as response:
                assert response.headers["X-Request-Id"] == "gunicorn-1"
            with pytest.raises(urllib.error.HTTPError):
                urllib.request.urlopen(base + "/admin/invite/Secret-Token_123?x=1", timeout=5)
        finally:
            server.terminate()
            server.wait(10)
    access = [json.loads(line) for line in out.read_text().splitlines()]
    by_id = {line["request_id"]: line for line in access}
    assert by_id["gunicorn-1"]["path"] == "/healthz" and by_id["gunicorn-1"]["status"] == 200
    assert by_id["gunicorn-1"]["method"] == "GET" and isinstance(by_id["gunicorn-1"]["duration_ms"], int)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", by_id["gunicorn-1"]["time"])
    assert any(line["path"] == "/admin/invite*" and line["status"] == 404 for line in access)
    everything = out.read_text() + err.read_text()
    assert "washio" not in everything and "Secret-Token" not in everything and "x=1" not in everything
    app_lines = [json.loads(line) for line in err.read_text().splitlines() if line.startswith("{")]
    assert any(line["logger"] == "shikaku.request" and line["request_id"] == "gunicorn-1" for line in app_lines)
