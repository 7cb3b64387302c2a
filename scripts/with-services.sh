#!/usr/bin/env bash
# Runs a command against throwaway PostgreSQL and Redis servers that live only as long as it.
#
#   scripts/with-services.sh pytest ...
#
# Exports DATABASE_URL, CELERY_BROKER_URL and REDIS_URL for the command, then stops both
# servers and deletes their data, whatever the command's outcome. The PostgreSQL cluster is
# created UTF8 with the C.UTF-8 locale so pg_trgm works on Chinese text. Durability is turned
# off (fsync, synchronous_commit): these servers hold only test and bench data.
set -euo pipefail

find_pg_bin() {
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
    pg_config --bindir; return
  fi
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && { echo "$d"; return; }; done
  dirname "$(command -v initdb)"
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

PG_BIN=$(find_pg_bin)
WORK=$(mktemp -d /tmp/portal-services.XXXXXX)
chmod 755 "$WORK"
PG_PORT=$(free_port)
REDIS_PORT=$(free_port)
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  # initdb and postgres refuse to run as root: run them as the postgres system user.
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  as_pg=(runuser -u postgres --)
fi
mkdir -p "$WORK/pg" "$WORK/redis"
[ ${#as_pg[@]} -gt 0 ] && chown postgres "$WORK/pg"

cleanup() {
  "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -m immediate stop >/dev/null 2>&1 || true
  if [ -f "$WORK/redis/redis.pid" ]; then kill "$(cat "$WORK/redis/redis.pid")" 2>/dev/null || true; fi
  sleep 0.2
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

"${as_pg[@]}" "$PG_BIN/initdb" -D "$WORK/pg/data" -U portal --auth=trust \
  --encoding=UTF8 --locale=C.UTF-8 >"$WORK/initdb.log" 2>&1 || { cat "$WORK/initdb.log"; exit 1; }
"${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/server.log" -w -t 60 start \
  -o "-p $PG_PORT -k $WORK/pg -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
      -c full_page_writes=off -c max_connections=200 -c shared_buffers=512MB" >/dev/null
"$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U portal portal

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
  --dir "$WORK/redis" --pidfile "$WORK/redis/redis.pid" --logfile "$WORK/redis/redis.log" >/dev/null
for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done

export DATABASE_URL="postgres://portal@127.0.0.1:$PG_PORT/portal"
export CELERY_BROKER_URL="redis://127.0.0.1:$REDIS_PORT/0"
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/1"
echo "PostgreSQL on port $PG_PORT, Redis on port $REDIS_PORT (throwaway, under $WORK)"
"$@"
