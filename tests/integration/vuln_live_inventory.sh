#!/usr/bin/env bash
# Exposure follows the information systems users maintain through the API: a system added, edited,
# imported or removed changes GET /api/v1/vulns/{cve} and /api/v1/exposure at once, the wide-scale
# warning of a later KEV update names the same inventory, and `khien vuln show` reads it after a stop.
source "$(dirname "$0")/lib/common.bash"

require_corpus vuln
DATA=$WORK/data
NVD=$CORPUS/vuln/nvd/nvd-api2-CVE-2021-44228-excerpt.json
KEV=$CORPUS/vuln/kev/known_exploited_vulnerabilities.json
CVE=CVE-2021-44228
LOG4J_OLD='cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*'
LOG4J_FIXED='cpe:2.3:a:apache:log4j:2.17.1:*:*:*:*:*:*:*'

# Log4Shell is known, but not yet in the KEV catalogue the server has.
python3 - "$KEV" "$WORK/kev-before.json" <<'PY'
import json, sys
k = json.load(open(sys.argv[1]))
k["vulnerabilities"] = [v for v in k["vulnerabilities"] if v["cveID"] != "CVE-2021-44228"]
k["count"] = len(k["vulnerabilities"])
json.dump(k, open(sys.argv[2], "w"))
PY
"$KHIEN" vuln import --data "$DATA" "$NVD" "$WORK/kev-before.json" >/dev/null
start_khien "$DATA"

exposed() { json_get "$(api GET /api/v1/vulns/$CVE)" "sorted(s['system'] for s in d['exposure']['systems'])"; }
orgs() { json_get "$(api GET /api/v1/vulns/$CVE)" "sorted(d['exposure']['organisations'])"; }
system_doc() {  # id owner cpe
  printf '{"id": "%s", "name": "Cổng dịch vụ công tỉnh", "owner": "%s", "security_level": 3, "software": ["%s"]}' "$1" "$2" "$3"
}

[ "$(exposed)" = "['cuc-thue-etax', 'evn-scada-ems', 'evnnpt-scada']" ] || fail "shipped exposure: $(exposed)"

r=$(api POST /api/v1/systems -H 'Content-Type: application/json' -d "$(system_doc live-portal tinh-lao-cai "$LOG4J_OLD")")
[ "$(json_get "$r" 'd["id"]')" = live-portal ] || fail "create: $r"
[ "$(exposed)" = "['cuc-thue-etax', 'evn-scada-ems', 'evnnpt-scada', 'live-portal']" ] || fail "after create: $(exposed)"
orgs | grep -q tinh-lao-cai || fail "organisations after create: $(orgs)"
e=$(api GET '/api/v1/exposure?min_priority=0')
json_get "$e" "[s['system'] for v in d['vulnerabilities'] if v['id'] == '$CVE' for s in v['exposure']['systems']]" | grep -q live-portal \
  || fail "GET /api/v1/exposure misses the new system: $e"
[ "$(json_get "$e" "[v['exposure']['system_count'] for v in d['vulnerabilities'] if v['id'] == '$CVE']")" = "[4]" ] \
  || fail "GET /api/v1/exposure counts other than the 4 exposed systems: $e"
pass "a system created through the API with log4j 2.14.1 is exposed to $CVE"

api PUT /api/v1/systems/live-portal -H 'Content-Type: application/json' -d "$(system_doc live-portal tinh-lao-cai "$LOG4J_FIXED")" >/dev/null
[ "$(exposed)" = "['cuc-thue-etax', 'evn-scada-ems', 'evnnpt-scada']" ] || fail "after update to 2.17.1: $(exposed)"
orgs | grep -q tinh-lao-cai && fail "the patched organisation is still exposed: $(orgs)"
e=$(api GET '/api/v1/exposure?min_priority=0')
json_get "$e" "[s['system'] for v in d['vulnerabilities'] for s in v['exposure']['systems']]" | grep -q live-portal \
  && fail "GET /api/v1/exposure still lists the patched system: $e"
pass "updating it to log4j 2.17.1 takes it out of the exposure"

api DELETE /api/v1/systems/cuc-thue-etax >/dev/null
[ "$(exposed)" = "['evn-scada-ems', 'evnnpt-scada']" ] || fail "after delete: $(exposed)"
cat > "$WORK/more.yaml" <<YAML
systems:
  - id: live-records
    name: Hệ thống hồ sơ điện tử
    owner: tinh-thai-nguyen
    security_level: 2
    software:
      - $LOG4J_OLD
YAML
r=$(api POST '/api/v1/systems/import?format=yaml' --data-binary @"$WORK/more.yaml")
[ "$(json_get "$r" 'd["imported"]')" = 1 ] || fail "import: $r"
[ "$(exposed)" = "['evn-scada-ems', 'evnnpt-scada', 'live-records']" ] || fail "after import: $(exposed)"
pass "a removed system leaves the exposure, an imported one joins it"

expected=$(orgs)
r=$(api POST '/api/v1/vulns/import?name=kev.json' --data-binary @"$KEV")
[ "$(json_get "$r" '(d["added"], d["wide_scale"])')" = "(1, ['$CVE'])" ] || fail "KEV update: $r"
w=$(api GET '/api/v1/warnings?kind=vulnerability')
[ "$(json_get "$w" 'sorted(o["org"] for o in d["warnings"][0]["organisations"])')" = "$expected" ] || fail "warning organisations: $w (expected $expected)"
drafts=$(api GET '/api/v1/directive-drafts?state=pending')
[ "$(json_get "$drafts" 'sorted(d["drafts"][0]["orgs"])')" = "$expected" ] || fail "draft targets: $drafts (expected $expected)"
pass "the wide-scale warning and its draft name the live inventory's organisations ($expected)"

stop_khien
"$KHIEN" vuln show "$CVE" --data "$DATA" > "$WORK/show.json"
[ "$(python3 -c 'import json,sys; print(sorted(s["system"] for s in json.load(open(sys.argv[1]))["exposure"]["systems"]))' "$WORK/show.json")" \
  = "['evn-scada-ems', 'evnnpt-scada', 'live-records']" ] || fail "khien vuln show after the stop: $(cat "$WORK/show.json")"
start_khien "$DATA"
[ "$(exposed)" = "['evn-scada-ems', 'evnnpt-scada', 'live-records']" ] || fail "after a restart: $(exposed)"
pass "khien vuln show and a restarted server read the same inventory"
