#!/usr/bin/env bash
# kill -9 in the middle of a 1,000,000-event ingest: after a restart, and the client's retry of
# every batch it had no answer for, each acknowledged event is in the archive exactly once.
source "$(dirname "$0")/lib/common.bash"

DATA=$WORK/data
EVENTS=${CRASH_EVENTS:-1000000}
BATCH=10000
KEY=$("$KHIEN" soc add --data "$DATA" --org bo-tai-chinh --id soc-test-crash --name "Crash test SOC" | python3 -c 'import json,sys; print(json.load(sys.stdin)["api_key"])')
start_khien "$DATA"
PORT=${HTTP##*:}

# The client: curl per batch, each with an Idempotency-Key; it kills the server with SIGKILL once
# a third of the batches are acknowledged, then keeps retrying what was not acknowledged.
cat > "$WORK/client.py" <<'PY'
import json, os, signal, subprocess, sys, time
work, key, port, events, batch, pid = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
batches = events // batch
acked = set()
killed = False
def body(b):
    path = os.path.join(work, "batch.ndjson")
    with open(path, "w") as f:
        for i in range(b * batch, (b + 1) * batch):
            f.write('{"timestamp":"2026-11-22T10:00:00Z","flow_id":%d,"event_type":"flow","src_ip":"10.9.%d.%d","dest_ip":"203.113.0.1","proto":"TCP","flow":{"bytes_toserver":%d}}\n' % (i, (i >> 8) & 255, i & 255, i))
    return path
def send(b):
    r = subprocess.run(["curl", "-sS", "-m", "120", "-o", "-", "-w", "\n%{http_code}", "-H", "Authorization: Bearer " + key,
                        "-H", "Idempotency-Key: crash-%d" % b, "--data-binary", "@" + body(b),
                        "http://127.0.0.1:%s/api/v1/ingest?format=eve" % port], capture_output=True, text=True)
    out = r.stdout.rsplit("\n", 1)
    return (out[1] if len(out) == 2 else "000"), out[0]
pending = list(range(batches))
deadline = time.time() + 900
while pending and time.time() < deadline:
    b = pending[0]
    code, answer = send(b)
    if code == "200" and json.loads(answer)["accepted"] == batch:
        acked.add(b)
        pending.pop(0)
        if not killed and len(acked) >= batches // 3:
            os.kill(pid, signal.SIGKILL)
            killed = True
            print("client: killed the server after %d acknowledged batches" % len(acked), flush=True)
            open(os.path.join(work, "killed"), "w").write("yes")
            while not os.path.exists(os.path.join(work, "restarted")):
                time.sleep(0.1)
    elif code == "429":
        time.sleep(1)
    else:
        time.sleep(0.2)
assert not pending, "batches never acknowledged: %s" % pending[:5]
open(os.path.join(work, "acked"), "w").write(json.dumps(sorted(acked)))
print("client: all %d batches acknowledged" % len(acked))
PY
python3 "$WORK/client.py" "$WORK" "$KEY" "$PORT" "$EVENTS" "$BATCH" "$KHIEN_PID" &
CLIENT=$!
EXTRA_PIDS+=($CLIENT)
for _ in $(seq 1 6000); do
  [ -f "$WORK/killed" ] && break
  kill -0 $CLIENT 2>/dev/null || fail "client ended before the kill"
  sleep 0.1
done
[ -f "$WORK/killed" ] || fail "the client never killed the server"
wait "$KHIEN_PID" 2>/dev/null || true
KHIEN_PID=""
pass "server killed with SIGKILL mid-ingest"
HTTP_LISTEN="127.0.0.1:$PORT" start_khien "$DATA"
touch "$WORK/restarted"
wait $CLIENT || fail "client failed"
[ -f "$WORK/acked" ] || fail "client did not finish"
pass "client finished across the kill -9 and restart"

# Every acknowledged event is archived exactly once.
wait_for_total "soc=soc-test-crash" "$EVENTS" 600
stop_khien
"$KHIEN" search --data "$DATA" --soc soc-test-crash --limit $((EVENTS + 10)) > "$WORK/all.ndjson" 2>/dev/null
python3 - "$WORK/all.ndjson" "$EVENTS" <<'PY'
import json, sys
seen = {}
with open(sys.argv[1]) as f:
    for line in f:
        fid = json.loads(line)["raw"]["flow_id"]
        seen[fid] = seen.get(fid, 0) + 1
n = int(sys.argv[2])
dupes = [k for k, v in seen.items() if v > 1]
missing = n - len(seen)
assert not dupes, "events archived twice: %s" % dupes[:10]
assert missing == 0, "%d acknowledged events missing" % missing
print("ok: %d events, each exactly once" % len(seen))
PY
