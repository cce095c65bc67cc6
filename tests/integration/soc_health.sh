#!/usr/bin/env bash
# SOC health end to end: a SOC sends for a while then stops; with short thresholds a soc-health
# warning appears in /api/v1/warnings and /api/v1/health/socs calls the SOC silent; it sends again
# and the warning becomes inactive while the SOC is ok again.
source "$(dirname "$0")/lib/common.bash"

DATA=$WORK/data
KEY=$("$KHIEN" soc add --data "$DATA" --org evn --id soc-test-health --name "Test health SOC" | python3 -c 'import json,sys; print(json.load(sys.stdin)["api_key"])')
cat > "$WORK/khien.toml" <<TOML
[health]
bucket = "1s"
min_silence = "3s"
silence_factor = 3
min_active_buckets = 3
TOML
start_khien "$DATA" --config "$WORK/khien.toml"

send() {  # send SECONDS: one ECS event every 0.3 s
  local until=$((SECONDS + $1)) i=0
  while [ $SECONDS -lt $until ]; do
    i=$((i + 1))
    echo "{\"@timestamp\":\"2026-11-22T03:00:01.000Z\",\"ecs\":{\"version\":\"8.11.0\"},\"event\":{\"category\":[\"network\"]},\"source\":{\"ip\":\"10.20.0.$((i % 200 + 1))\",\"port\":1234},\"destination\":{\"ip\":\"1.1.1.1\",\"port\":443}}" |
      curl -sS -o /dev/null -H "Authorization: Bearer $KEY" -H 'Content-Type: application/x-ndjson' --data-binary @- "http://$HTTP/api/v1/ingest?format=ecs"
    sleep 0.3
  done
}

soc_status() { json_get "$(api GET '/api/v1/health/socs?org=evn')" 'next((s["status"] for s in d["socs"] if s["soc"]=="soc-test-health"), "unlisted")'; }

# The registry is read at the service's first tick, a second after start.
for _ in $(seq 1 50); do [ "$(soc_status)" != unlisted ] && break; sleep 0.1; done

[ "$(curl -s -o /dev/null -w '%{http_code}' "http://$HTTP/api/v1/health/socs")" = 401 ] || fail "health without credentials must be 401"
[ "$(soc_status)" = never-seen ] || fail "a SOC that never sent is never-seen: $(soc_status)"
answer=$(api GET /api/v1/health/socs)
[ "$(json_get "$answer" 'len(d["socs"]) > 50 and d["counts"]["never-seen"] > 50')" = True ] || fail "every registered SOC is listed: $answer"
pass "every registered SOC listed; the new SOC never-seen"

send 5
[ "$(soc_status)" = ok ] || fail "sending SOC must be ok: $(api GET '/api/v1/health/socs?org=evn')"
pass "sending: ok"

# Silent: no event past max(3 s, 3 x its 1 s cadence).
status=""
for _ in $(seq 1 100); do
  status=$(soc_status)
  [ "$status" = silent ] && break
  sleep 0.1
done
[ "$status" = silent ] || fail "SOC not silent after stopping: $(api GET '/api/v1/health/socs?org=evn')"
row=$(api GET '/api/v1/health/socs?status=silent')
[ "$(json_get "$row" '[s["soc"] for s in d["socs"]]')" = "['soc-test-health']" ] || fail "status filter: $row"
json_get "$row" 'd["socs"][0]["reason"]' | grep -q "no event for" || fail "reason: $row"
[ "$(json_get "$row" 'd["socs"][0]["last_event"] is not None')" = True ] || fail "last event: $row"
pass "stopped: silent ($(json_get "$row" 'd["socs"][0]["reason"]'))"

warning=""
for _ in $(seq 1 50); do
  warning=$(api GET '/api/v1/warnings?kind=soc-health')
  [ "$(json_get "$warning" 'd["total"]')" = 1 ] && break
  sleep 0.1
done
[ "$(json_get "$warning" 'd["total"]')" = 1 ] || fail "one soc-health warning expected: $warning"
w='d["warnings"][0]'
[ "$(json_get "$warning" "$w[\"key\"]")" = soc-test-health ] || fail "warning key: $warning"
[ "$(json_get "$warning" "$w[\"active\"]")" = True ] || fail "warning active: $warning"
[ "$(json_get "$warning" "$w[\"details\"][\"status\"]")" = silent ] || fail "warning status: $warning"
[ "$(json_get "$warning" "$w[\"details\"][\"org\"]")" = evn ] || fail "warning names the organisation: $warning"
[ "$(json_get "$warning" "$w[\"details\"][\"sector\"]")" = nang-luong ] || fail "warning names the sector: $warning"
[ "$(json_get "$warning" "$w[\"sectors\"]")" = "['nang-luong']" ] || fail "warning sectors: $warning"
json_get "$warning" "$w[\"title\"]" | grep -q "Test health SOC" || fail "title names the SOC: $warning"
ID=$(json_get "$warning" "$w[\"id\"]")
pass "soc-health warning $ID: $(json_get "$warning" "$w[\"title\"]")"

# A client of the stream connected now sees the recovery as it happens.
curl -sS -N --max-time 8 -H "Authorization: Bearer $TOKEN" "http://$HTTP/api/v1/warnings/stream?heartbeat=1" >"$WORK/stream.txt" 2>/dev/null &
CURL_PID=$!
EXTRA_PIDS+=("$CURL_PID")
sleep 0.5

send 3
for _ in $(seq 1 50); do
  [ "$(soc_status)" = ok ] && break
  sleep 0.1
done
[ "$(soc_status)" = ok ] || fail "SOC sending again must be ok: $(api GET '/api/v1/health/socs?org=evn')"
warning=$(api GET "/api/v1/warnings/$ID")
for _ in $(seq 1 30); do
  [ "$(json_get "$warning" 'd["active"]')" = False ] && break
  sleep 0.1
  warning=$(api GET "/api/v1/warnings/$ID")
done
[ "$(json_get "$warning" 'd["active"]')" = False ] || fail "warning must become inactive: $warning"
[ "$(json_get "$warning" 'd["details"]["previous_status"]')" = silent ] || fail "recovery names what it was: $warning"
[ "$(json_get "$(api GET '/api/v1/warnings?kind=soc-health&active=true')" 'd["total"]')" = 0 ] || fail "no active soc-health warning left"
pass "sending again: ok, warning $ID inactive"

for _ in $(seq 1 30); do grep -q '"kind":"soc-health"' "$WORK/stream.txt" && break; sleep 0.2; done
grep '"kind":"soc-health"' "$WORK/stream.txt" | grep -q '"active":false' || fail "the stream must carry the recovery: $(cat "$WORK/stream.txt")"
# The warning was active when the client connected: the stream opens with it, as with campaigns.
grep '"kind":"soc-health"' "$WORK/stream.txt" | head -1 | grep -q '"active":true' ||
  fail "the stream must open with the active soc-health warning: $(cat "$WORK/stream.txt")"
pass "the warnings stream opened with the active warning and carried the change"
