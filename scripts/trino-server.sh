#!/usr/bin/env bash
# A throwaway Trino server on loopback, for tests and by hand, with the topology
# of two example meshes: the reference layout of the dbt-trino jaffle mesh, and
# the same for teddy_retailers.
#
#   catalog customersdb  postgresql connector → database customersdb, table public.raw_customers
#   catalog ordersdb     postgresql connector → database ordersdb,    table public.raw_orders
#   catalog paymentsdb   postgresql connector → database paymentsdb,  table public.raw_payments
#   catalog insights     memory connector, for jaffle_mesh's outputs
#   catalog inventorydb  postgresql connector → database inventorydb, tables public.source_catalog, source_stock
#   catalog salesdb      postgresql connector → database salesdb, tables public.source_customers,
#                        source_orders, source_order_products
#   catalog teddy        memory connector, for teddy_retailers' outputs
#
# Every domain of these projects with a sources.yaml (the `projects` list below)
# has a database `<domain>db` in one PostgreSQL server of their own (initdb +
# pg_ctl, like compiler/registry/tests), with a table per source loaded from its
# CSV file with the columns, types and NOT NULLs of the sources.yaml. Each table
# is in `public`, the schema a PostgreSQL database has anyway, so a domain's
# sources are `<domain>db.public.<table>` and nothing else has to be created.
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
now_ms() { local t="${EPOCHREALTIME//[!0-9]/}"; echo $((10#$t / 1000)); }
since() { local ms=$(($(now_ms) - $1)); printf '%d.%ds' $((ms / 1000)) $((ms % 1000 / 100)); } # since START_MS
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

# (`return 0`, not `return`: in the EXIT trap of a failed start a bare return
# gives the status of the command that failed, and stop would leave PostgreSQL
# running.)
pg_bin() {
  if [ -n "${MESHC_PG_BIN:-}" ]; then echo "$MESHC_PG_BIN"; return 0; fi
  local newest
  newest="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  if [ -n "$newest" ] && [ -x "$newest/initdb" ]; then echo "$newest"; return 0; fi
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
# Even then the memory connector can answer NO_NODES_AVAILABLE for a few
# seconds (it refreshes its own view of the nodes): ready also means a table
# can be written there, probed in a schema of its own that is dropped again.
ready() {
  local answers
  answers="$(info "$1")" && [[ "$answers" == *'"starting":false'* ]] &&
    answers="$(statement "$1" "SELECT count(*) FROM system.runtime.nodes WHERE state = 'active'" 2>/dev/null)" &&
    [[ "$answers" == *'"data":[[1]]'* ]] &&
    statement "$1" "CREATE SCHEMA IF NOT EXISTS insights.ready_probe" >/dev/null 2>&1 &&
    answers="$(statement "$1" "CREATE TABLE insights.ready_probe.t AS SELECT 1 AS x" 2>/dev/null)" &&
    [[ "$answers" != *'"error"'* ]] &&
    statement "$1" "DROP TABLE IF EXISTS insights.ready_probe.t" >/dev/null 2>&1 &&
    statement "$1" "DROP SCHEMA IF EXISTS insights.ready_probe" >/dev/null 2>&1
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

# The SQL that creates and loads the tables of one sources.yaml in a PostgreSQL
# database: one table per source in `public`, with the declared columns, their
# types (mesh SQL's, spelled as PostgreSQL spells them) and NOT NULL where
# `required: true`, filled from the source's CSV file by `\copy` with the file's
# header as the column list (meshc matches header names to declared names, in
# any order). Reads the subset of YAML the examples use: `sources:` as a block
# list of mappings, `csv:` and each column as a flow mapping; anything else it
# does not know fails with the file and line rather than loading something else.
sources_sql() {
  local file="$1"
  awk -v file="$file" -v base="$(dirname "$file")" -v q="'" '
    function fail(why) { printf "trino-server: %s:%d: %s\n", file, at ? at : NR, why > "/dev/stderr"; failed = 1; exit 1 }
    function strip(v,    c) { # trims spaces and one level of quotes
      sub(/^[ \t]+/, "", v); sub(/[ \t]+$/, "", v)
      c = substr(v, 1, 1)
      if (length(v) >= 2 && (c == "\"" || c == q) && substr(v, length(v)) == c) v = substr(v, 2, length(v) - 2)
      return v
    }
    function value(line) { # the value of `key: value`, without a trailing comment
      sub(/^[^:]*:/, "", line); sub(/[ \t]+#.*$/, "", line)
      return strip(line)
    }
    function flow(text, keys, vals,    n, depth, quote, i, c, item, k) { # { a: 1, b: T(1,2) } -> keys[], vals[]
      sub(/[ \t]+#.*$/, "", text)
      if (text !~ /^[ \t]*\{.*\}[ \t]*$/) fail("expected a flow mapping { ... }")
      sub(/^[ \t]*\{/, "", text); sub(/\}[ \t]*$/, "", text)
      n = 0; depth = 0; item = ""
      for (i = 1; i <= length(text) + 1; i++) {
        c = i <= length(text) ? substr(text, i, 1) : ","
        if (quote != "") { if (c == quote) quote = "" }
        else if (c == "\"" || c == q) quote = c
        else if (c == "(") depth++
        else if (c == ")") depth--
        if (c == "," && depth == 0 && quote == "") {
          if (strip(item) != "") {
            if (index(item, ":") == 0) fail("expected key: value in { ... }")
            k = strip(substr(item, 1, index(item, ":") - 1))
            keys[++n] = k; vals[n] = strip(substr(item, index(item, ":") + 1))
          }
          item = ""
        } else item = item c
      }
      return n
    }
    function ident(name) {
      if (name !~ /^[A-Za-z_][A-Za-z0-9_]*$/) fail("unsupported name: " name)
      return tolower(name)
    }
    function pgtype(t,    u, args) {
      u = toupper(t); gsub(/[ \t]+/, " ", u); args = ""
      if (match(u, /\(.*\)$/)) { args = substr(u, RSTART); u = substr(u, 1, RSTART - 1); sub(/ $/, "", u); gsub(/ /, "", args) }
      if (u == "DECIMAL" || u == "NUMERIC") return "numeric" (args == "" ? "(18,3)" : args)
      if (u ~ /^(VARCHAR|TEXT|STRING|CHAR VARYING|CHARACTER VARYING)$/) return "varchar"
      if (args != "") fail("unsupported type: " t)
      if (u == "BOOLEAN" || u == "BOOL") return "boolean"
      if (u == "SMALLINT" || u == "INT2") return "smallint"
      if (u == "INTEGER" || u == "INT" || u == "INT4") return "integer"
      if (u == "BIGINT" || u == "INT8") return "bigint"
      if (u == "REAL" || u == "FLOAT4") return "real"
      if (u ~ /^(DOUBLE|DOUBLE PRECISION|FLOAT|FLOAT8)$/) return "double precision"
      if (u == "DATE" || u == "TIME" || u == "TIMESTAMP") return tolower(u)
      fail("unsupported type: " t)
    }
    function flush(    path, sql, i, line, fields, n, list, seen, missing) {
      if (name == "") return
      at = source_line # errors about the whole source point at its first line
      if (ncols == 0) fail("source " name " has no columns")
      if (format == "") format = (path_ ~ /\.[Cc][Ss][Vv]$/) ? "csv" : "other"
      if (format != "csv") fail("source " name ": only CSV sources can be loaded")
      if (length(delim) != 1 || delim == q) fail("source " name ": unsupported delimiter " delim)
      path = (path_ ~ /^\//) ? path_ : base "/" path_
      if (index(path, q)) fail("source " name ": a quote in the path " path)
      sql = "CREATE TABLE public." name " ("
      for (i = 1; i <= ncols; i++) sql = sql (i > 1 ? ", " : "") col[i] " " typ[i] (req[i] ? " NOT NULL" : "")
      out = out sql ");\n"
      list = ""
      if (header == "true") {
        if ((getline line < path) <= 0) fail("source " name ": cannot read " path)
        close(path)
        sub(/\r$/, "", line)
        n = split(line, fields, delim)
        for (i = 1; i <= n; i++) { fields[i] = ident(strip(fields[i])); seen[fields[i]] = 1; list = list (i > 1 ? ", " : "") fields[i] }
        for (i = 1; i <= ncols; i++) if (!(col[i] in seen)) missing = missing " " col[i]
        if (missing != "") fail("source " name ": the header of " path " lacks" missing)
        list = " (" list ")"
      } else if (header != "false") fail("source " name ": csv.header is " header)
      out = out sprintf("\\copy public.%s%s FROM %s%s%s WITH (FORMAT csv, HEADER %s, DELIMITER %s%s%s)\n", name, list, q, path, q, header, q, delim, q)
      name = ""
    }
    function start_source() { source_line = NR; name = ""; path_ = ""; format = ""; header = "true"; delim = ","; ncols = 0; in_columns = 0 }
    /^[ \t]*(#.*)?$/ { next }
    /^sources:[ \t]*(#.*)?$/ { in_sources = 1; next }
    !in_sources { fail("expected sources:") }
    {
      line = $0; indent = match(line, /[^ ]/) - 1
      if (item_indent == "" && line ~ /^ *- /) item_indent = indent
      if (indent == item_indent && line ~ /^ *- /) { # a new source
        flush(); start_source(); sub(/- /, "  ", line); indent += 2; key_indent = indent
      }
      if (item_indent == "" || indent < key_indent) fail("unexpected line")
      if (in_columns && indent > key_indent) {
        if (line !~ /^ *- *\{/) fail("a column must be a flow mapping: - { name: ..., type: ... }")
        sub(/^ *- */, "", line)
        n = flow(line, k, v); ncols++; req[ncols] = 0; col[ncols] = ""; typ[ncols] = ""
        for (i = 1; i <= n; i++) {
          if (k[i] == "name") col[ncols] = ident(v[i])
          else if (k[i] == "type") typ[ncols] = pgtype(v[i])
          else if (k[i] == "required") req[ncols] = (v[i] == "true")
          else fail("unknown column key " k[i])
        }
        if (col[ncols] == "" || typ[ncols] == "") fail("a column needs a name and a type")
        next
      }
      if (indent != key_indent) fail("unexpected indentation")
      in_columns = 0
      key = line; sub(/^ */, "", key); sub(/:.*/, "", key)
      if (key == "name") name = ident(value(line))
      else if (key == "path") path_ = value(line)
      else if (key == "format") format = tolower(value(line))
      else if (key == "columns") { if (value(line) != "") fail("columns must be a block list"); in_columns = 1 }
      else if (key == "csv") {
        n = flow(substr(line, index(line, ":") + 1), k, v)
        for (i = 1; i <= n; i++) {
          if (k[i] == "header") header = tolower(v[i])
          else if (k[i] == "delimiter") delim = v[i]
          else fail("unknown csv key " k[i])
        }
      }
      else if (key == "description" || key == "external") { }
      else fail("unknown source key " key)
    }
    END { if (failed) exit 1; flush(); if (failed) exit 1; printf "%s", out }
  ' "$file"
}

# The projects whose sources the server holds, each with its output catalog
# (a memory catalog): every domain with a sources.yaml gets a PostgreSQL
# database `<domain>db`, and a Trino catalog of the same name on it.
projects=(jaffle_mesh:insights teddy_retailers:teddy)

# Prints "<database> <sources.yaml>" for every source domain of the projects.
source_domains() {
  local entry project yaml domain
  for entry in "${projects[@]}"; do
    project="${entry%%:*}"
    for yaml in "$root/projects/$project"/*/sources.yaml; do
      [ -f "$yaml" ] || continue
      domain="$(basename "$(dirname "$yaml")")"
      echo "${domain}db $yaml"
    done
  done
}

load_sources() {
  local bin="$1" port db yaml
  port="$(cat "$dir/pg-port")"
  local psql=("$bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U "$pg_user")
  # Copying template1's files (fsync is off) took 0.04-0.5 s a database here
  # against 0.4-0.6 s through the WAL (the default since PostgreSQL 15) at load
  # average 4-5; at 7 and more both take 0.5-1 s.
  local create=() seen=" " strategy=""
  if [ "$("${psql[@]}" -d postgres -At -c 'SHOW server_version_num')" -ge 150000 ]; then
    strategy=" STRATEGY FILE_COPY"
  fi
  while read -r db yaml; do
    # Two projects with a source domain of the same name would share a database.
    case "$seen" in *" $db "*) die "two source domains named ${db%db}: $yaml" ;; esac
    seen="$seen$db "
    create+=(-c "CREATE DATABASE $db$strategy")
  done < <(source_domains)
  "${psql[@]}" -d postgres "${create[@]}" || die "creating the databases failed"
  while read -r db yaml; do
    # (Exit 1, not psql's 3: 3 says that Trino is not installed.)
    sources_sql "$yaml" | "${psql[@]}" -d "$db" -f - || die "loading $yaml into database $db failed"
  done < <(source_domains)
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
  # One node, which is its own worker: the heartbeat failure detector would
  # only ever judge this node, and on a loaded 2-core machine its missed pings
  # to itself marked it failed (NO_NODES_AVAILABLE in the middle of a run).
  cat >"$dir/etc/config.properties" <<EOF
coordinator=true
node-scheduler.include-coordinator=true
failure-detector.enabled=false
http-server.http.port=$port
discovery.uri=http://127.0.0.1:$port
EOF
  echo "io.trino=INFO" >"$dir/etc/log.properties"
  local db yaml entry
  while read -r db yaml; do
    cat >"$dir/etc/catalog/$db.properties" <<EOF
connector.name=postgresql
connection-url=jdbc:postgresql://127.0.0.1:$pg_port/$db
connection-user=$pg_user
EOF
  done < <(source_domains)
  for entry in "${projects[@]}"; do
    cat >"$dir/etc/catalog/${entry#*:}.properties" <<EOF
connector.name=memory
memory.max-data-per-node=512MB
EOF
  done
}

start() {
  [ -f "$home/.meshc-installed" ] || {
    log "Trino $version is not installed in $home: run scripts/setup-trino.sh"
    exit 3
  }
  if [ -f "$dir/url" ]; then die "$dir already holds a server ($(cat "$dir/url")): stop it first"; fi
  local started bin
  started="$(now_ms)"
  bin="$(pg_bin)"
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    bash "$scripts/setup-postgres.sh"
    bin="$(pg_bin)"
  fi
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then die "PostgreSQL's initdb not found"; fi
  # From here on, a failure (die, or any failed command under set -e) leaves nothing running.
  trap 'if [ ! -f "$dir/url" ]; then log "start failed: stopping what was started"; stop; fi' EXIT
  start_pg "$bin"
  local pg_started loaded="" launched
  pg_started="$(since "$started")"
  local deadline=$((SECONDS + ${MESHC_TRINO_START_TIMEOUT:-120}))
  local port url attempt state
  for attempt in 1 2 3; do
    port="$(free_port)"
    url="http://127.0.0.1:$port"
    write_config "$port"
    launched="$(now_ms)"
    "${launcher[@]}" start </dev/null >"$dir/launcher.out" 2>&1 || { cat "$dir/launcher.out" >&2; die "launcher start failed"; }
    # While the JVM starts (Trino opens no connection to PostgreSQL before a
    # query reads a catalog): the databases and their tables.
    if [ -z "$loaded" ]; then
      load_sources "$bin"
      loaded="$(since "$launched")"
    fi
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
  log "PostgreSQL started in $pg_started, sources loaded in $loaded (while Trino starts)," \
    "Trino ready $(since "$launched") after launch, $(since "$started") in all, at $url"
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
