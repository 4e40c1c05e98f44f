#!/usr/bin/env bash
# Installs the Trino server the real-Trino tests run against (compiler/trino/tests/,
# started by scripts/trino-server.sh), outside the clone:
#
#   $HOME/.cache/meshc/trino-476/        the server, with only the plugins the tests use
#   $HOME/.cache/meshc/trino-476/java-home   the JDK it runs on (24 or newer)
#   $HOME/.cache/meshc/m2/               the Maven repository the download goes through
#
# Trino 476 comes from Maven Central as io.trino:trino-server:476:tar.gz (821 MB),
# fetched with the machine's own mvn. Idempotent: when the install is complete
# (its marker file names the same plugins), it only prints where it is.
#
#   --cli   also fetch the Trino CLI (io.trino:trino-cli:476:jar:executable) to
#           $HOME/.cache/meshc/trino-476/trino-cli.jar, for debugging by hand only.
#
# Environment: MESHC_TRINO_JAVA_HOME picks the JDK (else Temurin 25 under
# /usr/lib/jvm, else any JDK there or $JAVA_HOME that is new enough).
set -euo pipefail
version=476
# Trino loads every plugin directory at start-up: keeping only those the topology
# uses (the PostgreSQL connector, the geospatial types it needs, the memory
# connector) saves about 750 MB of disk and part of the start-up time.
# Changing this list re-extracts.
plugins=(postgresql memory geospatial)
cache="$HOME/.cache/meshc"
home="$cache/trino-$version"
repo="$cache/m2"
marker="$home/.meshc-installed"
want_cli=false
for arg in "$@"; do
  case "$arg" in
    --cli) want_cli=true ;;
    *) echo "usage: setup-trino.sh [--cli]" >&2; exit 2 ;;
  esac
done

log() { echo "setup-trino: $*" >&2; }

# The major version of the JDK in $1, or nothing.
java_major() {
  [ -x "$1/bin/java" ] || return 0
  "$1/bin/java" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}

find_java() {
  local candidates=()
  if [ -n "${MESHC_TRINO_JAVA_HOME:-}" ]; then
    candidates=("$MESHC_TRINO_JAVA_HOME")
  else
    # Temurin first (what Trino is tested on), newest directory name first.
    mapfile -t candidates < <(ls -d /usr/lib/jvm/temurin-* 2>/dev/null | sort -rV)
    mapfile -t -O "${#candidates[@]}" candidates < <(ls -d /usr/lib/jvm/* 2>/dev/null | sort -rV)
    [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  fi
  local dir major
  for dir in "${candidates[@]}"; do
    major="$(java_major "$dir")"
    if [ -n "$major" ] && [ "$major" -ge 24 ]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

if ! java_home="$(find_java)"; then
  log "Trino $version needs Java 24 or newer and none was found"
  log "(looked at \$MESHC_TRINO_JAVA_HOME, /usr/lib/jvm/* and \$JAVA_HOME)."
  log "Install a JDK 24+ (e.g. Temurin 25) and/or set MESHC_TRINO_JAVA_HOME."
  exit 1
fi

mvn_get() { # ARTIFACT: resolves it into $repo
  if ! command -v mvn >/dev/null 2>&1; then
    log "mvn is missing (the download goes through Maven): apt-get install maven"
    exit 1
  fi
  local out
  out="$(mktemp)"
  if ! timeout 1200 mvn -B -q -Dmaven.repo.local="$repo" dependency:get -Dtransitive=false \
    -Dartifact="$1" >"$out" 2>&1; then
    cat "$out" >&2
    rm -f "$out"
    log "mvn could not fetch $1"
    exit 1
  fi
  rm -f "$out"
}

if [ -f "$marker" ] && [ "$(cat "$marker")" = "${plugins[*]}" ]; then
  echo "$java_home" >"$home/java-home"
else
  start=$SECONDS
  tarball="$repo/io/trino/trino-server/$version/trino-server-$version.tar.gz"
  if [ ! -f "$tarball" ]; then
    log "downloading io.trino:trino-server:$version:tar.gz (821 MB) with mvn"
    mvn_get "io.trino:trino-server:$version:tar.gz"
    log "downloaded in $((SECONDS - start))s"
  fi
  # Extract next to the install and rename, so an interrupted run leaves no
  # half-extracted server behind the marker.
  rm -rf "$home.partial"
  mkdir -p "$home.partial"
  extract=$SECONDS
  # Whole, then pruned: the tarball shares jars between plugins through hard links,
  # so extracting a few plugin directories alone would miss files.
  tar -xzf "$tarball" -C "$home.partial" --strip-components=1
  for dir in "$home.partial"/plugin/*; do
    keep=false
    for plugin in "${plugins[@]}"; do [ "$(basename "$dir")" = "$plugin" ] && keep=true; done
    $keep || rm -rf "$dir"
  done
  echo "${plugins[*]}" >"$home.partial/.meshc-installed"
  echo "$java_home" >"$home.partial/java-home"
  # Keep the CLI of an earlier install.
  [ -f "$home/trino-cli.jar" ] && mv "$home/trino-cli.jar" "$home.partial/"
  rm -rf "$home"
  mv "$home.partial" "$home"
  log "extracted in $((SECONDS - extract))s to $home ($(du -sh "$home" | cut -f1))"
  # The tarball is not needed again unless the plugin list changes.
  rm -f "$tarball"
fi

if $want_cli && [ ! -f "$home/trino-cli.jar" ]; then
  log "downloading io.trino:trino-cli:$version:jar:executable with mvn"
  mvn_get "io.trino:trino-cli:$version:jar:executable"
  cp "$repo/io/trino/trino-cli/$version/trino-cli-$version-executable.jar" "$home/trino-cli.jar"
  log "CLI: $java_home/bin/java -jar $home/trino-cli.jar --server URL"
fi
log "Trino $version in $home, Java: $java_home"
