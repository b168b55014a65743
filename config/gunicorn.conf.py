# gunicorn settings for Shikaku Pass (the Procfile: gunicorn -c config/gunicorn.conf.py ...).
# Numbers come from the environment, with the defaults below.
#
# Who may say where a request came from: only the proxy in FORWARDED_ALLOW_IPS (comma
# separated addresses or networks; default 127.0.0.1, a proxy on the same host). gunicorn
# itself honours X-Forwarded-Proto only from there, but passes X-Forwarded-For from anyone to
# the app, where werkzeug's ProxyFix (PROXY_FIX_HOPS, config/default.py) believes it. So
# ``pre_request`` below drops every X-Forwarded-* and Forwarded header sent by any other peer:
# a client that reaches gunicorn directly is rate-limited by its own address, whatever it
# writes in X-Forwarded-For.
import ipaddress
import os
from datetime import UTC, datetime

from gunicorn.glogging import Logger

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Workers: WEB_CONCURRENCY processes (sync: one request at a time each; about 2 per core to
# start with). With more than one, RATELIMIT_STORAGE_URI must be a shared store (redis://),
# or each worker counts the limits on its own.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))

# Timeouts, in seconds:
# - GUNICORN_TIMEOUT (120, not gunicorn's 30): a worker silent for longer is killed and
#   replaced. The longest legitimate request is the admin CSV upload (up to 50 MB; about 11 s
#   per 100,000 rows, docs/csv-import.md). A load balancer in front needs a read timeout at
#   least this long.
# - GUNICORN_GRACEFUL_TIMEOUT (the timeout): on a restart or shutdown, how long a worker may
#   finish the request in hand. An import cut short writes nothing (one transaction), but the
#   insurer has to upload it again.
# - GUNICORN_KEEPALIVE (5): how long an idle keep-alive connection stays open. The default sync
#   worker closes each connection after its response and ignores it; it applies to the
#   threaded and async workers (--worker-class gthread). Behind a load balancer that reuses
#   connections, make it longer than the balancer's idle timeout.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", str(timeout)))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))

# Worker recycling, off by default: GUNICORN_MAX_REQUESTS > 0 restarts a worker after that many
# requests, plus a random 0 … GUNICORN_MAX_REQUESTS_JITTER so that workers do not restart
# together; a bound on slow memory growth, if one is ever seen. Nothing here is known to leak,
# and a restart forgets what a worker kept in memory (the development rate-limit store).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "0"))

# Access log: one JSON object per line on stdout (GUNICORN_ACCESSLOG: a file, or "" for none;
# the app also logs one "shikaku.request" line per response with the same request id).
# Only method, path, status, bytes sent, duration and request id:
# - the path is the one the app's logs keep (server/logs.py: no query, a segment that could be
#   a name or a token as "*"), which the app leaves in the WSGI environ as shikaku.log_path;
#   "-" for a request the app never saw. Never gunicorn's own %(U)s (the raw path), %(q)s (the
#   query: search words, ids), %(r)s (the request line, query included), %(f)s (Referer: the
#   previous page with its query), %(a)s (User-Agent), %(h)s (the client address), or request
#   headers (%({cookie}i)s: the session).
# - the request id is the app's X-Request-Id response header, as in the app's own lines.
# Every value is plain ASCII without quotes or backslashes (the app checks the path and the id;
# gunicorn refuses such methods), so each line parses as JSON.
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
access_log_format = ('{"time": "%(t)s", "level": "INFO", "logger": "gunicorn.access", '
                     '"method": "%(m)s", "path": "%({shikaku.log_path}e)s", "status": %(s)s, '
                     '"bytes": "%(b)s", "duration_ms": %(M)s, "request_id": "%({x-request-id}o)s"}')


class IsoTimeLogger(Logger):
    """gunicorn's logger with the access log's %(t)s in ISO 8601 (UTC), as the app's logs."""

    def now(self):
        return datetime.now(UTC).isoformat(timespec="milliseconds")


logger_class = IsoTimeLogger

#: Headers only the trusted proxy may set (gunicorn upper-cases header names).
PROXY_HEADERS = ("X-FORWARDED-", "FORWARDED", "X-REAL-IP")


def trusted(peer, allowed) -> bool:
    """Whether ``peer`` (gunicorn's peer address: a (host, port) tuple, or a string/bytes for a
    UNIX socket, which only the host itself can reach) is in ``allowed``: addresses, networks,
    or "*"."""
    if not isinstance(peer, tuple):
        return True
    if isinstance(allowed, str):
        allowed = allowed.split(",")
    allowed = [a.strip() for a in allowed if a.strip()]
    if "*" in allowed:
        return True
    try:
        address = ipaddress.ip_address(peer[0])
    except ValueError:
        return False
    for entry in allowed:
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def pre_request(worker, req):
    """Runs before gunicorn builds the WSGI environ: forwarding headers from an untrusted
    peer are dropped, so the app never sees them."""
    if not trusted(getattr(req, "peer_addr", None), worker.cfg.forwarded_allow_ips):
        req.headers = [(name, value) for name, value in req.headers
                       if not name.upper().startswith(PROXY_HEADERS)]
