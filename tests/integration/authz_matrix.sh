#!/usr/bin/env bash
# Authorization matrix: one user per role (org-soc for organisations A and B, a sector CERT for A's
# sector) with API keys from `khien user key`; objects of A (incident, directive targeting A only);
# then every registered route x every role against the table in lib/authz_table.py (which must list
# every route the router holds), and cross-tenant reads by id, in lists and in counts.
source "$(dirname "$0")/lib/common.bash"

DATA=$WORK/data
ORG_A=evn          # sector nang-luong
ORG_B=bo-cong-an   # another sector
SECTOR_A=nang-luong
printf 'matrix-pass-0001\n' >"$WORK/pw"
add() {  # add LOGIN ROLE [SCOPE]
  "$KHIEN" user add "$1" --role "$2" ${3:+--scope "$3"} --password-file "$WORK/pw" --data "$DATA" >/dev/null \
    || fail "user add $1 ($2)"
}
add m.admin national-admin
add m.analyst national-analyst
add m.cert sector-cert "$SECTOR_A"
add m.soc-a org-soc "$ORG_A"
add m.soc-b org-soc "$ORG_B"
add m.isp isp-consumer
add m.audit auditor
add m.report reporter
key() { "$KHIEN" user key "$1" --name matrix --data "$DATA" 2>/dev/null || fail "user key $1"; }
KEYS=$(python3 -c 'import json,sys; print(json.dumps(dict(zip(sys.argv[1::2], sys.argv[2::2]))))' \
  A "$(key m.admin)" N "$(key m.analyst)" S "$(key m.cert)" O "$(key m.soc-a)" OB "$(key m.soc-b)" \
  I "$(key m.isp)" U "$(key m.audit)" R "$(key m.report)")
pass "eight users, one per role (two org-soc), with API keys"

# Two campaigns for the warning checks: one hunting rule per domain, so each becomes its own warning.
mkdir -p "$WORK/rules"
for w in a b; do
  cat >"$WORK/rules/matrix-$w.yml" <<YML
title: Matrix campaign $w
id: matrix-campaign-$w
status: experimental
logsource: {product: khien}
detection:
  sel: {query.hostname|endswith: warn-$w.matrix.example}
  condition: sel
level: high
YML
done
printf '[detect]\nsigma_rules = "%s"\n' "$WORK/rules" >"$WORK/khien.toml"

start_khien "$DATA" --config "$WORK/khien.toml"

# Organisation A's objects, made by the administrator token (national-admin).
INC=$(api POST /api/v1/incidents -d "{\"title\": \"Mã độc trên SCADA\", \"affected_orgs\": [\"$ORG_A\"]}")
INC_ID=$(json_get "$INC" 'd["id"]') || fail "incident: $INC"
DEADLINE=$(date -u -d '+7 days' +%Y-%m-%dT%H:%M:%SZ)
DIR=$(api POST /api/v1/directives -d "{\"title\": \"Vá lỗ hổng\", \"required_actions\": [\"Cập nhật\"], \"deadline\": \"$DEADLINE\", \"tlp\": \"amber\", \"selector\": {\"orgs\": [\"$ORG_A\"]}}")
DIR_ID=$(json_get "$DIR" 'd["id"]') || fail "directive: $DIR"
[ "$(json_get "$DIR" 'd["targets"]')" = "['$ORG_A']" ] || fail "directive targets: $DIR"
SOC_A=$(json_get "$(api GET "/api/v1/socs?org=$ORG_A")" 'd["socs"][0]["id"]')
# B's own incident, so B's list is not trivially empty.
api POST /api/v1/incidents -d "{\"title\": \"Lộ lọt dữ liệu\", \"affected_orgs\": [\"$ORG_B\"]}" >/dev/null
SOC_B=$(json_get "$(api GET "/api/v1/socs?org=$ORG_B")" 'd["socs"][0]["id"]')
# One event from each organisation's SOC (the administrator ingests on their behalf).
for soc in "$SOC_A" "$SOC_B"; do
  echo '{"timestamp":"2026-11-22T10:00:00.000000+0700","flow_id":7,"event_type":"dns","src_ip":"10.20.0.5","src_port":53000,"dest_ip":"8.8.8.8","dest_port":53,"proto":"UDP","dns":{"type":"query","rrname":"matrix.example.vn","rrtype":"A"}}' |
    api POST "/api/v1/ingest?soc=$soc&format=eve" --data-binary @- >/dev/null
done
wait_for_total "q=matrix.example.vn" 2
pass "incident $INC_ID and directive $DIR_ID for $ORG_A; one event from each of $SOC_A and $SOC_B"

# Warning A touches A and two organisations of other sectors, warning B touches B and two more: the
# organisation sets are disjoint, or the detector would rightly merge the two as one campaign.
read -r ORG_C SOC_C ORG_D SOC_D ORG_E SOC_E ORG_F SOC_F < <(python3 - "$(api GET /api/v1/socs)" "$(api GET /api/v1/orgs)" "$ORG_A" "$ORG_B" <<'PY'
import json, sys
socs, orgs = json.loads(sys.argv[1])["socs"], {o["id"]: o for o in json.loads(sys.argv[2])["orgs"]}
taken = {orgs[sys.argv[3]]["sector"], orgs[sys.argv[4]]["sector"]}
picked = []
for s in socs:
    o = orgs.get(s["org"])
    if o and o["sector"] not in taken:
        picked.append((s["org"], s["id"]))
        taken.add(o["sector"])
    if len(picked) == 4:
        break
print(" ".join(x for p in picked for x in p))
PY
)
[ -n "$SOC_F" ] || fail "no four SOCs of further sectors for the warning fixtures"
NOW=$(date -u +%Y-%m-%dT%H:%M:%S.000000+0000)
for pair in "a:$SOC_A" "a:$SOC_C" "a:$SOC_D" "b:$SOC_B" "b:$SOC_E" "b:$SOC_F"; do
  echo "{\"timestamp\":\"$NOW\",\"flow_id\":9,\"event_type\":\"dns\",\"src_ip\":\"192.0.2.6\",\"src_port\":53001,\"dest_ip\":\"192.0.2.53\",\"dest_port\":53,\"proto\":\"UDP\",\"dns\":{\"type\":\"query\",\"rrname\":\"c2.warn-${pair%%:*}.matrix.example\",\"rrtype\":\"A\"}}" |
    api POST "/api/v1/ingest?soc=${pair#*:}&format=eve" --data-binary @- >/dev/null
done
for _ in $(seq 1 150); do
  [ "$(json_get "$(api GET '/api/v1/warnings?active=true')" 'd["total"]')" = 2 ] && break
  sleep 0.2
done
WARNINGS=$(api GET '/api/v1/warnings?active=true')
WARN_A=$(json_get "$WARNINGS" "[w['id'] for w in d['warnings'] if '$ORG_A' in [o['org'] for o in w['organisations']]][0]") \
  || fail "no warning touching $ORG_A: $WARNINGS"
WARN_B=$(json_get "$WARNINGS" "[w['id'] for w in d['warnings'] if '$ORG_B' in [o['org'] for o in w['organisations']]][0]") \
  || fail "no warning touching $ORG_B: $WARNINGS"
[ "$WARN_A" != "$WARN_B" ] || fail "the two campaigns became one warning: $WARNINGS"
pass "warning $WARN_A ($ORG_A, $ORG_C, $ORG_D) and warning $WARN_B ($ORG_B, $ORG_E, $ORG_F)"

FIXTURES=$(python3 -c 'import json,sys; print(json.dumps(dict(zip(sys.argv[1::2], sys.argv[2::2]))))' \
  org_a "$ORG_A" org_b "$ORG_B" soc_a "$SOC_A" incident_a "$INC_ID" directive_a "$DIR_ID" \
  warning_a "$WARN_A" warning_b "$WARN_B" org_c "$ORG_C" sector_a "$SECTOR_A")
python3 "$(dirname "$0")/lib/authz_matrix.py" "$HTTP" "$TOKEN" "$KEYS" "$FIXTURES" || fail "authorization matrix"
pass "every route x role as in the table; organisation B never sees A's objects"
# The live stream as organisation B: its own warning, never A's (a warning settling meanwhile
# comes again with its next version: ids are counted once).
stream_ids() {
  curl -sS -N --max-time 3 -H "Authorization: Bearer $(json_get "$KEYS" "d['$1']")" "http://$HTTP/api/v1/warnings/stream?heartbeat=1" 2>/dev/null |
    python3 -c 'import json,sys; print(" ".join(sorted({str(json.loads(l[6:])["id"]) for l in sys.stdin if l.startswith("data: ")})))'
}
[ "$(stream_ids OB)" = "$WARN_B" ] || fail "org B's warning stream: '$(stream_ids OB)', expected only $WARN_B"
[ "$(stream_ids O)" = "$WARN_A" ] || fail "org A's warning stream: '$(stream_ids O)', expected only $WARN_A"
[ "$(stream_ids S)" = "$WARN_A" ] || fail "the sector CERT's warning stream: '$(stream_ids S)', expected only $WARN_A"
[ "$(stream_ids N | wc -w)" = 2 ] || fail "the national analyst's stream does not carry both warnings"
pass "warning stream filtered by tenant (A: $WARN_A, B: $WARN_B, sector: $WARN_A, national: both)"
events_total() { json_get "$(curl -sS -H "Authorization: Bearer $(json_get "$KEYS" "d['$1']")" "http://$HTTP/api/v1/events?limit=5&$2")" 'd["total"]'; }
[ "$(events_total O "q=matrix.example.vn")" = 1 ] || fail "org A's event search does not count exactly its own event"
[ "$(events_total OB "q=matrix.example.vn")" = 1 ] || fail "org B's event search does not count exactly its own event"
[ "$(events_total OB "q=matrix.example.vn&org=$ORG_A")" = 0 ] || fail "org B counts A's events when asking for A"
[ "$(events_total S "q=matrix.example.vn")" = 1 ] || fail "the sector CERT does not count exactly its sector's event"
[ "$(events_total N "q=matrix.example.vn")" = 2 ] || fail "the national analyst does not see both events"
pass "event search and totals filtered by tenant (A 1, B 1, B asking for A 0, sector 1, national 2)"

# The OpenAPI document describes exactly the REST routes the router holds.
python3 - "$(api GET /api/v1/routes)" "$(curl -sS "http://$HTTP/api/v1/openapi.json")" <<'PY' || fail "OpenAPI document"
import json, sys
routes = json.loads(sys.argv[1])["routes"]
doc = json.loads(sys.argv[2])
assert doc["openapi"].startswith("3.1"), doc.get("openapi")
rest = {r for r in routes if r.split(" ", 1)[1].startswith("/api/v1/") or r.split(" ", 1)[1] in ("/healthz", "/metrics")}
documented = {f"{m.upper()} {p}" for p, ops in doc["paths"].items() for m in ops}
missing, extra = sorted(rest - documented), sorted(documented - rest)
for r in missing: print("undocumented route:", r)
for r in extra: print("documented but not registered:", r)
sys.exit(1 if missing or extra else 0)
PY
pass "openapi.json documents every REST route and no other"
