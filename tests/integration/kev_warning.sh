#!/usr/bin/env bash
# A KEV update naming a CVE that reaches the national inventory raises one national warning and one
# draft directive naming exactly the exposed organisations; re-importing changes nothing; the
# national centre approves the draft and the directive reaches exactly those organisations.
source "$(dirname "$0")/lib/common.bash"

require_corpus vuln
DATA=$WORK/data
NVD=$CORPUS/vuln/nvd/nvd-api2-CVE-2021-44228-excerpt.json
KEV=$CORPUS/vuln/kev/known_exploited_vulnerabilities.json

# Yesterday's catalogue: the same file without Log4Shell.
python3 - "$KEV" "$WORK/kev-before.json" <<'PY'
import json, sys
k = json.load(open(sys.argv[1]))
k["vulnerabilities"] = [v for v in k["vulnerabilities"] if v["cveID"] != "CVE-2021-44228"]
k["count"] = len(k["vulnerabilities"])
json.dump(k, open(sys.argv[2], "w"))
PY
"$KHIEN" vuln import --data "$DATA" "$NVD" "$WORK/kev-before.json" >/dev/null
start_khien "$DATA"

# The exposure the warning must name.
expected=$(json_get "$(api GET /api/v1/vulns/CVE-2021-44228)" 'sorted(d["exposure"]["organisations"])')
[ "$expected" != "[]" ] || fail "no exposure for Log4Shell in the shipped inventory"

r=$(api POST '/api/v1/vulns/import?name=kev.json' --data-binary @"$KEV")
[ "$(json_get "$r" '(d["added"], d["wide_scale"])')" = "(1, ['CVE-2021-44228'])" ] || fail "KEV update: $r"

w=$(api GET '/api/v1/warnings?kind=vulnerability')
[ "$(json_get "$w" 'len(d["warnings"])')" = 1 ] || fail "expected one vulnerability warning: $w"
[ "$(json_get "$w" 'd["warnings"][0]["key"]')" = CVE-2021-44228 ] || fail "warning key: $w"
[ "$(json_get "$w" 'sorted(o["org"] for o in d["warnings"][0]["organisations"])')" = "$expected" ] || fail "warning organisations: $w (expected $expected)"
pass "a KEV update raises one national warning naming exactly the exposed organisations"

drafts=$(api GET '/api/v1/directive-drafts?state=pending')
[ "$(json_get "$drafts" 'len(d["drafts"])')" = 1 ] || fail "expected one draft: $drafts"
[ "$(json_get "$drafts" 'sorted(d["drafts"][0]["orgs"])')" = "$expected" ] || fail "draft targets: $drafts"
[ "$(json_get "$drafts" 'd["drafts"][0]["ref"]')" = CVE-2021-44228 ] || fail "draft ref: $drafts"
DRAFT=$(json_get "$drafts" 'd["drafts"][0]["id"]')
pass "and one draft directive for exactly those organisations"

r=$(api POST '/api/v1/vulns/import?name=kev.json' --data-binary @"$KEV")
[ "$(json_get "$r" '(d["added"], d["wide_scale"])')" = "(0, [])" ] || fail "re-import: $r"
[ "$(json_get "$(api GET '/api/v1/warnings?kind=vulnerability')" 'len(d["warnings"])')" = 1 ] || fail "re-import raised another warning"
[ "$(json_get "$(api GET '/api/v1/directive-drafts')" 'len(d["drafts"])')" = 1 ] || fail "re-import drafted again"
pass "re-importing the same catalogue raises nothing new"

a=$(api POST "/api/v1/directive-drafts/$DRAFT/approve")
[ "$(json_get "$a" 'd["state"]')" = approved ] || fail "approve: $a"
DIRECTIVE=$(json_get "$a" 'd["directive_id"]')
dv=$(api GET "/api/v1/directives/$DIRECTIVE")
[ "$(json_get "$dv" 'sorted(d.get("targets") or [t["org"] for t in d.get("target_status", [])])')" = "$expected" ] || fail "directive targets: $dv"
code=$(curl -sS -o "$WORK/again.json" -w '%{http_code}' -X POST -H "Authorization: Bearer $TOKEN" "http://$HTTP/api/v1/directive-drafts/$DRAFT/approve")
[ "$code" = 409 ] && grep -q 'already approved' "$WORK/again.json" || fail "second approval answered $code: $(cat "$WORK/again.json")"
code=$(curl -sS -o /dev/null -w '%{http_code}' -X POST "http://$HTTP/api/v1/directive-drafts/$DRAFT/approve")
[ "$code" = 401 ] || fail "approval without credentials answered $code"
api GET '/api/v1/audit?limit=500' | grep -q '"directive_draft.approve"' || fail "the approval is not in the audit log"
pass "approving the draft issues the directive to exactly those organisations, once"
