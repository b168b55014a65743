# Example production settings. Copy outside the repository, fill in, and point
# SHIKAKU_CONFIG at it. Secrets may instead come from SHIKAKU_* environment variables
# (SHIKAKU_SECRET_KEY, SHIKAKU_KEY_PASSPHRASE, SHIKAKU_REVOCATION_SECRET).
#
#   SHIKAKU_CONFIG=/etc/shikaku/production.py FORWARDED_ALLOW_IPS=10.0.0.5 \
#       gunicorn -c config/gunicorn.conf.py 'server:create_app()'
#   shikaku keys init --insurer 06138093     # provision the trust anchor and the first signing key

ENV = "production"
DEMO_DATA = False                          # never invent members in production
SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://shikaku@db.internal/shikaku"
PUBLIC_URL = "https://shikaku.example.jp"
SESSION_COOKIE_SECURE = True
# STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"   # the default outside development;
#                                          # add "; preload" only once every subdomain serves HTTPS
# SECRET_KEY = "..."                       # required: set it here or as SHIKAKU_SECRET_KEY
# KEY_PASSPHRASE = "..."                   # recommended: private keys encrypted at rest
# REVOCATION_SECRET = "..."                # HMAC key for revocation ids (hex, 32 bytes)
# ACTIVATION_SECRET = "..."                # HMAC key for printed activation codes (hex, 32 bytes);
#                                          # its own key: rotating SECRET_KEY voids no notice.
#                                          # Upgrading from a version that used SECRET_KEY: put the
#                                          # old SECRET_KEY in ACTIVATION_SECRET_FALLBACKS.
# Behind one load balancer: real client addresses from X-Forwarded-For, trusted only from the
# load balancer: run gunicorn -c config/gunicorn.conf.py with FORWARDED_ALLOW_IPS=<its address>
PROXY_FIX_HOPS = 1
RATELIMIT_STORAGE_URI = "redis://redis.internal:6379/0"   # limits shared by every worker and host
# While Redis is down each worker counts the limits in its own memory (config/default.py says
# why: neither every sign-in refused nor no limit at all). Counts live in Redis only: without
# Redis persistence a restart forgets them (each address starts again from zero).
RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
NOTICE_TOKEN_DAYS = 7
CARD_VALIDITY_DAYS = 365 * 2
LOG_FORMAT = "json"                        # one JSON object per line on stderr, with the request id
# LOG_LEVEL = "INFO"                       # the default: one line per request and per audited change
