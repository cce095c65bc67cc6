#!/usr/bin/env bash
# Sigma on the live stream: khien serve loads SigmaHQ's process-creation rules, a Sysmon event
# from SigmaHQ's regression data is ingested over HTTP, and the matching rule's alert appears in
# /api/v1/alerts with its level and ATT&CK tags. Also `khien rules check` and `khien rules test`.
source "$(dirname "$0")/lib/common.bash"

require_corpus sigma/regression_data/rules/windows/process_creation/proc_creation_win_bitsadmin_download_susp_extensions
CASE=$CORPUS/sigma/regression_data/rules/windows/process_creation/proc_creation_win_bitsadmin_download_susp_extensions
RULE_ID=5b80a791-ad9b-4b75-bcc1-ad4e1e89c200

# rules check: counts and exit status; a broken rule is reported with file and line.
mkdir -p "$WORK/rules"
cp "$CORPUS"/sigma/rules/windows/process_creation/proc_creation_win_bitsadmin_download*.yml "$WORK/rules/"
printf 'title: broken\nlogsource: {product: windows}\ndetection:\n  sel:\n    Image|nosuchmodifier: x\n  condition: sel\n' > "$WORK/rules/broken.yml"
if "$KHIEN" rules check "$WORK/rules" > "$WORK/check.txt" 2>&1; then fail "rules check passed a broken rule"; fi
grep -q "broken.yml:[0-9]" "$WORK/check.txt" || fail "rules check did not name the file and line: $(cat "$WORK/check.txt")"
rm "$WORK/rules/broken.yml"
"$KHIEN" rules check "$WORK/rules" > "$WORK/check.txt" 2>&1 || fail "rules check failed: $(cat "$WORK/check.txt")"
pass "rules check reports failures with file and line, and exits non-zero only on failures"

# rules test on the regression sample (evtx-dump JSON).
"$KHIEN" rules test "$WORK/rules" "$CASE/$RULE_ID.json" --format winlog > "$WORK/matches.ndjson"
grep -q "\"rule_id\":\"$RULE_ID\"" "$WORK/matches.ndjson" || fail "rules test: $(cat "$WORK/matches.ndjson")"
pass "rules test matches the regression sample"

# Live: the server runs the rules on ingested events.
cat > "$WORK/khien.toml" <<TOML
[detect]
sigma_rules = "$WORK/rules"
TOML
DATA=$WORK/data
KEY=$("$KHIEN" soc add --data "$DATA" --org bo-tai-chinh --id soc-test-sigma --name "Sigma test SOC" | python3 -c 'import json,sys; print(json.load(sys.stdin)["api_key"])')
start_khien "$DATA" --config "$WORK/khien.toml"
python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))))' "$CASE/$RULE_ID.json" > "$WORK/event.ndjson" \
  || python3 -c '
import json, sys
text = open(sys.argv[1]).read()
dec = json.JSONDecoder(); i = 0
while i < len(text):
    while i < len(text) and text[i].isspace(): i += 1
    if i >= len(text): break
    obj, i = dec.raw_decode(text, i)
    print(json.dumps(obj))' "$CASE/$RULE_ID.json" > "$WORK/event.ndjson"
answer=$(curl -sS -H "Authorization: Bearer $KEY" --data-binary @"$WORK/event.ndjson" "http://$HTTP/api/v1/ingest?format=winlog")
[ "$(json_get "$answer" 'd["rejected"]')" = 0 ] || fail "ingest: $answer"
for _ in $(seq 1 100); do
  alerts=$(api GET "/api/v1/alerts?kind=sigma&rule=$RULE_ID")
  [ "$(json_get "$alerts" 'd["total"]')" -ge 1 ] && break
  sleep 0.1
done
[ "$(json_get "$alerts" 'd["total"]')" -ge 1 ] || fail "no Sigma alert: $alerts"
[ "$(json_get "$alerts" 'd["alerts"][0]["org"]')" = bo-tai-chinh ] || fail "alert org: $alerts"
json_get "$alerts" 'd["alerts"][0]["tags"]' | grep -q "T1197" || fail "ATT&CK tags: $alerts"
[ "$(json_get "$alerts" 'd["alerts"][0]["level"]')" != "" ] || fail "level: $alerts"
[ "$(json_get "$alerts" 'd["alerts"][0]["event"]["khien.soc"]')" = soc-test-sigma ] || fail "event: $alerts"
pass "a Sigma match on ingested events becomes an alert with rule id, level, ATT&CK tags and the event"
