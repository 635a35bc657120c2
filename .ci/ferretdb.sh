#!/usr/bin/env bash
# FerretDB 1.x (MongoDB wire protocol on SQLite) for tests that need a MongoDB,
# built from the Go module proxy, since no mongod or Docker is available here.
#
# Usage:
#   .ci/ferretdb.sh build          # build (or reuse) the cached binary, print its path
#   .ci/ferretdb.sh start [port]   # start on 127.0.0.1:<port> (default 27017), wait until it accepts
#   .ci/ferretdb.sh stop [port]    # stop the one on <port>; without a port, every one this script started
#   .ci/ferretdb.sh status [port]  # exit 0 if the one on <port> is running
#
# Environment:
#   HOLDFAST_CACHE     binary cache dir          (default: $HOME/.cache/holdfast)
#   FERRETDB_DIR       SQLite data dir to use and keep (default: a fresh temp dir, removed on stop)
#   FERRETDB_RUN_DIR   where pidfiles and logs go  (default: ${TMPDIR:-/tmp}/holdfast-ferretdb)
#   FERRETDB_WAIT      seconds to wait for the port (default: 30)
#
# The mongodb URI is mongodb://127.0.0.1:<port>/<db> (no auth, no replica set:
# transactions and change streams are not available).
set -euo pipefail

FERRETDB_MODULE="github.com/FerretDB/FerretDB"
FERRETDB_VERSION="v1.24.2"
CACHE_DIR="${HOLDFAST_CACHE:-$HOME/.cache/holdfast}"
BIN="$CACHE_DIR/ferretdb-$FERRETDB_VERSION"
RUN_DIR="${FERRETDB_RUN_DIR:-${TMPDIR:-/tmp}/holdfast-ferretdb}"
WAIT_SECS="${FERRETDB_WAIT:-30}"

log() { echo "ferretdb.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

binary_ok() {
  [[ -x "$BIN" ]] && "$BIN" --version >/dev/null 2>&1
}

cmd_build() {
  if binary_ok; then
    log "using cached $BIN"
    echo "$BIN"
    return 0
  fi
  command -v go >/dev/null 2>&1 || die "go is not installed"

  local t0 t1 moddir work
  t0=$(date +%s)
  log "downloading $FERRETDB_MODULE@$FERRETDB_VERSION"
  # -json prints the module's "Dir" in the module cache.
  moddir=$(GOFLAGS=-mod=mod go mod download -json "$FERRETDB_MODULE@$FERRETDB_VERSION" \
    | sed -n 's/^[[:space:]]*"Dir":[[:space:]]*"\(.*\)",\{0,1\}$/\1/p')
  [[ -n "$moddir" && -d "$moddir" ]] || die "go mod download gave no module dir"

  work=$(mktemp -d "${TMPDIR:-/tmp}/ferretdb-build.XXXXXX")
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" EXIT
  cp -R "$moddir" "$work/src"
  chmod -R u+w "$work/src"
  # build/version embeds *.txt; version.txt must start with "v" or the binary
  # panics at start-up (it is normally made by `bin/task gen-version` from git).
  printf '%s\n' "$FERRETDB_VERSION" >"$work/src/build/version/version.txt"
  printf '%s\n' "holdfast" >"$work/src/build/version/package.txt"

  mkdir -p "$CACHE_DIR"
  log "building ferretdb (pure Go: SQLite via modernc.org/sqlite, CGO off)"
  (
    cd "$work/src"
    # GOWORK=off: never pick up a go.work from around the temp dir.
    # -buildvcs=false: the copy is not a git checkout; no vcs stamping.
    # -trimpath: reproducible, no temp paths in the binary.
    GOWORK=off CGO_ENABLED=0 GOFLAGS=-mod=mod \
      go build -buildvcs=false -trimpath -o "$BIN.tmp.$$" ./cmd/ferretdb
  )
  mv -f "$BIN.tmp.$$" "$BIN"
  rm -rf "$work"
  trap - EXIT

  binary_ok || die "built $BIN but '$BIN --version' fails"
  t1=$(date +%s)
  log "built $BIN in $((t1 - t0))s ($("$BIN" --version 2>&1 | grep -m1 -i '^version' || true))"
  echo "$BIN"
}

port_open() {
  # bash's /dev/tcp; timeout so a filtered port can't hang us.
  timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

pidfile_for() { echo "$RUN_DIR/ferretdb-$1.pid"; }
logfile_for() { echo "$RUN_DIR/ferretdb-$1.log"; }
tmpdata_marker_for() { echo "$RUN_DIR/ferretdb-$1.tmpdata"; }

# Alive = exists, is not a zombie (a killed child not yet reaped by its new
# parent still answers kill -0), and is our binary (guards against pid reuse).
pid_alive() {
  local pid="${1:-}" state
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  if [[ -r "/proc/$pid/stat" ]]; then
    state=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)
    [[ "$state" != "Z" ]] || return 1
    [[ "$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline")" == *ferretdb* ]] || return 1
  fi
  return 0
}

check_port() {
  if ! [[ "$1" =~ ^[0-9]+$ ]] || ((10#$1 < 1 || 10#$1 > 65535)); then
    die "bad port: $1"
  fi
  echo $((10#$1))
}

cmd_start() {
  local port
  port=$(check_port "${1:-27017}")
  mkdir -p "$RUN_DIR"
  local pidfile logfile marker datadir pid
  pidfile=$(pidfile_for "$port")
  logfile=$(logfile_for "$port")
  marker=$(tmpdata_marker_for "$port")

  if [[ -f "$pidfile" ]] && pid_alive "$(cat "$pidfile")"; then
    die "already running on port $port (pid $(cat "$pidfile")); run '$0 stop $port' first"
  fi
  rm -f "$pidfile" "$marker"
  if port_open "$port"; then
    die "127.0.0.1:$port is already in use by another process"
  fi

  binary_ok || cmd_build >/dev/null

  if [[ -n "${FERRETDB_DIR:-}" ]]; then
    datadir="$FERRETDB_DIR"
    mkdir -p "$datadir"
  else
    datadir=$(mktemp -d "$RUN_DIR/data-$port.XXXXXX")
    echo "$datadir" >"$marker"
  fi
  datadir=$(cd "$datadir" && pwd)

  log "starting FerretDB $FERRETDB_VERSION on 127.0.0.1:$port (sqlite data: $datadir, log: $logfile)"
  # --sqlite-url must be a file: URI of an existing directory, ending in "/".
  # --debug-addr=- : no HTTP debug/metrics listener (default 127.0.0.1:8088 would clash).
  # --state-dir    : state.json (instance uuid, telemetry state) next to the data.
  nohup "$BIN" \
    --handler=sqlite \
    --sqlite-url="file:$datadir/" \
    --listen-addr="127.0.0.1:$port" \
    --state-dir="$datadir" \
    --debug-addr=- \
    --telemetry=disable \
    --log-level=info \
    </dev/null >"$logfile" 2>&1 &
  pid=$!
  echo "$pid" >"$pidfile"

  local deadline=$((SECONDS + WAIT_SECS))
  while ((SECONDS < deadline)); do
    if ! pid_alive "$pid"; then
      log "FerretDB exited during start-up; log tail:"
      fail_start "$pidfile" "$logfile" "$marker" "$pid"
    fi
    if port_open "$port"; then
      log "ready on 127.0.0.1:$port (pid $pid)"
      echo "mongodb://127.0.0.1:$port"
      return 0
    fi
    sleep 0.2
  done

  log "FerretDB did not accept connections on 127.0.0.1:$port within ${WAIT_SECS}s; log tail:"
  fail_start "$pidfile" "$logfile" "$marker" "$pid"
}

# fail_start pidfile logfile marker pid: print the log tail, kill, clean up, exit 1.
fail_start() {
  tail -n 40 "$2" >&2 || true
  kill -KILL "$4" 2>/dev/null || true
  wait "$4" 2>/dev/null || true
  rm -f "$1"
  remove_tmpdata "$3"
  exit 1
}

# remove_tmpdata marker: remove the data dir that start made itself (never FERRETDB_DIR).
remove_tmpdata() {
  local d
  if [[ -f "$1" ]]; then
    d=$(cat "$1")
    [[ -n "$d" && "$d" == "$RUN_DIR"/data-* ]] && rm -rf "$d"
    rm -f "$1"
  fi
}

stop_one() {
  local pidfile="$1" port pid marker
  port=$(basename "$pidfile" .pid)
  port="${port#ferretdb-}"
  marker=$(tmpdata_marker_for "$port")
  pid=$(cat "$pidfile" 2>/dev/null || true)
  if pid_alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    local i
    for ((i = 0; i < 100; i++)); do
      pid_alive "$pid" || break
      sleep 0.1
    done
    if pid_alive "$pid"; then
      log "pid $pid did not stop after 10s; sending KILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    log "stopped FerretDB on port $port (pid $pid)"
  else
    log "FerretDB on port $port was not running (stale pidfile)"
  fi
  rm -f "$pidfile"
  remove_tmpdata "$marker"
}

cmd_stop() {
  if [[ $# -gt 0 ]]; then
    local pf port
    port=$(check_port "$1")
    pf=$(pidfile_for "$port")
    [[ -f "$pf" ]] || { log "no pidfile for port $port; nothing to stop"; return 0; }
    stop_one "$pf"
    return 0
  fi
  local found=0 pf
  shopt -s nullglob
  for pf in "$RUN_DIR"/ferretdb-*.pid; do
    found=1
    stop_one "$pf"
  done
  ((found)) || log "no pidfiles in $RUN_DIR; nothing to stop"
}

cmd_status() {
  local port pf
  port=$(check_port "${1:-27017}")
  pf=$(pidfile_for "$port")
  if [[ -f "$pf" ]] && pid_alive "$(cat "$pf")" && port_open "$port"; then
    echo "running on 127.0.0.1:$port (pid $(cat "$pf"))"
  else
    echo "not running on port $port"
    return 1
  fi
}

case "${1:-}" in
  build) shift; cmd_build "$@" ;;
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  status) shift; cmd_status "$@" ;;
  *)
    echo "usage: $0 build | start [port] | stop [port] | status [port]" >&2
    exit 2
    ;;
esac
