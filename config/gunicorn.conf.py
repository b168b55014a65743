# gunicorn settings for Shikaku Pass (the Procfile: gunicorn -c config/gunicorn.conf.py ...).
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

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

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
