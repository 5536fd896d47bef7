#!/usr/bin/env bash
# Run Autobahn|Testsuite 0.8.2 against SwiftWebSocket and gate the outcome.
#
#   Tools/Autobahn/run.sh client quick|all
#       our client against `wstest -m fuzzingserver` on 127.0.0.1:9001;
#       report in reports/clients/
#   Tools/Autobahn/run.sh client-tls quick|all
#       the same over wss:// (fuzzingserver on 127.0.0.1:9003 with
#       Tests/Fixtures/tls/server.pem; our client trusts Tests/Fixtures/tls/ca.pem);
#       agent SwiftWebSocket-TLS, report in reports/clients-tls/, checked
#       against the same expectations as client
#   Tools/Autobahn/run.sh server quick|all
#       `wstest -m fuzzingclient` against our echo server on 127.0.0.1:9002;
#       report in reports/servers/
#
# quick leaves out the slowest permessage-deflate cases (12.*/13.* .9, .10,
# .14-.18); all is the whole suite (517 cases). The outcome is checked with
# check.py against expected-results.json; the exit status is non-zero if
# anything failed (install, startup, driver, timeout or a case mismatch).
#
# Environment (all optional):
#   AUTOBAHN_DRIVER        the command that plays our side, run with `bash -c`
#                          from the repo root. Defaults:
#                            client: .build/release/AutobahnDriver client ws://127.0.0.1:9001
#                            client-tls: .build/release/AutobahnDriver client wss://127.0.0.1:9003
#                                          --ca Tests/Fixtures/tls/ca.pem --agent SwiftWebSocket-TLS
#                            server: .build/release/AutobahnDriver server 9002
#                          The client driver runs every case (/getCaseCount,
#                          /runCase?case=N&agent=SwiftWebSocket) and may call
#                          /updateReports; run.sh calls it again anyway.
#   AUTOBAHN_AGENT         agent name to check in the report (default SwiftWebSocket;
#                          SwiftWebSocket-TLS for client-tls)
#   AUTOBAHN_TIMEOUT       seconds the test phase may take (default 900 quick, 2400 all)
#   AUTOBAHN_PORT_TIMEOUT  seconds to wait for a listener to come up (default 60)
#
# Logs: reports/wstest-<mode>.log and reports/driver-<mode>.log.
# Every process started here runs in its own process group and is killed on
# exit, whatever the path.
set -euo pipefail

usage() { echo "usage: $0 client|client-tls|server quick|all" >&2; exit 2; }
[[ $# -eq 2 ]] || usage
MODE=$1 SET=$2
[[ "$MODE" == client || "$MODE" == client-tls || "$MODE" == server ]] || usage
[[ "$SET" == quick || "$SET" == all ]] || usage

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
cd "$REPO"   # wstest resolves the spec's "outdir" against its working directory

WSTEST="$REPO/.autobahn/bin/wstest"
if [[ "$MODE" == client-tls ]]; then default_agent=SwiftWebSocket-TLS; else default_agent=SwiftWebSocket; fi
AGENT=${AUTOBAHN_AGENT:-$default_agent}
PORT_TIMEOUT=${AUTOBAHN_PORT_TIMEOUT:-60}
if [[ "$SET" == quick ]]; then suffix=-quick; default_timeout=900; else suffix=; default_timeout=2400; fi
TIMEOUT=${AUTOBAHN_TIMEOUT:-$default_timeout}

log() { printf '[autobahn] %s\n' "$*"; }
die() { printf '[autobahn] ERROR: %s\n' "$*" >&2; exit 1; }

# --- process groups --------------------------------------------------------------
PGIDS=()   # process groups started here; all are killed on exit

# start_group LOG CMD...: run CMD in the background as the leader of a new
# session/process group (its pid is the group id), output to LOG; sets PG.
start_group() {
  local out=$1; shift
  setsid "$@" >"$out" 2>&1 </dev/null &
  PG=$!
  PGIDS+=("$PG")
}

# group_alive PGID: does the group still have a live (non-zombie) process?
group_alive() {
  ps -e -o pgid=,stat= | awk -v g="$1" '$1 == g && $2 !~ /^Z/ { found = 1 } END { exit !found }'
}

# stop_group PGID: SIGTERM the whole group, SIGKILL whatever is left after 5 s.
stop_group() {
  local pg=$1 i
  if group_alive "$pg"; then
    kill -TERM -- "-$pg" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do group_alive "$pg" || break; sleep 0.1; done
    if group_alive "$pg"; then kill -KILL -- "-$pg" 2>/dev/null || true; fi
  fi
  wait "$pg" 2>/dev/null || true   # reap the leader
}

# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
  local pg
  for pg in "${PGIDS[@]}"; do stop_group "$pg"; done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# run_with_timeout LOG NAME CMD...: run CMD in its own group under coreutils
# timeout (which signals the whole group after $TIMEOUT s, SIGKILL 10 s later),
# wait for it and return its status (124 on timeout).
run_with_timeout() {
  local out=$1 name=$2; shift 2
  local rc=0
  start_group "$out" timeout -k 10 "$TIMEOUT" "$@"
  wait "$PG" || rc=$?
  if ((rc == 124 || rc == 137)); then log "$name timed out after ${TIMEOUT}s"; fi
  stop_group "$PG"   # whatever the command left behind in its group
  return "$rc"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_for_port PORT PGID NAME LOG: until PORT accepts connections, while the
# group PGID (the process that should listen) is alive.
wait_for_port() {
  local port=$1 pg=$2 name=$3 out=$4 t0=$SECONDS
  until port_open "$port"; do
    if ! group_alive "$pg"; then
      tail -n 30 "$out" >&2 || true
      die "$name exited before listening on port $port (log: $out)"
    fi
    if ((SECONDS - t0 >= PORT_TIMEOUT)); then
      tail -n 30 "$out" >&2 || true
      die "$name is not listening on port $port after ${PORT_TIMEOUT}s (log: $out)"
    fi
    sleep 0.2
  done
}

show_tail() { # show_tail LOG: last lines of a log after a failure
  echo "----- last lines of $1 -----"; tail -n 40 "$1" || true; echo "-----"
}

# --- setup -----------------------------------------------------------------------
bash "$HERE/install.sh"
mkdir -p reports
status=0

if [[ "$MODE" == client || "$MODE" == client-tls ]]; then
  # Our client against the fuzzing server (over TLS for client-tls).
  if [[ "$MODE" == client ]]; then
    PORT=9001 URL=ws://127.0.0.1:9001 STEM=fuzzingserver ROLE=clients CTL=()
    DRIVER=${AUTOBAHN_DRIVER:-.build/release/AutobahnDriver client $URL}
  else
    PORT=9003 URL=wss://127.0.0.1:9003 STEM=fuzzingserver-tls ROLE=clients-tls
    CA=Tests/Fixtures/tls/ca.pem CTL=(--ca "$CA")
    DRIVER=${AUTOBAHN_DRIVER:-.build/release/AutobahnDriver client $URL --ca $CA --agent $AGENT}
  fi
  SPEC="Tools/Autobahn/config/$STEM$suffix.json"
  WSLOG=reports/wstest-$MODE.log DRVLOG=reports/driver-$MODE.log
  if port_open "$PORT"; then die "port $PORT is already in use; stop whatever listens there"; fi
  rm -rf "reports/$ROLE"

  log "starting wstest -m fuzzingserver -s $SPEC (log: $WSLOG)"
  start_group "$WSLOG" "$WSTEST" -m fuzzingserver -s "$SPEC" --webport 0
  server_pg=$PG
  wait_for_port "$PORT" "$server_pg" "wstest fuzzingserver" "$WSLOG"
  cases=$(python3 "$HERE/wsctl.py" --url "$URL" "${CTL[@]}" case-count) \
    || die "the fuzzingserver does not answer /getCaseCount (log: $WSLOG)"
  log "fuzzingserver is up with $cases cases; running driver: $DRIVER (log: $DRVLOG)"

  t0=$EPOCHREALTIME
  if ! run_with_timeout "$DRVLOG" driver bash -c "$DRIVER"; then
    status=1
    log "driver failed"
    show_tail "$DRVLOG"
  fi
  t1=$EPOCHREALTIME

  group_alive "$server_pg" || { status=1; log "wstest fuzzingserver died during the run"; show_tail "$WSLOG"; }
  # Write the reports (again): harmless if the driver already did, and they
  # then exist even if it stopped half-way.
  python3 "$HERE/wsctl.py" --url "$URL" "${CTL[@]}" update-reports --agent "$AGENT" \
    || { status=1; log "could not ask wstest for the reports"; }
  stop_group "$server_pg"

else
  # The fuzzing client against our echo server.
  PORT=9002
  SPEC="Tools/Autobahn/config/fuzzingclient$suffix.json"
  DRIVER=${AUTOBAHN_DRIVER:-.build/release/AutobahnDriver server $PORT}
  WSLOG=reports/wstest-server.log DRVLOG=reports/driver-server.log
  if port_open "$PORT"; then die "port $PORT is already in use; stop whatever listens there"; fi
  rm -rf reports/servers

  log "starting echo server: $DRIVER (log: $DRVLOG)"
  start_group "$DRVLOG" bash -c "$DRIVER"
  server_pg=$PG
  wait_for_port "$PORT" "$server_pg" "echo server" "$DRVLOG"
  log "echo server is up; running wstest -m fuzzingclient -s $SPEC (log: $WSLOG)"

  t0=$EPOCHREALTIME
  if ! run_with_timeout "$WSLOG" "wstest fuzzingclient" "$WSTEST" -m fuzzingclient -s "$SPEC"; then
    status=1
    log "wstest fuzzingclient failed"
    show_tail "$WSLOG"
  fi
  t1=$EPOCHREALTIME

  if ! group_alive "$server_pg"; then
    status=1
    log "the echo server exited during the run"
    show_tail "$DRVLOG"
  fi
  stop_group "$server_pg"
  ROLE=servers
fi

wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
log "test phase took ${wall}s"

python3 "$HERE/check.py" --role "$ROLE" --cases "$SET" --agent "$AGENT" --wall-seconds "$wall" || status=1
if ((status != 0)); then
  log "FAILED ($MODE, $SET); HTML report: reports/$ROLE/index.html"
else
  log "passed ($MODE, $SET)"
fi
exit "$status"
