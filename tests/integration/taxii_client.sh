#!/usr/bin/env bash
# TAXII 2.1 client against a real khien TAXII server: server A holds indicators (POSTed with
# curl); server B polls A's collection from its config ([[taxii_feeds]], limit 2, interval 1 s)
# and receives every object, rebuilding its matcher at once, then only the new ones (added_after
# bookmark); `khien intel poll` does the same once into a third data directory, over several pages.
source "$(dirname "$0")/lib/common.bash"
source "$(dirname "$0")/lib/intel_export.bash"

# Server A.
start_khien "$WORK/a"
A_HTTP=$HTTP
A_TOKEN=$TOKEN
A_OBJECTS=$(taxii_objects_path)
A_ROOT=${A_OBJECTS%collections/*}
A_COLLECTION=$(basename "${A_OBJECTS%/objects/}")
indicators_envelope "$WORK/first.json" a1.test.vn:green:live a2.test.vn:green:live a3.test.vn:amber:live \
  a4.test.vn:green:live a5.test.vn:clear:live
post_envelope "$WORK/first.json"
pass "server A holds 5 indicators in collection $A_COLLECTION"

# Server B polls A.
cat >"$WORK/b.toml" <<CONF
[intel]
rebuild_seconds = 3600

[[taxii_feeds]]
url = "http://$A_HTTP$A_ROOT"
collection = "$A_COLLECTION"
token = "$A_TOKEN"
interval = 1
limit = 2
source = "server-a"
tlp = "green"
CONF
"$KHIEN" serve --config "$WORK/b.toml" --data "$WORK/b" --http 127.0.0.1:0 --syslog-udp off --syslog-tcp off >"$WORK/b.log" 2>&1 &
EXTRA_PIDS+=($!)
for _ in $(seq 1 200); do grep -q "administrator token" "$WORK/b.log" && break; sleep 0.1; done
B_HTTP=$(grep -o 'http listening on http://[0-9.:]*' "$WORK/b.log" | sed 's/.*http:\/\///')
[ -n "$B_HTTP" ] || fail "server B did not start: $(cat "$WORK/b.log")"
B_TOKEN=$(cat "$WORK/b/admin.token")
feeds() { curl -sS -H "Authorization: Bearer $B_TOKEN" "http://$B_HTTP/api/v1/intel/feeds"; }
b_count() {
  local out
  out=$(curl -sS -H "Authorization: Bearer $B_TOKEN" -H "Accept: $TAXII_MEDIA" "http://$B_HTTP$A_ROOT""collections/$A_COLLECTION/objects/")
  json_get "$out" 'len(d.get("objects", []))'
}
wait_added() {
  for _ in $(seq 1 100); do
    [ "$(json_get "$(feeds)" 'd["feeds"][0]["added"]')" = "$1" ] && return 0
    sleep 0.1
  done
  fail "server B added $(json_get "$(feeds)" 'd["feeds"][0]["added"]') objects, expected $1: $(feeds)"
}
wait_added 5
[ "$(b_count)" = 5 ] || fail "server B holds $(b_count) objects, expected 5"
[ "$(json_get "$(feeds)" 'd["feeds"][0]["failures"]')" = 0 ] || fail "poll failures: $(feeds)"
pass "server B polled A from its config and holds all 5 objects"

# The poll rebuilt B's matcher at once (the periodic rebuild is an hour away).
intel_status() { curl -sS -H "Authorization: Bearer $B_TOKEN" "http://$B_HTTP/api/v1/intel/status"; }
for _ in $(seq 1 100); do [ "$(json_get "$(intel_status)" 'd["indicators"]')" = 5 ] && break; sleep 0.1; done
[ "$(json_get "$(intel_status)" 'd["indicators"]')" = 5 ] || fail "B's matcher was not rebuilt after the poll: $(intel_status)"
pass "the poll that added objects rebuilt B's matcher at once: $(json_get "$(intel_status)" 'd["compiled_indicators"]') indicators compiled"

# Later polls ask only for what was added after the bookmark.
polls=$(json_get "$(feeds)" 'd["feeds"][0]["polls"]')
for _ in $(seq 1 50); do [ "$(json_get "$(feeds)" 'd["feeds"][0]["polls"]')" -gt "$((polls + 1))" ] && break; sleep 0.1; done
report=$(feeds)
[ "$(json_get "$report" 'd["feeds"][0]["last_report"]["objects"]')" = 0 ] || fail "a poll with nothing new received objects: $report"
[ -n "$(json_get "$report" 'd["feeds"][0]["bookmark"]')" ] || fail "no bookmark: $report"
indicators_envelope "$WORK/second.json" b1.test.vn:green:live b2.test.vn:green:live b3.test.vn:green:live
post_envelope "$WORK/second.json"
wait_added 8
[ "$(b_count)" = 8 ] || fail "server B holds $(b_count) objects, expected 8"
report=$(feeds)
[ "$(json_get "$report" 'd["feeds"][0]["rejected_pages"]')" = 0 ] || fail "rejected envelopes: $report"
pass "3 new objects on A reached B; polls in between received nothing (bookmark $(json_get "$report" 'd["feeds"][0]["bookmark"]'))"

# Exports on B carry what came from A, under TLP: the amber one stays out of the default list.
list=$(curl -sS -H "Authorization: Bearer $B_TOKEN" "http://$B_HTTP/api/v1/export/blocklist?type=domain")
grep -qx a1.test.vn <<<"$list" && grep -qx b3.test.vn <<<"$list" || fail "B's blocklist: $list"
! grep -qx a3.test.vn <<<"$list" || fail "TLP:AMBER indicator in the default (GREEN) blocklist: $list"
list=$(curl -sS -H "Authorization: Bearer $B_TOKEN" "http://$B_HTTP/api/v1/export/blocklist?type=domain&max_tlp=amber")
grep -qx a3.test.vn <<<"$list" || fail "max_tlp=amber blocklist: $list"
bundle=$(curl -sS -H "Authorization: Bearer $B_TOKEN" "http://$B_HTTP/api/v1/export/stix?max_tlp=amber")
[ "$(json_get "$bundle" 'len([o for o in d["objects"] if o["type"] == "indicator"])')" = 8 ] || fail "B's STIX export: $bundle"
pass "B exports A's indicators: domain blocklist under TLP:GREEN by default, 8 in the TLP:AMBER STIX bundle"

# One-shot CLI poll, two objects a page: every object over four pages, then nothing new.
"$KHIEN" intel poll "http://$A_HTTP$A_ROOT" --collection "$A_COLLECTION" --token "$A_TOKEN" --limit 2 --data "$WORK/c" \
  >"$WORK/poll1.json" || fail "khien intel poll: $(cat "$WORK/poll1.json")"
out=$(cat "$WORK/poll1.json")
[ "$(json_get "$out" 'd["added"]')" = 8 ] && [ "$(json_get "$out" 'd["pages"]')" = 4 ] || fail "first CLI poll: $out"
"$KHIEN" intel poll "http://$A_HTTP$A_ROOT" --collection "$A_COLLECTION" --token "$A_TOKEN" --limit 2 --data "$WORK/c" >"$WORK/poll2.json"
out=$(cat "$WORK/poll2.json")
[ "$(json_get "$out" 'd["objects"]')" = 0 ] || fail "second CLI poll fetched again: $out"
code=0
"$KHIEN" intel poll "http://$A_HTTP$A_ROOT" --collection "$A_COLLECTION" --token wrong --data "$WORK/c" 2>"$WORK/poll3.err" || code=$?
[ "$code" = 1 ] && grep -q "HTTP 401" "$WORK/poll3.err" || fail "bad token: exit $code, $(cat "$WORK/poll3.err")"
pass "khien intel poll: 8 objects over 4 pages, then none (bookmark); a wrong token reports HTTP 401"
