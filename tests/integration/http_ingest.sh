#!/usr/bin/env bash
# HTTP bulk ingest with curl: plain, gzip and zstd bodies, per-line errors, keys, idempotent
# retries, and the events appearing in /api/v1/events and `khien search`.
source "$(dirname "$0")/lib/common.bash"

DATA=$WORK/data
KEY=$("$KHIEN" soc add --data "$DATA" --org bo-cong-an --id soc-test-http --name "Test SOC" | python3 -c 'import json,sys; print(json.load(sys.stdin)["api_key"])')
start_khien "$DATA"

ingest() {  # ingest FORMAT FILE [curl args]: POST FILE, print the answer
  local format=$1 file=$2; shift 2
  curl -sS -H "Authorization: Bearer $KEY" -H 'Content-Type: application/x-ndjson' "$@" \
    --data-binary @"$file" "http://$HTTP/api/v1/ingest?format=$format"
}

# 1. Plain NDJSON, auto-detected: EVE, ECS, Zeek; one malformed line and one of an unknown layout.
cat > "$WORK/mixed.ndjson" <<'NDJSON'
{"timestamp":"2026-11-22T10:00:00.000000+0700","flow_id":1,"event_type":"dns","src_ip":"10.20.0.5","src_port":53000,"dest_ip":"8.8.8.8","dest_port":53,"proto":"UDP","dns":{"type":"query","rrname":"evil.example.vn","rrtype":"A"}}
{"@timestamp":"2026-11-22T03:00:01.000Z","ecs":{"version":"8.11.0"},"event":{"category":["network"]},"source":{"ip":"10.20.0.6","port":1234},"destination":{"ip":"1.1.1.1","port":443}}
{"ts":1732269602.5,"uid":"CAbc123","id.orig_h":"10.20.0.7","id.orig_p":5555,"id.resp_h":"9.9.9.9","id.resp_p":80,"proto":"tcp","conn_state":"SF"}
{"timestamp": "truncated
{"hello":"world"}

NDJSON
answer=$(ingest auto "$WORK/mixed.ndjson")
[ "$(json_get "$answer" 'd["accepted"]')" = 3 ] || fail "mixed batch: $answer"
[ "$(json_get "$answer" 'd["rejected"]')" = 2 ] || fail "mixed batch: $answer"
[ "$(json_get "$answer" '[e["line"] for e in d["errors"]]')" = "[4, 5]" ] || fail "error line numbers: $answer"
json_get "$answer" 'd["errors"][1]["error"]' | grep -q "unknown format" || fail "unknown layout message: $answer"
json_get "$answer" 'd["errors"][0]["error"]' | grep -q "invalid JSON" || fail "a truncated line must be named invalid JSON: $answer"
pass "mixed NDJSON: 3 accepted, lines 4 and 5 rejected with reasons"

wait_for_total "soc=soc-test-http" 3 10
pass "events searchable within seconds"

# 2. gzip and zstd bodies, with an explicit format.
for i in $(seq 1 50); do
  echo "{\"timestamp\":\"2026-11-22T10:01:00.000000+0700\",\"flow_id\":$((100+i)),\"event_type\":\"alert\",\"src_ip\":\"203.0.113.$i\",\"src_port\":4444,\"dest_ip\":\"10.20.0.9\",\"dest_port\":445,\"proto\":\"TCP\",\"alert\":{\"signature\":\"ET SCAN test $i\",\"signature_id\":$((2000000+i)),\"severity\":1}}"
done > "$WORK/alerts.ndjson"
gzip -c "$WORK/alerts.ndjson" > "$WORK/alerts.ndjson.gz"
answer=$(ingest eve "$WORK/alerts.ndjson.gz" -H 'Content-Encoding: gzip')
[ "$(json_get "$answer" 'd["accepted"]')" = 50 ] || fail "gzip: $answer"
zstd -q -c "$WORK/alerts.ndjson" > "$WORK/alerts.ndjson.zst"
answer=$(ingest eve "$WORK/alerts.ndjson.zst" -H 'Content-Encoding: zstd')
[ "$(json_get "$answer" 'd["accepted"]')" = 50 ] || fail "zstd: $answer"
pass "gzip and zstd bodies"


# 3. Bad gzip, unknown encoding, wrong key, unknown format: 4xx with a JSON reason.
head -c 100 "$WORK/alerts.ndjson.gz" > "$WORK/bad.gz"
code=$(curl -sS -o "$WORK/out" -w '%{http_code}' -H "Authorization: Bearer $KEY" -H 'Content-Encoding: gzip' --data-binary @"$WORK/bad.gz" "http://$HTTP/api/v1/ingest")
[ "$code" = 400 ] && grep -q gzip "$WORK/out" || fail "bad gzip answered $code $(cat "$WORK/out")"
code=$(curl -sS -o "$WORK/out" -w '%{http_code}' -H "Authorization: Bearer $KEY" -H 'Content-Encoding: br' --data-binary @"$WORK/alerts.ndjson" "http://$HTTP/api/v1/ingest")
[ "$code" = 400 ] || fail "unknown encoding answered $code"
code=$(curl -sS -o "$WORK/out" -w '%{http_code}' -H "Authorization: Bearer khs_wrong" --data-binary @"$WORK/alerts.ndjson" "http://$HTTP/api/v1/ingest")
[ "$code" = 401 ] || fail "wrong key answered $code"
code=$(curl -sS -o "$WORK/out" -w '%{http_code}' -H "Authorization: Bearer $KEY" --data-binary @"$WORK/alerts.ndjson" "http://$HTTP/api/v1/ingest?format=nosuch")
[ "$code" = 400 ] && json_get "$(cat "$WORK/out")" 'd["error"]' | grep -q "'nosuch' is not one of auto, ocsf" ||
  fail "unknown format answered $code $(cat "$WORK/out")"
pass "bad gzip, unknown encoding, wrong key and unknown format are refused with reasons"

# 4. Oversized lines and invalid UTF-8 are rejected per line; the rest of the batch is kept.
python3 - "$WORK/odd.ndjson" <<'PY'
import sys
good = b'{"timestamp":"2026-11-22T10:02:00Z","event_type":"flow","src_ip":"10.0.0.1","dest_ip":"10.0.0.2","proto":"TCP"}'
with open(sys.argv[1], "wb") as f:
    f.write(good + b"\n")
    f.write(b'{"timestamp":"2026-11-22T10:02:00Z","event_type":"flow","src_ip":"10.0.0.1","x":"' + b"A" * 2_000_000 + b'"}\n')
    f.write(b'{"timestamp":"2026-11-22T10:02:00Z","event_type":"flow","src_ip":"\xff\xfe"}\n')
    f.write(good + b"\n")
PY
answer=$(ingest auto "$WORK/odd.ndjson")
[ "$(json_get "$answer" 'd["accepted"], d["rejected"]')" = "2 2" ] || fail "oversized/UTF-8: $answer"
json_get "$answer" 'd["errors"][0]["error"]' | grep -q "exceeds the maximum" || fail "oversized message: $answer"
json_get "$answer" 'd["errors"][1]["error"]' | grep -q "UTF-8" || fail "UTF-8 message: $answer"
pass "oversized line and invalid UTF-8 rejected per line"

# 5. A retried batch with the same Idempotency-Key is answered from the spool and stored once.
first=$(ingest eve "$WORK/alerts.ndjson" -H 'Idempotency-Key: batch-42')
again=$(ingest eve "$WORK/alerts.ndjson" -H 'Idempotency-Key: batch-42')
[ "$first" = "$again" ] || fail "idempotent retry answered differently: $first vs $again"
wait_for_total "soc=soc-test-http" $((3 + 50 + 50 + 2 + 50)) 20
pass "idempotent retry stored once"

# 6. Search: schema fields, original fields inside raw, CIDR, paging, and the CLI on the same archive.
total=$(json_get "$(api GET '/api/v1/events?q=src_endpoint.ip:203.0.113.0/24%20AND%20alert.signature:%22ET%20SCAN%20test%201*%22&limit=5')" 'd["total"]')
[ "$total" = 33 ] || fail "query total $total (expected 11 per batch x 3)"
page=$(api GET '/api/v1/events?q=class_uid:2004&limit=100')
[ "$(json_get "$page" 'len(d["events"]), d["total"], d["next_cursor"] is not None')" = "100 150 True" ] || fail "page 1"
cursor=$(json_get "$page" 'd["next_cursor"]')
page2=$(api GET "/api/v1/events?q=class_uid:2004&limit=100&cursor=$cursor")
[ "$(json_get "$page2" 'len(d["events"]), d["next_cursor"]')" = "50 None" ] || fail "page 2"
e=$(json_get "$page" 'json.dumps(d["events"][0])')
for f in khien.soc khien.org khien.sector khien.province khien.seq time class_uid src_endpoint.ip raw; do
  json_get "$e" "'$f' in d" | grep -q True || fail "event lacks $f: $e"
done
[ "$(json_get "$e" 'd["khien.org"]')" = bo-cong-an ] || fail "org attribution: $e"
lines=$("$KHIEN" search --data "$DATA" 'query.hostname:evil.example.vn' 2>/dev/null | wc -l)
[ "$lines" = 1 ] || fail "khien search found $lines events"
if "$KHIEN" search --data "$WORK/no-such-dir" 'x' >/dev/null 2>"$WORK/err"; then fail "search of a missing data directory succeeded"; fi
grep -q "not a khien data directory" "$WORK/err" || fail "search of a missing data directory: $(cat "$WORK/err")"
code=$(curl -sS -o "$WORK/out" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" --data-binary @"$WORK/alerts.ndjson" "http://$HTTP/api/v1/ingest?format=eve")
[ "$code" = 400 ] && grep -q "soc=<SOC id>" "$WORK/out" || fail "admin ingest without soc= answered $code $(cat "$WORK/out")"
pass "search by schema and original fields, CIDR, paging, CLI search while serving"

# 7. Registry and metrics.
[ "$(json_get "$(api GET /api/v1/orgs)" 'd["total"] >= 120')" = True ] || fail "orgs"
socs=$(api GET /api/v1/socs/soc-test-http)
[ "$(json_get "$socs" 'd["accepted"]')" = 155 ] || fail "SOC stats: $socs"
json_get "$socs" 'd["last_seen"]' | grep -q 'Z$' || fail "last_seen: $socs"
curl -sS "http://$HTTP/metrics" | grep -q 'khien_ingest_records_total{source="http",soc="soc-test-http",result="accepted"} 155' || fail "metrics"
curl -sS "http://$HTTP/healthz" | grep -q '"status":"ok"' || fail "healthz"
code=$(curl -sS -o /dev/null -w '%{http_code}' "http://$HTTP/api/v1/events")
[ "$code" = 401 ] || fail "events without a token answered $code"
pass "registry, SOC statistics, metrics, health, auth"

# 8. Format names are case-insensitive.
[ "$(json_get "$(ingest EVE "$WORK/alerts.ndjson")" 'd["accepted"]')" = 50 ] || fail "format names are case-insensitive"

# A client that sends `Expect: 100-continue` (curl does for bodies over 1 MiB) is told to go on
# rather than left waiting for its own timeout.
curl -sS -v -H "Authorization: Bearer $KEY" -H 'Expect: 100-continue' --data-binary @"$WORK/alerts.ndjson" \
  "http://$HTTP/api/v1/ingest?format=eve" >"$WORK/continue.out" 2>"$WORK/continue.err" || fail "Expect: 100-continue request failed"
grep -q '^< HTTP/1.1 100 Continue' "$WORK/continue.err" || fail "no 100 Continue: $(cat "$WORK/continue.err")"
[ "$(json_get "$(cat "$WORK/continue.out")" 'd["accepted"]')" = 50 ] || fail "body after 100 Continue: $(cat "$WORK/continue.out")"
pass "Expect: 100-continue answered with 100 Continue"

# 9. Keys: a second `soc add` of a SOC with a working key is refused and changes nothing; so is
# POST /api/v1/socs (409); `soc rotate-key` replaces the key while the server runs.
if "$KHIEN" soc add --data "$DATA" --org bo-cong-an --id soc-test-http --name "Other" >/dev/null 2>"$WORK/err"; then
  fail "a second soc add of soc-test-http was accepted"
fi
grep -q "rotate-key" "$WORK/err" || fail "the refusal must say how to replace a key: $(cat "$WORK/err")"
code=$(curl -sS -o "$WORK/out" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  --data '{"id":"soc-test-http","org":"bo-cong-an","name":"Other"}' "http://$HTTP/api/v1/socs")
[ "$code" = 409 ] || fail "POST /api/v1/socs of a SOC with a key answered $code: $(cat "$WORK/out")"
head -1 "$WORK/alerts.ndjson" >"$WORK/one.ndjson"
[ "$(json_get "$(ingest eve "$WORK/one.ndjson")" 'd["accepted"]')" = 1 ] || fail "the first key must still work"
OLD_KEY=$KEY
KEY=$("$KHIEN" soc rotate-key soc-test-http --data "$DATA" | python3 -c 'import json,sys; print(json.load(sys.stdin)["api_key"])')
[ "$KEY" != "$OLD_KEY" ] || fail "rotate-key printed the old key"
[ "$(json_get "$(ingest eve "$WORK/one.ndjson")" 'd["accepted"]')" = 1 ] || fail "the rotated key must work"
code=$(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $OLD_KEY" --data-binary @"$WORK/one.ndjson" "http://$HTTP/api/v1/ingest?format=eve")
[ "$code" = 401 ] || fail "the replaced key answered $code"
if "$KHIEN" soc rotate-key soc-none --data "$DATA" >/dev/null 2>&1; then fail "rotate-key of an unknown SOC succeeded"; fi
pass "a SOC's working key is never replaced by add (CLI refused, API 409); rotate-key replaces it"
