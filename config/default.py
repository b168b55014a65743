# Shikaku Pass default settings: the embedded development default.
# Every setting can be overridden by a file named in SHIKAKU_CONFIG (see
# production.example.py) and then by SHIKAKU_<NAME> environment variables
# (values parsed as JSON when they parse, e.g. SHIKAKU_NOTICE_TOKEN_DAYS=3).

ENV = "development"            # "production" never invents members and needs its keys provisioned
DEMO_DATA = True               # seed a demo insurer and members on first start (development only)
# SQLALCHEMY_DATABASE_URI defaults to SQLite in the instance folder: instance/shikaku.sqlite3

# Tokens
NOTICE_TOKEN_DAYS = 7          # life of a phone token; the app refreshes it when online
TOKEN_REFRESH_SECONDS = 86400  # the app fetches a new token when online and its token is older
CARD_VALIDITY_DAYS = 365       # 資格確認書 validity chosen by the insurer (at most 5 years)
VERIFY_SKEW_SECONDS = 300      # clock disagreement tolerated when verifying
# Token format: 2 = a status index (claim 18) checked in the status lists of the trust list's
# signed root; 1 = a revocation id listed in the trust list (the old format, still verified).
# Deploy a version-2 verifier to clinics before issuing version 2 (docs/token-format.md).
TOKEN_VERSION = 2

# Printed notices: the insurer's address block, by insurer number (optional)
INSURER_CONTACTS = {"06138093": ["〒100-0000 東京都千代田区〇〇1-2-3", "お問い合わせ 0120-000-000（平日 9:00〜17:00）"]}

# Activation codes printed on the notice
ACTIVATION_CODE_DAYS = 90      # a code expires after this many days
ACTIVATION_MAX_ATTEMPTS = 5    # wrong answers (birth date or PIN) before the code locks
PRINT_BATCH_LIMIT = 1000       # notices in one print job from the admin pages (the CLI prints any number)
# The second factor: a 6-digit 暗証番号 never printed on the notice, on its own sheet that the
# insurer sends apart from it: "letter" (a second letter by post) or "employer" (handed out at
# work). The notice tells the member they will need it (docs/activation.md).
ACTIVATION_PIN_DELIVERY = "letter"
# Activation codes are stored as HMACs under their own key (not SECRET_KEY, so rotating that
# signs everybody out without voiding printed notices). Rotate this one by moving the old value
# into ACTIVATION_SECRET_FALLBACKS until the last notice printed with it has expired (90 days).
ACTIVATION_SECRET = None       # development: generated into instance/; production: required
ACTIVATION_SECRET_FALLBACKS = []
SECRET_KEY_FALLBACKS = []      # older cookie keys still accepted while rotating SECRET_KEY

# Trust list
TRUST_LIST_VALIDITY_SECONDS = 2 * 86400   # after this a verifier warns "stale" (要更新)
TRUST_LIST_GRACE_SECONDS = 14 * 86400     # after validity + grace, verdicts need a re-sync (要再同期)
TRUST_LIST_REFRESH_SECONDS = 6 * 3600     # re-sign an unchanged list this often
TRUST_LIST_MAX_AGE = 300                  # Cache-Control max-age for GET /api/v1/trust-list
TRUST_LIST_CHECK_SECONDS = 2              # a worker re-reads the list's version this often at most

# Keys: private keys live in instance/keys with mode 0600. Set KEY_PASSPHRASE
# (SHIKAKU_KEY_PASSPHRASE) to encrypt them at rest.
KEY_PASSPHRASE = None

# Database connections. hide_parameters: errors never carry row values (names, 記号・番号) into
# logs. pool_pre_ping: a pooled connection is tested (one round trip) when a request takes it,
# so after a database restart no request gets a connection that died with the old server
# (bench.faults: two failed requests, one per worker, without it). Failed requests are not
# retried: while the database is down a retry fails too, and even our GETs write (a session's
# last use, a token's expiry in the key record). Overriding this setting replaces the whole
# dict: keep both.
SQLALCHEMY_ENGINE_OPTIONS = {"hide_parameters": True, "pool_pre_ping": True}

# Sessions: HttpOnly, SameSite=Lax, Secure outside development (None = decide by ENV)
SESSION_COOKIE_NAME = "shikaku_session"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = None
WTF_CSRF_TIME_LIMIT = None     # the CSRF token lives as long as the session
# Sessions live on the server (auth_session): the cookie holds only a random token, so
# signing out, "sign out of all devices", a deleted passkey or a disabled account ends a
# session wherever its cookie was copied. Staff lifetimes are shorter than members'.
STAFF_INVITE_HOURS = 24        # a staff invitation link (token in its #fragment) expires after this
STAFF_IDLE_MINUTES = 30        # staff are signed out after this many idle minutes
STAFF_SESSION_MAX_HOURS = 10   # ... and after this long in any case (one working day)
MEMBER_SESSION_IDLE_DAYS = 14  # a member unused for this long signs in again with a passkey
MEMBER_SESSION_MAX_DAYS = 30   # ... and after this long in any case
PERMANENT_SESSION_LIFETIME = 30 * 86400   # the cookie's own lifetime: the longest above
# Strict-Transport-Security on every response (server/views/headers.py): None = decide by ENV
# ("max-age=31536000; includeSubDomains" outside development), a text = that header, False = never
STRICT_TRANSPORT_SECURITY = None

# Request size: 413 beyond it. The biggest legitimate body is the admin CSV upload (50 MB,
# views/admin/imports.py) plus its multipart framing; JSON bodies have their own 64 kB cap
# (views/json_body.py)
MAX_CONTENT_LENGTH = 51 * 1024 * 1024

# Rate limits per client address (Flask-Limiter); use a shared store with several workers
RATELIMIT_STORAGE_URI = "memory://"
# When the shared store (Redis) is down, the limits neither fail closed nor fail open: each
# worker counts them in its own memory until the store answers again (checked after 1, 2, 4 …
# 32 s), so a guesser gets at most the limit times the number of worker processes. Failing
# closed (Flask-Limiter's default: every limited request a 500) would stop every sign-in and
# activation for as long as Redis is down; failing open (RATELIMIT_SWALLOW_ERRORS) would lift
# the limits entirely. Wrong activation answers are also counted per code in the database
# (ACTIVATION_MAX_ATTEMPTS), which no Redis outage touches. bench.faults shows all three.
RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
RATELIMIT_SWALLOW_ERRORS = False
# Behind N proxies, take the client address from X-Forwarded-For (werkzeug ProxyFix). Off by
# default: the socket's peer is the client. Only with gunicorn started with
# config/gunicorn.conf.py, whose FORWARDED_ALLOW_IPS names the proxy: it drops X-Forwarded-*
# sent by anyone else, so a client reaching the app directly cannot choose its address.
PROXY_FIX_HOPS = 0
ACTIVATION_RATE_LIMIT = "10 per minute; 60 per day"
SIGN_IN_RATE_LIMIT = "30 per minute"

# Clinic verifier (/clinic/config.json): where it fetches the trust list (default: this
# server's /api/v1/trust-list; set a CDN URL here), and how long its day log keeps entries
CLINIC_TRUST_LIST_URL = None
CLINIC_LOG_RETENTION_DAYS = 30

# Logs (server/logs.py): one line per record on stderr, each made during a request with its
# request id (X-Request-Id, echoed), method and path; never a query string or personal data.
# "text" reads well in a terminal; "json" (production) is one JSON object per line for a log
# collector. Nothing is installed when logging was configured first (gunicorn --log-config).
LOG_FORMAT = "text"
LOG_LEVEL = "INFO"             # SQL and result rows stay out at any level (SQLALCHEMY_ECHO to see them)

PUBLIC_URL = "http://localhost:5000"      # printed at start; the member and clinic links
