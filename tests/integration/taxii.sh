#!/usr/bin/env bash
# TAXII 2.1 with curl against `khien serve`: discovery, API root, collections, POST of an
# envelope with its status, GET back with added_after and next pagination, manifest, versions,
# and the TAXII error messages for wrong media types and missing credentials.
source "$(dirname "$0")/lib/common.bash"

MEDIA='application/taxii+json;version=2.1'
DATA=$WORK/data
start_khien "$DATA"

# taxii METHOD PATH [curl args...]: prints the body, then the status code on the last line.
taxii() {
  local method=$1 path=$2; shift 2
  curl -sS -X "$method" -H "Authorization: Bearer $TOKEN" -H "Accept: $MEDIA" -D "$WORK/headers" -w '\n%{http_code}' "$@" "http://$HTTP$path"
}
body() { sed '$d' <<<"$1"; }
status() { tail -1 <<<"$1"; }
header() { grep -i "^$1:" "$WORK/headers" | tail -1 | cut -d' ' -f2- | tr -d '\r'; }

# 1. Discovery and API root.
answer=$(taxii GET /taxii2/)
[ "$(status "$answer")" = 200 ] || fail "discovery: $answer"
[ "$(header Content-Type)" = "$MEDIA" ] || fail "discovery content type: $(header Content-Type)"
root_url=$(json_get "$(body "$answer")" 'd["api_roots"][0]')
root=${root_url#*://*/}        # taxii2/NAME/
root=/${root}
answer=$(taxii GET "$root")
[ "$(status "$answer")" = 200 ] || fail "API root $root: $answer"
json_get "$(body "$answer")" 'd["versions"]' | grep -q "taxii+json;version=2.1" || fail "API root versions: $answer"
pass "discovery lists $root_url; the API root answers in $MEDIA"

# 2. Collections: pick one that is readable and writable.
answer=$(taxii GET "${root}collections/")
[ "$(status "$answer")" = 200 ] || fail "collections: $answer"
collection=$(json_get "$(body "$answer")" '[c["id"] for c in d["collections"] if c["can_read"] and c["can_write"]][0]')
objects="${root}collections/$collection/objects/"
answer=$(taxii GET "${root}collections/$collection/")
[ "$(json_get "$(body "$answer")" 'd["id"]')" = "$collection" ] || fail "collection: $answer"
pass "collections list and collection $collection"

# 3. POST an envelope of three indicators (TLP:CLEAR) and read its status.
python3 - "$WORK/envelope.json" <<'PY'
import json, sys, uuid
objs = []
for i in range(3):
    objs.append({"type": "indicator", "spec_version": "2.1", "id": f"indicator--{uuid.UUID(int=0x4000_8000_0000_0000_0000 + i + 1, version=4)}",
                 "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z", "pattern_type": "stix",
                 "pattern": f"[domain-name:value = 'evil{i}.example.vn']", "valid_from": "2026-01-01T00:00:00Z",
                 "object_marking_refs": ["marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"]})
json.dump({"objects": objs}, open(sys.argv[1], "w"))
PY
before=$(date -u +%Y-%m-%dT%H:%M:%S.000000Z)
sleep 0.01
answer=$(taxii POST "$objects" -H "Content-Type: $MEDIA" --data-binary @"$WORK/envelope.json")
[ "$(status "$answer")" = 202 ] || fail "POST objects: $answer"
[ "$(json_get "$(body "$answer")" 'd["success_count"]')" = 3 ] || fail "status: $answer"
status_id=$(json_get "$(body "$answer")" 'd["id"]')
answer=$(taxii GET "${root}status/$status_id/")
[ "$(json_get "$(body "$answer")" 'd["status"]')" = complete ] || fail "status resource: $answer"
pass "POST of an envelope: 202 and a complete status resource"

# 4. GET them back with added_after, two per page, following next.
answer=$(taxii GET "$objects?added_after=$before&limit=2")
[ "$(status "$answer")" = 200 ] || fail "GET objects: $answer"
[ "$(json_get "$(body "$answer")" 'len(d["objects"])')" = 2 ] || fail "first page: $answer"
[ "$(json_get "$(body "$answer")" 'd["more"]')" = True ] || fail "first page more: $answer"
[ -n "$(header X-TAXII-Date-Added-First)" ] && [ -n "$(header X-TAXII-Date-Added-Last)" ] || fail "date-added headers missing"
next=$(json_get "$(body "$answer")" 'd["next"]')
answer=$(taxii GET "$objects?added_after=$before&limit=2&next=$next")
[ "$(json_get "$(body "$answer")" 'len(d["objects"])')" = 1 ] || fail "second page: $answer"
[ "$(json_get "$(body "$answer")" 'd["more"]')" = False ] || fail "second page more: $answer"
id=$(json_get "$(body "$answer")" 'd["objects"][0]["id"]')
answer=$(taxii GET "$objects$id/versions/")
[ "$(json_get "$(body "$answer")" 'd["versions"]')" = "['2026-01-01T00:00:00.000Z']" ] || fail "versions: $answer"
answer=$(taxii GET "${root}collections/$collection/manifest/?added_after=$before")
[ "$(json_get "$(body "$answer")" 'len(d["objects"])')" = 3 ] || fail "manifest: $answer"
pass "added_after, limit and next pagination, versions and manifest"

# 5. Errors: wrong Accept (406), wrong Content-Type (415), invalid object (422), no credentials (401).
code=$(curl -sS -o "$WORK/out" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" -H 'Accept: application/json' "http://$HTTP$objects")
[ "$code" = 406 ] && [ "$(json_get "$(cat "$WORK/out")" 'd["http_status"]')" = 406 ] || fail "wrong Accept: $code $(cat "$WORK/out")"
code=$(curl -sS -o "$WORK/out" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" -H "Accept: $MEDIA" -H 'Content-Type: application/json' \
  --data-binary @"$WORK/envelope.json" "http://$HTTP$objects")
[ "$code" = 415 ] && json_get "$(cat "$WORK/out")" 'd["title"]' >/dev/null || fail "wrong Content-Type: $code $(cat "$WORK/out")"
code=$(curl -sS -o "$WORK/out" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" -H "Accept: $MEDIA" -H "Content-Type: $MEDIA" \
  --data-binary '{"objects":[{"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-0000000000ff","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z"}]}' \
  "http://$HTTP$objects")
[ "$code" = 422 ] && grep -q "indicator--00000000-0000-4000-8000-0000000000ff" "$WORK/out" || fail "invalid object: $code $(cat "$WORK/out")"
code=$(curl -sS -o "$WORK/out" -w '%{http_code}' -H "Accept: $MEDIA" "http://$HTTP$objects")
[ "$code" = 401 ] || fail "no credentials: $code"
pass "406, 415, 422 and 401 answered with TAXII error messages"

# 6. HTTP Basic, as TAXII clients send it: any user name, an API key (or the administrator token)
# as password, with that key's user's rights.
printf 'taxii-pass-0001\n' >"$WORK/pw"
"$KHIEN" user add t.isp --role isp-consumer --password-file "$WORK/pw" --data "$DATA" >/dev/null || fail "user add t.isp"
ISP_KEY=$("$KHIEN" user key t.isp --name taxii --data "$DATA" 2>/dev/null) || fail "user key t.isp"
basic() { curl -sS -u "$1" -H "Accept: $MEDIA" -w '\n%{http_code}' "http://$HTTP${root}collections/"; }
answer=$(basic "t.isp:$ISP_KEY")
[ "$(status "$answer")" = 200 ] || fail "Basic with an API key: $answer"
[ "$(json_get "$(body "$answer")" 'any(c["can_write"] for c in d["collections"])')" = False ] ||
  fail "an isp-consumer may write over Basic: $answer"
answer=$(basic "feed-reader:$TOKEN")
[ "$(status "$answer")" = 200 ] || fail "Basic with the administrator token: $answer"
[ "$(json_get "$(body "$answer")" 'any(c["can_write"] for c in d["collections"])')" = True ] || fail "admin cannot write over Basic: $answer"
[ "$(status "$(basic "t.isp:taxii-pass-0001")")" = 401 ] || fail "a login password must not pass as a TAXII credential"
[ "$(status "$(basic "t.isp:${ISP_KEY}x")")" = 401 ] || fail "a wrong key must be refused"
pass "HTTP Basic: an isp-consumer's API key reads without write rights, the administrator token writes, others 401"
