#!/usr/bin/env bash
# Vulnerability data against the national inventory: `khien vuln import` (NVD and KEV, incremental),
# `khien vuln show`, and GET /api/v1/vulns/{cve} and /api/v1/exposure on the running server.
source "$(dirname "$0")/lib/common.bash"

require_corpus vuln
DATA=$WORK/data
NVD=$CORPUS/vuln/nvd/nvd-api2-CVE-2021-44228-excerpt.json
KEV=$CORPUS/vuln/kev/known_exploited_vulnerabilities.json

"$KHIEN" vuln import --data "$DATA" "$NVD" "$KEV" > "$WORK/import.json"
python3 - "$WORK/import.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert [(x["records"], x["added"], x["rejected"]) for x in r] == [(1, 1, 0), (1404, 1404, 0)], r
PY
"$KHIEN" vuln import --data "$DATA" "$KEV" > "$WORK/again.json"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))[0]; assert (r["added"], r["changed"], r["unchanged"]) == (0, 0, 1404), r' "$WORK/again.json"
pass "NVD and KEV import; a re-import changes nothing"

"$KHIEN" vuln show CVE-2021-44228 --data "$DATA" > "$WORK/show.json"
python3 - "$WORK/show.json" "$KHIEN_SOURCE_DIR/data/registry/systems.yaml" <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1]))
assert d["kev"] is True and d["priority"] >= 60, d["priority"]
exposed = {s["system"] for s in d["exposure"]["systems"]}
# Every shipped system carrying log4j 2.14.1 is exposed; none with a fixed version is.
text = open(sys.argv[2]).read()
systems = re.split(r"\n  - id: ", text)
vulnerable = {s.split("\n")[0].strip() for s in systems if "log4j:2.14.1" in s}
assert vulnerable and vulnerable <= exposed, (vulnerable, exposed)
for s in d["exposure"]["systems"]:
    assert any(":log4j:2.1" in c or ":log4j:2.0" in c for c in s["vulnerable_cpes"]), s
print("exposed", sorted(exposed))
PY
pass "Log4Shell exposure names exactly the inventory's vulnerable log4j systems"

start_khien "$DATA"
v=$(api GET /api/v1/vulns/CVE-2021-44228)
[ "$(json_get "$v" 'd["id"]')" = CVE-2021-44228 ] || fail "GET vulns: $v"
code=$(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "http://$HTTP/api/v1/vulns/CVE-1999-0001")
[ "$code" = 404 ] || fail "unknown CVE answered $code"
e=$(api GET '/api/v1/exposure?sector=nang-luong&min_priority=50')
json_get "$e" '[v["id"] for v in d["vulnerabilities"]]' | grep -q CVE-2021-44228 || fail "exposure: $e"
pass "GET /api/v1/vulns/{cve} and /api/v1/exposure"
