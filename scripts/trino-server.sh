#!/usr/bin/env bash
# A throwaway Trino server with the reference topology of the dbt-trino jaffle mesh,
# on loopback, for tests and by hand:
#
#   catalog customersdb  postgresql connector → database customersdb, table public.raw_customers
#   catalog ordersdb     postgresql connector → database ordersdb,    table public.raw_orders
#   catalog paymentsdb   postgresql connector → database paymentsdb,  table public.raw_payments
#   catalog insights     memory connector, for the outputs
#
# The three databases live in one PostgreSQL server of their own (initdb + pg_ctl,
# like compiler/registry/tests), loaded from projects/jaffle_mesh/*/data/*.csv with
# the column types of the domains' sources.yaml. Each table is in `public`, the
# schema a PostgreSQL database has anyway, so a domain's sources are
# `<domain>db.public.<table>` and nothing else has to be created.
#
#   trino-server.sh start DIR [--watch PID]   start both, wait until Trino runs statements,
#                                             print the base URL (also in DIR/url)
#   trino-server.sh status DIR                print the URL; exit 0 when Trino answers
#   trino-server.sh stop DIR                  stop both and remove DIR (fine if not running)
#
# --watch PID stops everything once process PID has exited, however it ended
# (the tests pass their own pid, so a killed test run leaves no server behind).
#
# Needs scripts/setup-trino.sh to have run (exit code 3 otherwise) and PostgreSQL
# (installed through scripts/setup-postgres.sh when missing).
# Environment: MESHC_TRINO_START_TIMEOUT (seconds to wait for Trino, default 120),
# MESHC_TRINO_HEAP (JVM -Xmx, default 2G), MESHC_PG_BIN (PostgreSQL's bin directory).
set -euo pipefail
version=476
scripts="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$scripts")"
home="$HOME/.cache/meshc/trino-$version"
pg_user=meshc

log() { echo "trino-server: $*" >&2; }
die() { log "$*"; exit 1; }

usage() { echo "usage: trino-server.sh start|stop|status DIR [--watch PID]" >&2; exit 2; }
[ $# -ge 2 ] || usage
command="$1"
dir="$2"
shift 2
watch=""
while [ $# -gt 0 ]; do
  case "$1" in
    --watch) [ $# -ge 2 ] || usage; watch="$2"; shift 2 ;;
    *) usage ;;
  esac
done
if [ "$command" = start ]; then mkdir -p "$dir"; fi
if [ -d "$dir" ]; then
  dir="$(cd "$dir" && pwd)"
elif [ "$command" = stop ]; then
  exit 0
else
  log "no server in $dir"
  exit 1
fi

# The user PostgreSQL runs as: initdb refuses root.
if [ "$(id -u)" = 0 ]; then
  if id postgres >/dev/null 2>&1; then run_as=postgres; else run_as=nobody; fi
else
  run_as=""
fi
as_pg() { # runs a PostgreSQL program as the server's user
  if [ -n "$run_as" ]; then runuser -u "$run_as" -- "$@"; else "$@"; fi
}

pg_bin() {
  if [ -n "${MESHC_PG_BIN:-}" ]; then echo "$MESHC_PG_BIN"; return; fi
  local newest
  newest="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  if [ -n "$newest" ] && [ -x "$newest/initdb" ]; then echo "$newest"; return; fi
  local initdb
  initdb="$(command -v initdb || true)"
  [ -n "$initdb" ] && dirname "$initdb"
}

# A loopback port nothing answers on now (whoever binds it first wins: callers retry).
free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  die "no free loopback port found"
}

# The launcher with this server's directories; `launcher start` daemonizes the JVM,
# keeping its pid in data/var/run/launcher.pid and its log in data/var/log/server.log.
launcher=("$home/bin/launcher" --etc-dir="$dir/etc" --data-dir="$dir/data")
[ -f "$home/java-home" ] && launcher+=(--jvm-dir="$(cat "$home/java-home")")

info() { # GET /v1/info, bounded
  curl -sS --max-time 5 "$1/v1/info" 2>/dev/null
}

# Runs one statement with curl, following nextUri; prints every answer (for the
# readiness check only: the client of record is compiler/trino).
statement() {
  local url="$1" sql="$2" answer next
  answer="$(curl -sS --max-time 10 -H 'X-Trino-User: meshc' --data-binary "$sql" "$url/v1/statement")" || return 1
  for _ in $(seq 1 200); do
    echo "$answer"
    next="$(printf '%s' "$answer" | sed -n 's/.*"nextUri":"\([^"]*\)".*/\1/p')"
    [ -n "$next" ] || return 0
    answer="$(curl -sS --max-time 10 "$next")" || return 1
  done
  return 1
}

# Ready means more than `starting:false`: until the node has announced itself
# to discovery, a statement that needs workers (any write to the memory
# catalog) fails with NO_NODES_AVAILABLE.
# (Answers are read whole before grep: with pipefail, `grep -q` closing the
# pipe early would fail the writer.)
ready() {
  local answers
  answers="$(info "$1")" && [[ "$answers" == *'"starting":false'* ]] &&
    answers="$(statement "$1" "SELECT count(*) FROM system.runtime.nodes WHERE state = 'active'" 2>/dev/null)" &&
    [[ "$answers" == *'"data":[[1]]'* ]]
}

stop() {
  local pid
  if [ -f "$dir/watchdog.pid" ]; then
    pid="$(cat "$dir/watchdog.pid")"
    # Not when the watchdog itself is the one stopping.
    if [ "$pid" != "$$" ]; then kill "$pid" 2>/dev/null || true; fi
  fi
  if [ -f "$dir/data/var/run/launcher.pid" ] && [ -x "$home/bin/launcher" ]; then
    timeout 60 "${launcher[@]}" stop >/dev/null 2>&1 || timeout 30 "${launcher[@]}" kill >/dev/null 2>&1 || true
  fi
  if [ -f "$dir/pg-dir" ]; then
    local pg
    pg="$(cat "$dir/pg-dir")"
    if [ -f "$pg/data/postmaster.pid" ] && bin="$(pg_bin)" && [ -n "$bin" ]; then
      (cd "$pg" && as_pg timeout 60 "$bin/pg_ctl" -D "$pg/data" -m immediate -w stop) >/dev/null 2>&1 || true
    fi
    rm -rf "$pg"
  fi
  rm -rf "$dir"
}

start_pg() {
  local bin="$1" pg port options
  if [ -n "$run_as" ]; then
    # Somewhere the server's user can reach ($HOME may be 0700).
    pg="$(mktemp -d /tmp/meshc-trino-pg.XXXXXX)"
    chown "$run_as:" "$pg"
  else
    pg="$dir/pg"
    mkdir -p "$pg"
  fi
  echo "$pg" >"$dir/pg-dir"
  (cd "$pg" && as_pg "$bin/initdb" -D "$pg/data" -A trust -U "$pg_user" -E UTF8 --locale=C --no-sync) \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  for _ in 1 2 3 4 5; do
    port="$(free_port)"
    options="-c listen_addresses=127.0.0.1 -p $port -k '$pg' -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    if (cd "$pg" && as_pg "$bin/pg_ctl" -D "$pg/data" -l "$pg/postgres.log" -w -t 60 -o "$options" start) \
      >/dev/null 2>&1; then
      echo "$port" >"$dir/pg-port"
      return
    fi
  done
  cat "$pg/postgres.log" >&2 || true
  die "PostgreSQL did not start"
}

load_jaffle() {
  local bin="$1" port
  port="$(cat "$dir/pg-port")"
  local psql=("$bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U "$pg_user")
  local data="$root/projects/jaffle_mesh"
  "${psql[@]}" -d postgres -c 'CREATE DATABASE customersdb' -c 'CREATE DATABASE ordersdb' \
    -c 'CREATE DATABASE paymentsdb'
  # Types and NOT NULL as in each domain's sources.yaml.
  "${psql[@]}" -d customersdb \
    -c 'CREATE TABLE public.raw_customers (id integer NOT NULL, first_name varchar NOT NULL,
          last_name varchar NOT NULL, email varchar NOT NULL)' \
    -c "\\copy public.raw_customers FROM '$data/customers/data/raw_customers.csv' WITH (FORMAT csv, HEADER true)"
  "${psql[@]}" -d ordersdb \
    -c 'CREATE TABLE public.raw_orders (id integer NOT NULL, user_id integer NOT NULL,
          order_date date NOT NULL, status varchar NOT NULL)' \
    -c "\\copy public.raw_orders FROM '$data/orders/data/raw_orders.csv' WITH (FORMAT csv, HEADER true)"
  "${psql[@]}" -d paymentsdb \
    -c 'CREATE TABLE public.raw_payments (id integer NOT NULL, order_id integer NOT NULL,
          payment_method varchar NOT NULL, amount integer)' \
    -c "\\copy public.raw_payments FROM '$data/payments/data/raw_payments.csv' WITH (FORMAT csv, HEADER true)"
}

write_config() {
  local port="$1" pg_port
  pg_port="$(cat "$dir/pg-port")"
  mkdir -p "$dir/etc/catalog" "$dir/data"
  cat >"$dir/etc/node.properties" <<EOF
node.environment=meshc_test
node.id=meshc-$(basename "$dir")-$$
node.data-dir=$dir/data
node.bind-ip=127.0.0.1
node.internal-address=127.0.0.1
EOF
  cat >"$dir/etc/jvm.config" <<EOF
-server
-Xmx${MESHC_TRINO_HEAP:-2G}
-XX:+UseG1GC
-XX:+ExplicitGCInvokesConcurrent
-XX:+ExitOnOutOfMemoryError
-XX:-OmitStackTraceInFastThrow
-XX:ReservedCodeCacheSize=256M
-XX:PerMethodRecompilationCutoff=10000
-XX:PerBytecodeRecompilationCutoff=10000
-Djdk.attach.allowAttachSelf=true
-Djdk.nio.maxCachedBufferSize=2000000
-Dfile.encoding=UTF-8
-XX:+EnableDynamicAgentLoading
EOF
  cat >"$dir/etc/config.properties" <<EOF
coordinator=true
node-scheduler.include-coordinator=true
http-server.http.port=$port
discovery.uri=http://127.0.0.1:$port
EOF
  echo "io.trino=INFO" >"$dir/etc/log.properties"
  local db
  for db in customersdb ordersdb paymentsdb; do
    cat >"$dir/etc/catalog/$db.properties" <<EOF
connector.name=postgresql
connection-url=jdbc:postgresql://127.0.0.1:$pg_port/$db
connection-user=$pg_user
EOF
  done
  cat >"$dir/etc/catalog/insights.properties" <<EOF
connector.name=memory
memory.max-data-per-node=512MB
EOF
}

start() {
  [ -f "$home/.meshc-installed" ] || {
    log "Trino $version is not installed in $home: run scripts/setup-trino.sh"
    exit 3
  }
  if [ -f "$dir/url" ]; then die "$dir already holds a server ($(cat "$dir/url")): stop it first"; fi
  local started=$SECONDS bin
  bin="$(pg_bin)"
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    bash "$scripts/setup-postgres.sh"
    bin="$(pg_bin)"
  fi
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then die "PostgreSQL's initdb not found"; fi
  # From here on, a failure (die, or any failed command under set -e) leaves nothing running.
  trap 'if [ ! -f "$dir/url" ]; then log "start failed: stopping what was started"; stop; fi' EXIT
  start_pg "$bin"
  load_jaffle "$bin"
  local pg_ready=$SECONDS
  local deadline=$((SECONDS + ${MESHC_TRINO_START_TIMEOUT:-120}))
  local port url attempt state
  for attempt in 1 2 3; do
    port="$(free_port)"
    url="http://127.0.0.1:$port"
    write_config "$port"
    "${launcher[@]}" start </dev/null >"$dir/launcher.out" 2>&1 || { cat "$dir/launcher.out" >&2; die "launcher start failed"; }
    state=""
    while [ $SECONDS -lt $deadline ]; do
      if ready "$url"; then state=up; break; fi
      # Exited (a port taken between our probe and its bind, or a bad config).
      if ! timeout 10 "${launcher[@]}" status >/dev/null 2>&1; then state=exited; break; fi
      sleep 0.5
    done
    [ "$state" = up ] && break
    if [ "$state" = exited ] && [ $attempt -lt 3 ] && grep -q 'Address already in use' "$dir/data/var/log/server.log" 2>/dev/null; then
      log "port $port was taken, retrying"
      mv "$dir/data/var/log/server.log" "$dir/server-attempt-$attempt.log"
      continue
    fi
    # The log goes with DIR: show what went wrong, not the stack frames.
    grep -E -m 20 'ERROR|Exception|Caused by|Error:' "$dir/data/var/log/server.log" >&2 2>/dev/null || true
    if [ "$state" = exited ]; then die "Trino exited while starting (log: $dir/data/var/log/server.log)"; fi
    die "Trino did not start within ${MESHC_TRINO_START_TIMEOUT:-120}s"
  done
  echo "$url" >"$dir/url"
  if [ -n "$watch" ]; then
    # Detached from our stdout/stderr so that whoever reads them is not held open.
    setsid bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; exec bash "$2" stop "$3"' \
      watchdog "$watch" "$scripts/trino-server.sh" "$dir" </dev/null >/dev/null 2>&1 &
    echo $! >"$dir/watchdog.pid"
  fi
  log "PostgreSQL ready in $((pg_ready - started))s, Trino in $((SECONDS - pg_ready))s more, at $url"
  echo "$url"
}

case "$command" in
  start) start ;;
  stop) stop ;;
  status)
    [ -f "$dir/url" ] || { log "no server in $dir"; exit 1; }
    url="$(cat "$dir/url")"
    ready "$url" || { log "$url does not answer"; exit 1; }
    echo "$url"
    ;;
  *) usage ;;
esac
