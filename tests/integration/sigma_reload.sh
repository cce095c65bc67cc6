#!/usr/bin/env bash
# Sigma hot reload and live correlations: khien serve watches a rule directory in the test's temp
# dir; an event no rule matches raises nothing, a rule file dropped into the directory makes the
# same event raise an alert without a restart, a broken file is reported in /api/v1/rules/status
# while the rest load, and an event_count correlation over three events of one source raises one
# sigma-correlation alert.
source "$(dirname "$0")/lib/common.bash"

RULES=$WORK/rules
mkdir -p "$RULES"
cat > "$WORK/khien.toml" <<TOML
[detect]
sigma_rules = "$RULES"
reload_seconds = 1
TOML
DATA=$WORK/data
KEY=$("$KHIEN" soc add --data "$DATA" --org bo-tai-chinh --id soc-test-reload --name "Reload test SOC" | python3 -c 'import json,sys; print(json.load(sys.stdin)["api_key"])')
start_khien "$DATA" --config "$WORK/khien.toml"

# ingest N: sends N copies of a connection from 198.51.100.77 to port 31337 (OCSF, time now).
ingest() {
  local n=$1 now
  now=$(python3 -c 'import time; print(int(time.time()*1000))')
  : > "$WORK/events.ndjson"
  for _ in $(seq 1 "$n"); do
    printf '{"class_uid":4001,"time":%s,"src_endpoint":{"ip":"198.51.100.77"},"dst_endpoint":{"ip":"10.20.30.40","port":31337}}\n' "$now" >> "$WORK/events.ndjson"
  done
  local answer
  answer=$(curl -sS -H "Authorization: Bearer $KEY" --data-binary @"$WORK/events.ndjson" "http://$HTTP/api/v1/ingest?format=ocsf")
  [ "$(json_get "$answer" 'd["rejected"]')" = 0 ] || fail "ingest: $answer"
}
# alerts_total KIND RULE: alerts of that kind and rule id.
alerts_total() { json_get "$(api GET "/api/v1/alerts?kind=$1&rule=$2")" 'd["total"]'; }
# wait_processed N: waits until N events are stored.
wait_processed() { wait_for_total "soc=soc-test-reload" "$1"; }

status=$(api GET /api/v1/rules/status)
[ "$(json_get "$status" 'd["version"]')" = 1 ] || fail "status at start: $status"
code=$(curl -sS -o /dev/null -w '%{http_code}' "http://$HTTP/api/v1/rules/status")
[ "$code" = 401 ] || fail "status without credentials answered $code"
pass "rules status: version 1 at start; refused without credentials"

ingest 1
wait_processed 1
sleep 0.5
[ "$(alerts_total sigma khien-test-port-31337)" = 0 ] || fail "an alert before the rule existed"
pass "an event no rule matches raises no alert"

cat > "$RULES/port.yml" <<'YAML'
title: Connection To Port 31337
id: khien-test-port-31337
name: khien_test_port_31337
status: test
logsource:
    product: khien
    category: network
detection:
    selection:
        dst_endpoint.port: 31337
    condition: selection
level: high
tags:
    - attack.t1571
YAML
printf 'title: broken\nlogsource: {product: khien}\ndetection:\n  sel:\n    dst_endpoint.port|nosuchmodifier: 1\n  condition: sel\n' > "$RULES/broken.yml"
for _ in $(seq 1 50); do
  status=$(api GET /api/v1/rules/status)
  [ "$(json_get "$status" 'd["version"]')" -ge 2 ] && break
  sleep 0.1
done
[ "$(json_get "$status" 'd["version"]')" -ge 2 ] || fail "the watcher did not reload within 5 s: $status"
json_get "$status" 'd["failures"]' | grep -q "broken.yml" || fail "broken rule not reported: $status"
[ "$(json_get "$status" '[f["line"] for f in d["failures"] if f["file"].endswith("broken.yml")][0] > 0')" = True ] \
  || fail "broken rule reported without a line: $status"
pass "the watcher recompiled the directory; the broken file is reported with file and line while the rest load"

ingest 1
wait_processed 2
for _ in $(seq 1 50); do [ "$(alerts_total sigma khien-test-port-31337)" -ge 1 ] && break; sleep 0.1; done
[ "$(alerts_total sigma khien-test-port-31337)" = 1 ] || fail "no alert after the rule was added: $(api GET '/api/v1/alerts?kind=sigma')"
pass "the same event raises an alert once the rule file is in the directory (no restart)"

cat > "$RULES/burst.yml" <<'YAML'
title: Burst Of Port 31337 Connections
id: khien-test-burst-31337
status: test
correlation:
    type: event_count
    rules:
        - khien_test_port_31337
    group-by:
        - src_endpoint.ip
    timespan: 1m
    condition:
        gte: 3
level: critical
YAML
# A forced reload answers with the new status at once.
status=$(api POST /api/v1/rules/reload)
[ "$(json_get "$status" 'd["correlations"] >= 1 and d["last_ok"]')" = True ] || fail "reload: $status"
code=$(curl -sS -o /dev/null -w '%{http_code}' -X POST "http://$HTTP/api/v1/rules/reload")
[ "$code" = 401 ] || fail "reload without credentials answered $code"
pass "POST /api/v1/rules/reload loads the correlation rule"

ingest 3
wait_processed 5
for _ in $(seq 1 50); do [ "$(alerts_total sigma-correlation khien-test-burst-31337)" -ge 1 ] && break; sleep 0.1; done
sleep 0.3
alerts=$(api GET "/api/v1/alerts?kind=sigma-correlation&rule=khien-test-burst-31337")
[ "$(json_get "$alerts" 'd["total"]')" = 1 ] || fail "expected one correlation alert: $alerts"
[ "$(json_get "$alerts" 'd["alerts"][0]["matched"]')" = 198.51.100.77 ] || fail "group-by value: $alerts"
[ "$(json_get "$alerts" 'd["alerts"][0]["level"]')" = critical ] || fail "level: $alerts"
# The correlation names the base rule without `generate: true`: its hits now feed the correlation only.
[ "$(alerts_total sigma khien-test-port-31337)" = 1 ] || fail "base rule alerts: $(alerts_total sigma khien-test-port-31337)"
pass "three matching events from one source raise one sigma-correlation alert with the group-by value"

# A directory that disappears keeps the running set.
mv "$RULES" "$WORK/rules.gone"
status=$(api POST /api/v1/rules/reload)
[ "$(json_get "$status" 'd["last_ok"]')" = False ] || fail "reload of a missing directory: $status"
[ "$(json_get "$status" 'd["correlations"] >= 1')" = True ] || fail "the old set was dropped: $status"
pass "a reload that fails entirely keeps the old rule set"
