#!/usr/bin/env bash
# Threat intelligence end to end: a STIX bundle imported with `khien intel import --server`
# (domain, CIDR, URL, hash, an expired and a not-evaluable indicator), Suricata EVE events
# ingested with curl, exactly the expected "ioc" alerts with TLP, source, organisation and
# sector; an invalid bundle refused whole; a second bundle (API) and a TAXII POST imported
# while events keep arriving alert without a restart; sightings as JSON and as a STIX bundle.
source "$(dirname "$0")/lib/common.bash"

DATA=$WORK/data
KEY=$("$KHIEN" soc add --data "$DATA" --org bo-tai-chinh --id soc-test-intel --name "Intel test SOC" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["api_key"])')
start_khien "$DATA"

GREEN=marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb
uuid() { python3 -c 'import uuid; print(uuid.uuid4())'; }
D=indicator--$(uuid); C=indicator--$(uuid); U=indicator--$(uuid); H=indicator--$(uuid)
X=indicator--$(uuid); Q=indicator--$(uuid); N=indicator--$(uuid); T=indicator--$(uuid)
SHA=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08

# bundle FILE ID:PATTERN:NAME[:extra-json] ... writes a STIX 2.1 bundle of indicators.
bundle() {
  python3 - "$@" <<'PY'
import json, sys, uuid
out, objs = sys.argv[1], []
for spec in sys.argv[2:]:
    ident, pattern, name, extra = (spec.split("|") + ["{}"])[:4]
    o = {"type": "indicator", "spec_version": "2.1", "id": ident, "created": "2026-01-01T00:00:00.000Z",
         "modified": "2026-01-01T00:00:00.000Z", "name": name, "pattern_type": "stix", "pattern": pattern,
         "valid_from": "2020-01-01T00:00:00Z", "indicator_types": ["malicious-activity"]}
    o.update(json.loads(extra))
    objs.append(o)
json.dump({"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objs}, open(out, "w"))
PY
}

# eve KIND VALUE: one Suricata EVE line (dns query, flow to an address, http URL, fileinfo digest).
eve() {
  python3 - "$1" "$2" <<'PY'
import json, sys, datetime
kind, value = sys.argv[1], sys.argv[2]
ts = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f+0000")
e = {"timestamp": ts, "src_ip": "14.177.20.10", "src_port": 50000, "dest_ip": "192.0.2.53", "dest_port": 53, "proto": "UDP"}
if kind == "dns":
    e.update(event_type="dns", dns={"type": "query", "id": 1, "rrname": value, "rrtype": "A"})
elif kind == "flow":
    e.update(event_type="flow", dest_ip=value, dest_port=443, proto="TCP", flow={"pkts_toserver": 3, "bytes_toserver": 180})
elif kind == "http":
    host, path = value.split("/", 1)
    e.update(event_type="http", dest_ip="192.0.2.80", dest_port=80, proto="TCP",
             http={"hostname": host, "url": "/" + path, "http_method": "GET", "status": 200})
elif kind == "file":
    e.update(event_type="fileinfo", dest_ip="192.0.2.80", dest_port=80, proto="TCP",
             fileinfo={"filename": "/x.bin", "sha256": value.upper(), "size": 10, "state": "CLOSED"})
print(json.dumps(e))
PY
}

ingest() {
  local answer
  answer=$(curl -sS -H "Authorization: Bearer $KEY" --data-binary @"$1" "http://$HTTP/api/v1/ingest?format=eve")
  [ "$(json_get "$answer" 'd["rejected"]')" = 0 ] || fail "ingest: $answer"
}

# wait_status EXPR: polls /api/v1/intel/status until the Python expression on `d` is true.
wait_status() {
  local s=""
  for _ in $(seq 1 100); do
    s=$(api GET /api/v1/intel/status)
    [ "$(json_get "$s" "$1")" = True ] && return 0
    sleep 0.1
  done
  fail "intel status never satisfied '$1': $s"
}

# 1. Import through the running server with the CLI; the matcher rebuilds at once.
bundle "$WORK/b1.json" \
  "$D|[domain-name:value = 'evil.vn']|Evil domain|{\"confidence\": 90, \"object_marking_refs\": [\"$GREEN\"]}" \
  "$C|[ipv4-addr:value = '198.51.100.0/24']|C2 range|{\"confidence\": 60}" \
  "$U|[url:value = 'http://payload.example.net/dropper.exe']|Dropper URL" \
  "$H|[file:hashes.'SHA-256' = '$SHA']|Dropper hash|{\"confidence\": 20}" \
  "$X|[domain-name:value = 'expired-c2.vn']|Expired C2|{\"valid_until\": \"2021-01-01T00:00:00Z\"}" \
  "$Q|[process:name = 'a.exe'] FOLLOWEDBY [process:name = 'b.exe']|Sequence"
v0=$(json_get "$(api GET /api/v1/intel/status)" 'd["matcher_version"]')
report=$("$KHIEN" intel import "$WORK/b1.json" --format stix --source vncert-feed --tlp amber --server "$HTTP" --data "$DATA") ||
  fail "intel import: $report"
[ "$(json_get "$report" 'd["added"]')" = 6 ] || fail "import report: $report"
wait_status "d['matcher_version'] > $v0 and d['indicators'] == 5"
status=$(api GET /api/v1/intel/status)
[ "$(json_get "$status" 'd["compiled_indicators"]')" = 4 ] || fail "compiled: $status"
[ "$(json_get "$status" 'd["not_evaluated"]["count"]')" = 1 ] || fail "not evaluated: $status"
[ "$(json_get "$status" 'd["not_evaluated"]["patterns"][0]["id"]')" = "$Q" ] || fail "not evaluated id: $status"
json_get "$status" 'd["not_evaluated"]["patterns"][0]["reason"]' | grep -q FOLLOWEDBY || fail "reason: $status"
pass "khien intel import --server: 6 objects, 5 active (expired left out), 4 compiled, the FOLLOWEDBY pattern reported"

# 2. A bundle with one invalid object is refused whole, naming the object.
bundle "$WORK/bad.json" "indicator--$(uuid)|[domain-name:value = 'never.vn']|Fine" \
  "indicator--00000000-0000-4000-8000-0000000000bb|[domain-name:value = 'bad.vn']|Bad time|{\"valid_from\": \"yesterday\"}"
code=$(curl -sS -o "$WORK/out" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" --data-binary @"$WORK/bad.json" \
  "http://$HTTP/api/v1/intel/import?format=stix&source=x")
[ "$code" = 400 ] || fail "invalid bundle answered $code: $(cat "$WORK/out")"
grep -q "indicator--00000000-0000-4000-8000-0000000000bb" "$WORK/out" || fail "rejection does not name the object: $(cat "$WORK/out")"
grep -q "valid_from" "$WORK/out" || fail "rejection does not name the property: $(cat "$WORK/out")"
[ "$(json_get "$(api GET /api/v1/intel/status)" 'd["indicators"]')" = 5 ] || fail "a refused bundle changed the store"
code=$(curl -sS -o /dev/null -w '%{http_code}' --data-binary @"$WORK/b1.json" "http://$HTTP/api/v1/intel/import?format=stix")
[ "$code" = 401 ] || fail "import without the token answered $code"
pass "an invalid bundle is refused whole with the object id; no token, 401"

# 3. Events: a hit of each kind, a benign one, and one hitting only the expired indicator.
{
  eve dns a.b.evil.vn
  eve flow 198.51.100.23
  eve dns www.example.org
  eve dns expired-c2.vn
  eve http payload.example.net/dropper.exe
  eve file "$SHA"
} >"$WORK/events.ndjson"
ingest "$WORK/events.ndjson"
wait_for_total "soc=soc-test-intel" 6 30
alerts=$(api GET "/api/v1/alerts?kind=ioc&limit=100")
[ "$(json_get "$alerts" 'd["total"]')" = 4 ] || fail "expected 4 ioc alerts: $alerts"
[ "$(json_get "$alerts" 'sorted(a["rule_id"] for a in d["alerts"]) == sorted(["'"$D"'", "'"$C"'", "'"$U"'", "'"$H"'"])')" = True ] ||
  fail "alert rule ids: $alerts"
check() { [ "$(json_get "$alerts" "[a for a in d['alerts'] if a['rule_id'] == '$1'][0]$2")" = "$3" ] || fail "$1$2 != $3: $alerts"; }
check "$D" '["title"]' "Evil domain"
check "$D" '["matched"]' evil.vn
check "$D" '["matched_field"]' query.hostname
check "$D" '["tlp"]' green
check "$D" '["severity_id"]' 5
check "$C" '["matched"]' 198.51.100.0/24
check "$C" '["matched_field"]' dst_endpoint.ip
check "$C" '["tlp"]' amber
check "$H" '["matched_field"]' file.hashes.sha256
check "$H" '["severity_id"]' 2
check "$U" '["matched"]' http://payload.example.net/dropper.exe
for id in "$D" "$C" "$U" "$H"; do
  check "$id" '["source"]' vncert-feed
  check "$id" '["org"]' bo-tai-chinh
  check "$id" '["sector"]' tai-chinh
  check "$id" '["soc"]' soc-test-intel
done
pass "exactly 4 ioc alerts (domain via parent, CIDR, URL, hash) with TLP, source, organisation and sector; none for benign or expired"

# 4. New intelligence while events keep flowing: no restart, the next events alert.
eve dns x.new-bad.vn >"$WORK/new.ndjson"
( while :; do curl -sS -o /dev/null -H "Authorization: Bearer $KEY" --data-binary @"$WORK/new.ndjson" \
    "http://$HTTP/api/v1/ingest?format=eve" || true; sleep 0.05; done ) &
FEEDER=$!
EXTRA_PIDS+=("$FEEDER")
sleep 0.5
bundle "$WORK/b2.json" "$N|[domain-name:value = 'new-bad.vn']|New bad domain"
answer=$(api POST "/api/v1/intel/import?format=stix&source=second-feed&tlp=red" --data-binary @"$WORK/b2.json")
[ "$(json_get "$answer" 'd["added"]')" = 1 ] || fail "second import: $answer"
found=""
for _ in $(seq 1 100); do
  alerts=$(api GET "/api/v1/alerts?kind=ioc&rule=$N&limit=1")
  if [ "$(json_get "$alerts" 'd["total"]')" -ge 1 ]; then found=1; break; fi
  sleep 0.1
done
[ -n "$found" ] || fail "no alert for the indicator imported while ingesting: $alerts"
[ "$(json_get "$alerts" 'd["alerts"][0]["tlp"]')" = red ] || fail "second import TLP: $alerts"
[ "$(json_get "$alerts" 'd["alerts"][0]["source"]')" = second-feed ] || fail "second import source: $alerts"
pass "an indicator imported while events flow alerts on the next events, without a restart"

# 5. TAXII POST also rebuilds the matcher.
MEDIA='application/taxii+json;version=2.1'
root_url=$(json_get "$(curl -sS -H "Authorization: Bearer $TOKEN" -H "Accept: $MEDIA" "http://$HTTP/taxii2/")" 'd["api_roots"][0]')
root=/${root_url#*://*/}
collection=$(json_get "$(curl -sS -H "Authorization: Bearer $TOKEN" -H "Accept: $MEDIA" "http://$HTTP${root}collections/")" \
  '[c["id"] for c in d["collections"] if c["can_write"]][0]')
bundle "$WORK/b3.json" "$T|[domain-name:value = 'taxii-bad.vn']|From TAXII"
v=$(json_get "$(api GET /api/v1/intel/status)" 'd["matcher_version"]')
code=$(curl -sS -o "$WORK/out" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" -H "Accept: $MEDIA" -H "Content-Type: $MEDIA" \
  --data-binary @"$WORK/b3.json" "http://$HTTP${root}collections/$collection/objects/")
[ "$code" = 202 ] || fail "TAXII POST: $code $(cat "$WORK/out")"
wait_status "d['matcher_version'] > $v and d['indicators'] == 7"
eve dns taxii-bad.vn >"$WORK/taxii.ndjson"
ingest "$WORK/taxii.ndjson"
found=""
for _ in $(seq 1 100); do
  [ "$(json_get "$(api GET "/api/v1/alerts?kind=ioc&rule=$T")" 'd["total"]')" = 1 ] && { found=1; break; }
  sleep 0.1
done
[ -n "$found" ] || fail "no alert for the indicator posted over TAXII"
pass "TAXII POST rebuilds the matcher; its indicator alerts"
kill "$FEEDER" 2>/dev/null || true
wait "$FEEDER" 2>/dev/null || true

# 5b. CSV (converted to STIX, then the same validation and store path).
printf '# one domain per line\ncsv-bad.vn\n' >"$WORK/list.csv"
v=$(json_get "$(api GET /api/v1/intel/status)" 'd["matcher_version"]')
answer=$(api POST "/api/v1/intel/import?format=csv&mapping=type%3Ddomain&source=csv-feed&tlp=green" --data-binary @"$WORK/list.csv")
[ "$(json_get "$answer" 'd["added"] >= 1')" = True ] || fail "csv import: $answer"
wait_status "d['matcher_version'] > $v and d['indicators'] == 8"
eve dns www.csv-bad.vn >"$WORK/csv.ndjson"
ingest "$WORK/csv.ndjson"
found=""
for _ in $(seq 1 100); do
  alerts=$(api GET "/api/v1/alerts?kind=ioc&limit=100")
  [ "$(json_get "$alerts" "len([a for a in d['alerts'] if a['matched'] == 'csv-bad.vn' and a['source'] == 'csv-feed'])")" = 1 ] && { found=1; break; }
  sleep 0.1
done
[ -n "$found" ] || fail "no alert for the CSV indicator: $alerts"
pass "a CSV list imported through the API alerts like a STIX indicator"

# 6. Sightings: JSON counts per (indicator, organisation) and a STIX bundle of sightings.
new_hits=$(json_get "$(api GET "/api/v1/alerts?kind=ioc&rule=$N&limit=1")" 'd["total"]')
sightings=$(api GET /api/v1/intel/sightings)
sc() { json_get "$sightings" "[s['count'] for s in d['sightings'] if s['indicator'] == '$1' and s['org'] == 'bo-tai-chinh']"; }
[ "$(sc "$D")" = "[1]" ] || fail "sightings of $D: $sightings"
[ "$(sc "$C")" = "[1]" ] || fail "sightings of $C: $sightings"
[ "$(sc "$X")" = "[]" ] || fail "sightings of the expired indicator: $sightings"
[ "$(json_get "$sightings" "[s['count'] for s in d['sightings'] if s['indicator'] == '$N'][0] >= $new_hits")" = True ] ||
  fail "sightings of $N below its $new_hits alerts: $sightings"
stix=$(api GET "/api/v1/intel/sightings?format=stix")
[ "$(json_get "$stix" 'd["type"]')" = bundle ] || fail "sightings bundle: $stix"
s=$(json_get "$stix" "json.dumps([o for o in d['objects'] if o['type'] == 'sighting' and o['sighting_of_ref'] == '$D'][0])")
[ "$(json_get "$s" 'd["count"]')" = 1 ] || fail "STIX sighting count: $s"
org_ref=$(json_get "$s" 'd["where_sighted_refs"][0]')
centre_ref=$(json_get "$s" 'd["created_by_ref"]')
[ "$(json_get "$stix" "[o['x_khien_org'] for o in d['objects'] if o['id'] == '$org_ref'][0]")" = bo-tai-chinh ] || fail "where_sighted identity: $stix"
[ "$(json_get "$stix" "[o['x_khien_org'] for o in d['objects'] if o['id'] == '$centre_ref'][0]")" = trung-tam-giam-sat-quoc-gia ] ||
  fail "created_by identity: $stix"
for f in first_seen last_seen; do json_get "$s" "d['$f']" | grep -qE '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T' || fail "$f: $s"; done
# The bundle is valid STIX 2.1: our own importer accepts it.
api POST "/api/v1/intel/import?format=stix&source=roundtrip" --data-binary "$stix" >"$WORK/rt.json"
[ "$(json_get "$(cat "$WORK/rt.json")" '"added" in d')" = True ] || fail "sightings bundle does not validate: $(cat "$WORK/rt.json")"
pass "sightings counted per indicator and organisation; STIX bundle with sighting_of_ref, where_sighted_refs, created_by_ref"

# 7. Offline import into a stopped server's data directory, picked up at the next start.
stop_khien
if "$KHIEN" intel import "$WORK/bad.json" --format stix --data "$DATA" >"$WORK/out" 2>&1; then fail "offline import accepted an invalid bundle"; fi
grep -q "0000000000bb" "$WORK/out" || fail "offline rejection: $(cat "$WORK/out")"
bundle "$WORK/b4.json" "indicator--$(uuid)|[domain-name:value = 'offline.vn']|Offline"
"$KHIEN" intel import "$WORK/b4.json" --format stix --data "$DATA" --source offline >"$WORK/out" || fail "offline import: $(cat "$WORK/out")"
start_khien "$DATA"
[ "$(json_get "$(api GET /api/v1/intel/status)" 'd["indicators"]')" = 9 ] || fail "restart: $(api GET /api/v1/intel/status)"
pass "khien intel import into a data directory; the next start builds the matcher from it"
