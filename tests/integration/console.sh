#!/usr/bin/env bash
# The operations console in headless Chromium against `khien demo` (the simulator feeding it): a
# national analyst sees the overview filled, opens a warning, opens and assigns an incident; the
# assigned organisation's user sees only its own data and its own view of the warnings, acts on a
# directive and sees its score and rank change. Script in a text field is shown as text. Screenshots go to build/console-screenshots/.
source "$(dirname "$0")/lib/common.bash"

SRC=${KHIEN_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
CHROMIUM=${KHIEN_CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || fail "$CHROMIUM not found: apt-get install -y chromium (scripts/bootstrap)"
command -v node >/dev/null || fail "node not found: apt-get install -y nodejs npm (scripts/bootstrap)"
[ -d "$SRC/web/node_modules/playwright-core" ] || fail "web/node_modules missing: run 'make web' (npm ci in web/)"

DATA=$WORK/data
ORG=evn            # the organisation whose SOC user logs in
OTHER=vietcombank  # another tenant: its incident must stay invisible to ORG's user
PW_ANALYST='analyst-pass-0001'
PW_ORG='org-soc-pass-0001'
printf '%s\n' "$PW_ANALYST" | "$KHIEN" user add an.nguyen --role national-analyst --name "Nguyễn An" --data "$DATA" >/dev/null \
  || fail "user add national-analyst"
printf '%s\n' "$PW_ORG" | "$KHIEN" user add soc.evn --role org-soc --scope "$ORG" --name "SOC EVN" --data "$DATA" >/dev/null \
  || fail "user add org-soc"

start_demo "$DATA" 300

# The console is served at / with its security headers; a missing asset is a 404, not the page.
curl -sS -D "$WORK/h" -o "$WORK/index.html" "http://$HTTP/"
head -1 "$WORK/h" | grep -q " 200" || fail "GET / did not answer 200: $(head -1 "$WORK/h") (was web/dist built before khien?)"
grep -qi "^content-security-policy: default-src 'self'.*frame-ancestors 'none'" "$WORK/h" || fail "CSP missing: $(cat "$WORK/h")"
grep -qi "^x-content-type-options: nosniff" "$WORK/h" || fail "nosniff missing"
grep -qi "^content-type: text/html" "$WORK/h" || fail "index is not text/html"
ASSET=$(grep -o '/assets/[^"]*\.js' "$WORK/index.html" | head -1)
curl -sS -D "$WORK/ha" -o /dev/null "http://$HTTP$ASSET"
grep -qi "^content-type: text/javascript" "$WORK/ha" || fail "asset content type: $(cat "$WORK/ha")"
grep -qi "^cache-control: public, max-age=31536000, immutable" "$WORK/ha" || fail "asset cache header: $(cat "$WORK/ha")"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://$HTTP/assets/..%2f..%2fadmin.token")" = 404 ] || fail "asset path traversal not refused"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://$HTTP/incidents/INC-1")" = 200 ] || fail "SPA fallback for a console page"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://$HTTP/api/v1/no-such-route")" = 404 ] || fail "unknown API path must stay a JSON 404"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://$HTTP/api/v1/ingest")" = 405 ] || fail "GET on a POST-only API route must stay a 405"
pass "console served at / (CSP, nosniff, content types, immutable assets, SPA fallback, /api untouched)"

# Cases the browser works on, made through the API with the administrator token.
XSS='<script>alert(1)</script>'
body=$(python3 -c 'import json,sys; print(json.dumps({"title": sys.argv[1], "severity": "high", "description": "Mã độc trên máy chủ " + sys.argv[1], "affected_orgs": [sys.argv[2]]}))' "$XSS" "$ORG")
INCIDENT=$(json_get "$(api POST /api/v1/incidents -H 'Content-Type: application/json' --data "$body")" 'd["id"]')
HIDDEN=$(json_get "$(api POST /api/v1/incidents -H 'Content-Type: application/json' \
  --data "{\"title\": \"Sự cố riêng của $OTHER\", \"severity\": \"medium\", \"affected_orgs\": [\"$OTHER\"]}")" 'd["id"]')
DEADLINE=$(date -u -d '+7 days' +%Y-%m-%dT%H:%M:%SZ)
DIRECTIVE=$(json_get "$(api POST /api/v1/directives -H 'Content-Type: application/json' \
  --data "{\"title\": \"Vá lỗ hổng máy chủ thư\", \"required_actions\": [\"Cập nhật bản vá\"], \"deadline\": \"$DEADLINE\", \"selector\": {\"orgs\": [\"$ORG\"]}}")" 'd["id"]')
# A directive due within the minute that ORG never acts on: once its deadline passes, its
# acknowledgement and completion are late and the directives component of ORG's score falls to 0
# (docs/COMPLIANCE.md). Acting on DIRECTIVE in time then raises it to 0.5: the ranking changes.
LATE_DEADLINE_S=$(( $(date -u +%s) + 40 ))
LATE=$(json_get "$(api POST /api/v1/directives -H 'Content-Type: application/json' \
  --data "{\"title\": \"Báo cáo khẩn tình trạng hệ thống\", \"required_actions\": [\"Gửi báo cáo\"], \"deadline\": \"$(date -u -d "@$LATE_DEADLINE_S" +%Y-%m-%dT%H:%M:%SZ)\", \"selector\": {\"orgs\": [\"$ORG\"]}}")" 'd["id"]')
api POST /api/v1/compliance/snapshot >/dev/null
[ -n "$INCIDENT" ] && [ -n "$HIDDEN" ] && [ -n "$DIRECTIVE" ] && [ -n "$LATE" ] || fail "could not create the incidents and directives"

mkdir -p "$SRC/build/console-screenshots"
KHIEN_URL="http://$HTTP" KHIEN_SOURCE_DIR="$SRC" KHIEN_CHROMIUM="$CHROMIUM" SHOTS="$SRC/build/console-screenshots" \
  ANALYST=an.nguyen ANALYST_PW="$PW_ANALYST" ORG_USER=soc.evn ORG_PW="$PW_ORG" ORG="$ORG" OTHER="$OTHER" \
  INCIDENT="$INCIDENT" HIDDEN="$HIDDEN" DIRECTIVE="$DIRECTIVE" LATE="$LATE" TOKEN="$TOKEN" LATE_DEADLINE_MS="${LATE_DEADLINE_S}000" XSS="$XSS" WARNING_BUDGET_S="${WARNING_BUDGET_S:-60}" \
  node "$(dirname "$0")/console/console_e2e.mjs" || fail "console end-to-end script"

# What the browser did is in the store.
incident=$(api GET "/api/v1/incidents/$INCIDENT")
[ "$(json_get "$incident" 'd["assignee"]')" = "$ORG" ] || fail "incident not assigned to $ORG: $incident"
target=$(api GET "/api/v1/directives/$DIRECTIVE")
json_get "$target" "[t for t in d['target_progress'] if t['org'] == '$ORG'][0]['acknowledged_at']" | grep -qv '^0$' \
  || fail "directive not acknowledged by $ORG: $target"
json_get "$target" "[t for t in d['target_progress'] if t['org'] == '$ORG'][0]['completed_at']" | grep -qv '^0$' \
  || fail "directive not completed by $ORG: $target"
pass "the assignment, the acknowledgement and the completion made in the browser are stored"
