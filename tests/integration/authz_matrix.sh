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

start_khien "$DATA"

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

FIXTURES=$(python3 -c 'import json,sys; print(json.dumps(dict(zip(sys.argv[1::2], sys.argv[2::2]))))' \
  org_a "$ORG_A" org_b "$ORG_B" soc_a "$SOC_A" incident_a "$INC_ID" directive_a "$DIR_ID")
python3 "$(dirname "$0")/lib/authz_matrix.py" "$HTTP" "$TOKEN" "$KEYS" "$FIXTURES" || fail "authorization matrix"
pass "every route x role as in the table; organisation B never sees A's objects"
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
