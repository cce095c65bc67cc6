# Shared helpers for the end-to-end tests: a scratch directory, starting and stopping khien on
# loopback ports it picks, and assertions that say what failed.
set -euo pipefail

: "${KHIEN:?KHIEN must point at the khien binary}"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/khien-e2e.XXXXXX")
KHIEN_PID=""
EXTRA_PIDS=()

cleanup() {
  local status=$?
  for pid in "${EXTRA_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [ -n "$KHIEN_PID" ]; then kill "$KHIEN_PID" 2>/dev/null || true; wait "$KHIEN_PID" 2>/dev/null || true; fi
  if [ $status -ne 0 ] && [ -f "$WORK/server.log" ]; then echo "--- server log (last 40 lines)"; tail -40 "$WORK/server.log"; fi
  rm -rf "$WORK"
  exit $status
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

# require_corpus SUBDIR: sets CORPUS to the shared corpus (../shared/corpus beside the checkout, or
# KHIEN_CORPUS_DIR) and fails unless it holds SUBDIR.
require_corpus() {
  CORPUS=${KHIEN_CORPUS_DIR:-$KHIEN_SOURCE_DIR/../shared/corpus}
  [ -d "$CORPUS/$1" ] || fail "the shared corpus is missing $1 at $CORPUS (it must sit at ../shared/corpus beside the checkout)"
}

# start_khien DATA_DIR [extra args...]: starts `khien serve` on free loopback ports and sets
# HTTP, SYSLOG_UDP_PORT, SYSLOG_TCP_PORT and TOKEN.
start_khien() {
  local data=$1; shift
  : >"$WORK/server.log.start"
  local before
  before=0; [ -f "$WORK/server.log" ] && before=$(wc -l <"$WORK/server.log")
  "$KHIEN" serve --data "$data" --http "${HTTP_LISTEN:-127.0.0.1:0}" --syslog-udp 127.0.0.1:0 --syslog-tcp 127.0.0.1:0 "$@" \
    >>"$WORK/server.log" 2>&1 &
  KHIEN_PID=$!
  local line=""
  for _ in $(seq 1 200); do
    if ! kill -0 "$KHIEN_PID" 2>/dev/null; then fail "khien exited at start"; fi
    # Only lines written by this start count (a restart appends to the same log).
    tail -n +"$((before + 1))" "$WORK/server.log" >"$WORK/server.log.start" 2>/dev/null || true
    if grep -q "administrator token" "$WORK/server.log.start"; then break; fi
    sleep 0.1
  done
  HTTP=$(grep -o 'http listening on http://[0-9.:]*' "$WORK/server.log.start" | tail -1 | sed 's/.*http:\/\///')
  SYSLOG_UDP_PORT=$(grep -o 'syslog-udp listening on [0-9.:]*' "$WORK/server.log.start" | tail -1 | sed 's/.*://')
  SYSLOG_TCP_PORT=$(grep -o 'syslog-tcp listening on [0-9.:]*' "$WORK/server.log.start" | tail -1 | sed 's/.*://')
  [ -n "$HTTP" ] || fail "khien did not print its HTTP address"
  TOKEN=$(cat "$data/admin.token")
}

# start_demo DATA_DIR EPS [extra args...]: starts `khien demo` (the simulator feeding EPS events a second) on
# free loopback ports, waits for the simulator, and sets HTTP and TOKEN.
start_demo() {
  local data=$1 eps=$2; shift 2
  "$KHIEN" demo --data "$data" "$@" --http 127.0.0.1:0 --syslog-udp 127.0.0.1:0 --syslog-tcp 127.0.0.1:0 --eps "$eps" \
    >"$WORK/server.log" 2>&1 &
  KHIEN_PID=$!
  for _ in $(seq 1 300); do
    grep -q "simulator feeding" "$WORK/server.log" && break
    kill -0 "$KHIEN_PID" 2>/dev/null || fail "demo exited"
    sleep 0.1
  done
  HTTP=$(grep -o 'http listening on http://[0-9.:]*' "$WORK/server.log" | sed 's/.*http:\/\///')
  [ -n "$HTTP" ] || fail "khien demo did not print its HTTP address"
  TOKEN=$(cat "$data/admin.token")
}

# call_at METHOD PATH NOW [curl args...]: an API call as the administrator that sets CODE (HTTP status)
# and BODY; NOW, when not empty, is the clock the server uses for it (X-Khien-Now, [cases] clock_override).
call_at() {
  local method=$1 path=$2 now=$3; shift 3
  local extra=()
  [ -n "$now" ] && extra=(-H "X-Khien-Now: $now")
  CODE=$(curl -sS -o "$WORK/body" -w '%{http_code}' -X "$method" -H "Authorization: Bearer $TOKEN" "${extra[@]}" "$@" "http://$HTTP$path")
  BODY=$(cat "$WORK/body")
}

# expect_status STATUS WHAT: fails unless the last call_at answered STATUS.
expect_status() { [ "$CODE" = "$1" ] || fail "$2: expected HTTP $1, got $CODE: $BODY"; }

stop_khien() {
  if [ -n "$KHIEN_PID" ]; then kill "$KHIEN_PID"; wait "$KHIEN_PID" || true; KHIEN_PID=""; fi
}

# api METHOD PATH [curl args...]: an authenticated API call; prints the body.
api() {
  local method=$1 path=$2; shift 2
  curl -sS -X "$method" -H "Authorization: Bearer $TOKEN" "$@" "http://$HTTP$path"
}

# json_get JSON EXPR: evaluates a Python expression on the parsed JSON `d`.
json_get() { python3 -c "import json,sys; d=json.loads(sys.argv[1]); print($2)" "$1"; }

# wait_for_total QUERY EXPECTED [SECONDS]: polls /api/v1/events until total == EXPECTED.
wait_for_total() {
  local query=$1 expected=$2 seconds=${3:-20} total=""
  for _ in $(seq 1 $((seconds * 10))); do
    total=$(json_get "$(api GET "/api/v1/events?limit=1&$query")" 'd["total"]')
    [ "$total" = "$expected" ] && return 0
    sleep 0.1
  done
  fail "expected $expected events for '$query', found $total"
}
