#!/usr/bin/env bash
# PostgreSQL and Redis for the tests, on loopback, in temporary folders (no service manager).
#   source scripts/services.sh && services_start   exports SHIKAKU_TEST_POSTGRES_URL and
#                                                   SHIKAKU_TEST_REDIS_URL; services_stop ends both.
# Debian's packages (postgresql, redis-server) are installed by scripts/setup --test.

services_start() {
  local pgbin port_pg port_redis as_postgres=()
  pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$pgbin" ] || { echo "PostgreSQL is not installed (scripts/setup --test)" >&2; return 1; }
  port_pg=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  port_redis=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  SHIKAKU_SERVICES_DIR=$(mktemp -d /tmp/shikaku-services.XXXXXX)
  chmod 755 "$SHIKAKU_SERVICES_DIR"     # the postgres user reaches its folder inside
  mkdir -p "$SHIKAKU_SERVICES_DIR/pg"
  if [ "$(id -u)" = 0 ]; then            # initdb refuses to run as root
    chown postgres "$SHIKAKU_SERVICES_DIR/pg"
    as_postgres=(runuser -u postgres --)
  fi
  "${as_postgres[@]}" "$pgbin/initdb" -D "$SHIKAKU_SERVICES_DIR/pg" -A trust -U postgres >/dev/null
  # fsync off: a test database is thrown away; nothing here is a durability figure.
  "${as_postgres[@]}" "$pgbin/pg_ctl" -D "$SHIKAKU_SERVICES_DIR/pg" -l "$SHIKAKU_SERVICES_DIR/pg/log" -w \
    -o "-p $port_pg -k $SHIKAKU_SERVICES_DIR/pg -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" \
    start >/dev/null
  redis-server --daemonize yes --port "$port_redis" --bind 127.0.0.1 --save '' --appendonly no \
    --dir "$SHIKAKU_SERVICES_DIR" --pidfile "$SHIKAKU_SERVICES_DIR/redis.pid" \
    --logfile "$SHIKAKU_SERVICES_DIR/redis.log" >/dev/null
  export SHIKAKU_SERVICES_DIR PGBIN_DIR="$pgbin"
  export SHIKAKU_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$port_pg/postgres"
  export SHIKAKU_TEST_REDIS_URL="redis://127.0.0.1:$port_redis/0"
  for _ in $(seq 50); do redis-cli -p "$port_redis" ping >/dev/null 2>&1 && break; sleep 0.1; done
  echo "PostgreSQL on 127.0.0.1:$port_pg, Redis on 127.0.0.1:$port_redis" >&2
}

services_stop() {
  [ -n "${SHIKAKU_SERVICES_DIR:-}" ] || return 0
  local as_postgres=()
  [ "$(id -u)" = 0 ] && as_postgres=(runuser -u postgres --)
  "${as_postgres[@]}" "$PGBIN_DIR/pg_ctl" -D "$SHIKAKU_SERVICES_DIR/pg" -m fast stop >/dev/null 2>&1 || true
  [ -f "$SHIKAKU_SERVICES_DIR/redis.pid" ] && kill "$(cat "$SHIKAKU_SERVICES_DIR/redis.pid")" 2>/dev/null || true
  rm -rf "$SHIKAKU_SERVICES_DIR"
  unset SHIKAKU_SERVICES_DIR
}
