#!/usr/bin/env bash
# An incident's whole life through the HTTP API: an EVE alert from EVN's SOC trips the shipped Sigma rule
# "High-Severity IDS Alert at a Critical-Sector Organisation"; the alert becomes an incident whose
# affected organisation is EVN; it is triaged and assigned to EVN, misses its containment and then its
# resolution deadline (the test moves the clock with X-Khien-Now, honoured because the config sets
# [cases] clock_override = true) and escalates to the energy sector CERT, then to the national centre;
# it gets a comment and evidence (bad files refused, nothing half-written), is resolved and closed.
# Also: illegal transitions, unknown references, the CSV/JSON lists and the situation report.
source "$(dirname "$0")/lib/common.bash"

RULE_ID=2f0c5d0e-6b1a-4c8e-9a51-0d3f7c1b2a01
DATA=$WORK/data
cat > "$WORK/khien.toml" <<TOML
[cases]
clock_override = true
check_seconds = 1
max_evidence_bytes = 4096
TOML
KEY=$("$KHIEN" soc add --data "$DATA" --org evn --id soc-test-evn --name "EVN test SOC" | python3 -c 'import json,sys; print(json.load(sys.stdin)["api_key"])')
start_khien "$DATA" --config "$WORK/khien.toml"

# The story runs a day ahead of the real clock, so the background check (every second) never judges
# its deadlines; the second incident below is opened in the past to see that check escalate it.
BASE=$(( ($(date -u +%s) / 3600 + 24) * 3600 ))
at() { date -u -d "@$((BASE + $1))" +%Y-%m-%dT%H:%M:%SZ; }
T0=$(at 0)

# --- The alert.
echo '{"timestamp":"2026-04-20T14:55:00.000000+0700","event_type":"alert","src_ip":"203.0.113.77","src_port":40123,"dest_ip":"171.244.4.10","dest_port":443,"proto":"TCP","alert":{"action":"allowed","signature_id":2034647,"signature":"ET EXPLOIT Apache log4j RCE Attempt (jndi:ldap)","category":"Attempted Administrator Privilege Gain","severity":1}}' > "$WORK/event.ndjson"
answer=$(curl -sS -H "Authorization: Bearer $KEY" --data-binary @"$WORK/event.ndjson" "http://$HTTP/api/v1/ingest?format=eve")
[ "$(json_get "$answer" 'd["rejected"]')" = 0 ] || fail "ingest: $answer"
for _ in $(seq 1 100); do
  alerts=$(api GET "/api/v1/alerts?kind=sigma&rule=$RULE_ID")
  [ "$(json_get "$alerts" 'd["total"]')" -ge 1 ] && break
  sleep 0.1
done
[ "$(json_get "$alerts" 'd["total"]')" -ge 1 ] || fail "no alert from the shipped rule: $alerts"
ALERT=$(json_get "$alerts" 'd["alerts"][0]["id"]')
[ "$(json_get "$alerts" 'd["alerts"][0]["org"]')" = evn ] || fail "alert org: $alerts"
pass "an EVE alert from EVN's SOC raises alert $ALERT (shipped Sigma rule)"

# --- Bad openings are refused and leave nothing behind.
call_at POST /api/v1/incidents "$T0" -d '{"from_alert": 99999999}'
expect_status 404 "unknown alert"
call_at POST /api/v1/incidents "$T0" -d '{"title": "x", "category": "no.such"}'
expect_status 400 "unknown category"
call_at POST /api/v1/incidents "$T0" -d '{"title": "x", "affected_orgs": ["no-such-org"]}'
expect_status 400 "unknown organisation"
call_at POST /api/v1/incidents "$T0" -d '{"title": "x", "source": "alert", "source_ref": "424242"}'
expect_status 400 "unknown alert reference"
call_at POST /api/v1/incidents "$T0" -d 'not json'
expect_status 400 "malformed body"
call_at POST /api/v1/incidents "$T0" -H "X-Khien-Org: evn" -d '{"title": "x"}'
expect_status 400 "org header on a non-org action"
call_at GET /api/v1/incidents ""
[ "$(json_get "$BODY" 'd["total"]')" = 0 ] || fail "a refused opening left an incident: $BODY"
code=$(curl -sS -o /dev/null -w '%{http_code}' -X POST -d '{"title":"x"}' "http://$HTTP/api/v1/incidents")
[ "$code" = 401 ] || fail "no token answered $code"
pass "unknown alert (404), category, organisation, reference and malformed bodies (400), no token (401): nothing written"

# --- The incident from the alert.
call_at POST /api/v1/incidents "$T0" -d "{\"from_alert\": $ALERT}"
expect_status 201 "open from alert"
INC=$(json_get "$BODY" 'd["id"]')
python3 - "$BODY" "$ALERT" <<'PY' || fail "incident fields: $BODY"
import json, sys
d = json.loads(sys.argv[1]); alert = sys.argv[2]
assert d["affected_orgs"] == ["evn"], d["affected_orgs"]
assert d["source"] == "alert" and d["source_ref"] == alert, d
assert alert in d["links"]["alerts"], d["links"]
assert d["severity"] == "high" and d["state"] == "new", d
assert d["sectors"] == ["nang-luong"], d["sectors"]
assert d["title"] == "High-Severity IDS Alert at a Critical-Sector Organisation", d["title"]
assert "log4j RCE" in d["description"], d["description"]
assert d["timeline"][0]["kind"] == "created", d["timeline"]
PY
pass "alert $ALERT became incident $INC: EVN affected, severity high, linked to the alert"

# --- Illegal moves.
call_at POST "/api/v1/incidents/$INC/transition" "$(at 300)" -d '{"to": "closed"}'
expect_status 409 "new -> closed"
echo "$BODY" | grep -q "cannot go from new to closed" || fail "message: $BODY"
call_at POST "/api/v1/incidents/$INC/assign" "$(at 300)" -d '{"kind": "organisation", "assignee": "evn"}'
expect_status 409 "assign while new"
call_at POST "/api/v1/incidents/$INC/transition" "$(at 300)" -d '{"to": "flying"}'
expect_status 400 "unknown state"
call_at POST "/api/v1/incidents/INC-2026-999999/transition" "$(at 300)" -d '{"to": "triaged"}'
expect_status 404 "unknown incident"
pass "new -> closed and assigning an untriaged incident refused (409), unknown state (400), unknown incident (404)"

# --- Triage and assignment.
call_at POST "/api/v1/incidents/$INC/transition" "$(at 600)" -d '{"to": "triaged", "note": "confirmed exploitation attempt"}'
expect_status 200 "triage"
call_at POST "/api/v1/incidents/$INC/assign" "$(at 720)" -d '{"kind": "organisation", "assignee": "evn"}'
expect_status 200 "assign"
[ "$(json_get "$BODY" 'd["state"]')" = assigned ] && [ "$(json_get "$BODY" 'd["assignee"]')" = evn ] || fail "assign: $BODY"
call_at POST "/api/v1/incidents/$INC/assign" "$(at 780)" -d '{"kind": "sector-cert", "assignee": "evn"}'
expect_status 400 "evn is no sector CERT"
pass "triaged, assigned to EVN; assigning a non-CERT as sector CERT refused"

# --- SLA: high severity owes containment within 24 h and resolution within 72 h.
call_at POST /api/v1/incidents/sla-check "$(at 43200)"
expect_status 200 "sla check before any deadline"
[ "$(json_get "$BODY" 'len(d["sla_breaches"])')" = 0 ] || fail "early breach: $BODY"
call_at POST /api/v1/incidents/sla-check "$(at 90000)"
expect_status 200 "sla check after containment deadline"
python3 - "$BODY" "$INC" <<'PY' || fail "containment breach: $BODY"
import json, sys
d = json.loads(sys.argv[1]); inc = sys.argv[2]
b = [x for x in d["sla_breaches"] if x["incident"] == inc]
assert len(b) == 1 and b[0]["milestone"] == "containment", b
assert b[0]["escalation_level"] == 1 and b[0]["escalated_to"] == "cert-nang-luong", b
PY
call_at POST /api/v1/incidents/sla-check "$(at 91800)"
[ "$(json_get "$BODY" 'len(d["sla_breaches"])')" = 0 ] || fail "a breach escalated twice: $BODY"
call_at POST /api/v1/incidents/sla-check "$(at 262800)"
python3 - "$BODY" "$INC" <<'PY' || fail "resolution breach: $BODY"
import json, sys
d = json.loads(sys.argv[1]); inc = sys.argv[2]
b = [x for x in d["sla_breaches"] if x["incident"] == inc]
assert len(b) == 1 and b[0]["milestone"] == "resolution", b
assert b[0]["escalation_level"] == 2 and b[0]["escalated_to"] == "trung-tam-giam-sat-quoc-gia", b
PY
call_at GET "/api/v1/incidents/$INC" ""
python3 - "$BODY" <<'PY' || fail "escalation on the incident: $BODY"
import json, sys
d = json.loads(sys.argv[1])
assert d["escalation_level"] == 2 and d["escalated_to"] == "trung-tam-giam-sat-quoc-gia", d
assert sorted(d["sla"]["breached"]) == ["containment", "resolution"], d["sla"]
esc = [e for e in d["timeline"] if e["kind"] == "escalation"]
assert len(esc) == 2 and "cert-nang-luong" in esc[0]["text"], esc
PY
pass "containment breach escalated to cert-nang-luong, resolution breach to the national centre, each once"

# --- Comment and evidence.
call_at POST "/api/v1/incidents/$INC/comments" "$(at 263100)" -d '{"text": "EVN isolated the <VPN> gateway & patched log4j"}'
expect_status 201 "comment"
before=$(json_get "$(api GET "/api/v1/incidents/$INC")" 'len(d["timeline"])')
printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\1\0\0\0\1\10\6\0\0\0\x1f\x15\xc4\x89' > "$WORK/shot.png"
call_at POST "/api/v1/incidents/$INC/evidence?name=screenshot.png" "$(at 263160)" --data-binary @"$WORK/shot.png"
expect_status 201 "png evidence"
[ "$(json_get "$BODY" 'd["media_type"]')" = image/png ] || fail "media type: $BODY"
SHA=$(json_get "$BODY" 'd["sha256"]')
[ "$SHA" = "$(sha256sum "$WORK/shot.png" | cut -d' ' -f1)" ] || fail "content address: $BODY"
printf 'firewall log excerpt\n10.0.0.1 -> 203.0.113.77 blocked\n' > "$WORK/fw.txt"
call_at POST "/api/v1/incidents/$INC/evidence" "$(at 263220)" -F "file=@$WORK/fw.txt;filename=fw.txt"
expect_status 201 "multipart evidence"
[ "$(json_get "$BODY" 'd["name"]')" = fw.txt ] || fail "multipart name: $BODY"
printf 'MZ\x90\0\3\0\0\0\4\0\0\0\xff\xff' > "$WORK/tool.exe"
call_at POST "/api/v1/incidents/$INC/evidence" "$(at 263280)" -H "X-File-Name: tool.pdf" --data-binary @"$WORK/tool.exe"
expect_status 415 "disallowed type"
head -c 5000 /dev/zero | tr '\0' 'a' > "$WORK/big.txt"
call_at POST "/api/v1/incidents/$INC/evidence?name=big.txt" "$(at 263340)" --data-binary @"$WORK/big.txt"
expect_status 413 "oversized"
call_at POST "/api/v1/incidents/$INC/evidence" "$(at 263340)" --data-binary @"$WORK/fw.txt"
expect_status 400 "no file name"
after=$(json_get "$(api GET "/api/v1/incidents/$INC")" 'len(d["timeline"])')
[ "$after" = $((before + 2)) ] || fail "timeline grew by $((after - before)), expected 2 (refused files must leave nothing)"
curl -sS -H "Authorization: Bearer $TOKEN" -o "$WORK/back.png" "http://$HTTP/api/v1/incidents/$INC/evidence/$SHA"
cmp -s "$WORK/shot.png" "$WORK/back.png" || fail "evidence download differs"
pass "comment, PNG (raw body) and text (multipart) evidence stored by SHA-256; executable (415), oversized (413), unnamed (400) refused"
call_at POST "/api/v1/incidents/$INC/evidence" "$(at 263350)" -F "file=@$WORK/fw.txt;filename=../../admin.token"
expect_status 201 "evidence named with a path"
[ "$(json_get "$BODY" 'd["name"]')" = admin.token ] || fail "a path in the file name was kept: $BODY"
audit=$(api GET '/api/v1/audit?limit=1000')
json_get "$audit" "[e for e in d['entries'] if e['action'] == 'security.path_traversal' and e['actor'] == 'admin' and \"'..' component\" in e['after']['reason'] and '../../admin.token' in e['after']['reason']]" | grep -q "path_traversal" \
  || fail "the path-traversal attempt is not in the audit log"
pass "a file named ../../admin.token is stored as admin.token and the attempt is in the audit log"

call_at POST "/api/v1/incidents/$INC/links" "$(at 263400)" -d '{"kind": "cve", "ref": "CVE-2021-44228"}'
expect_status 200 "link cve"
call_at POST "/api/v1/incidents/$INC/links" "$(at 263400)" -d '{"kind": "alert", "ref": "987654321"}'
expect_status 422 "link unknown alert"
call_at POST "/api/v1/incidents/$INC/links" "$(at 263400)" -d '{"kind": "cve", "ref": "log4shell"}'
expect_status 400 "link malformed cve"
pass "links: CVE added; unknown alert (422) and malformed CVE (400) refused"

# --- Resolution and closure.
for step in contained:266400 resolved:273600 closed:345600; do
  call_at POST "/api/v1/incidents/$INC/transition" "$(at "${step#*:}")" -d "{\"to\": \"${step%%:*}\"}"
  expect_status 200 "to ${step%%:*}"
done
call_at POST "/api/v1/incidents/$INC/transition" "$(at 349200)" -d '{"to": "contained"}'
expect_status 409 "closed -> contained"
call_at GET "/api/v1/incidents?state=closed&sector=nang-luong&severity=high" ""
[ "$(json_get "$BODY" '[i["id"] for i in d["incidents"]]')" = "['$INC']" ] || fail "filtered list: $BODY"
call_at GET "/api/v1/incidents?state=closed&org=vietcombank" ""
[ "$(json_get "$BODY" 'd["total"]')" = 0 ] || fail "org filter: $BODY"
call_at GET "/api/v1/incidents?limit=1&offset=1" ""
[ "$(json_get "$BODY" 'len(d["incidents"])')" = 0 ] && [ "$(json_get "$BODY" 'd["total"]')" = 1 ] || fail "paging: $BODY"
pass "contained, resolved, closed; closed -> contained refused; list filters and paging"

# --- Audit and reports.
call_at GET "/api/v1/audit?object_type=incident&object_id=$INC&limit=100" ""
python3 - "$BODY" <<'PY' || fail "audit: $BODY"
import json, sys
d = json.loads(sys.argv[1])
actions = [e["action"] for e in d["entries"]]
for a in ["incident.open", "incident.transition", "incident.assign", "incident.escalate", "incident.comment", "incident.attach", "incident.link"]:
    assert a in actions, (a, actions)
assert all(e["actor"] in ("admin", "khien-sla") for e in d["entries"]), d
t = [e for e in d["entries"] if e["action"] == "incident.transition"][0]
assert t["before"]["state"] == "new" and t["after"]["state"] == "triaged", t
PY
"$KHIEN" audit verify --data "$DATA" > "$WORK/verify.txt" || fail "audit verify: $(cat "$WORK/verify.txt")"
grep -q "intact" "$WORK/verify.txt" || fail "verify output: $(cat "$WORK/verify.txt")"
call_at GET /api/v1/reports/incidents.csv ""
expect_status 200 "csv"
head -1 "$WORK/body" | grep -q '^id,title,state,severity' || fail "csv header: $(head -1 "$WORK/body")"
grep -q "^$INC,.*,closed,high,.*,evn," "$WORK/body" || fail "csv row: $BODY"
call_at GET "/api/v1/reports/incidents.json?from=$(at -864000)&to=$(at 864000)" ""
[ "$(json_get "$BODY" 'd["incidents"][0]["id"]')" = "$INC" ] || fail "json report: $BODY"
call_at GET "/api/v1/reports/situation?from=$(at -864000)&to=$(at 864000)" "$(at 349200)"
expect_status 200 "situation report"
python3 - "$WORK/body" <<'PY' || fail "situation report"
import sys, re
html = open(sys.argv[1], encoding="utf-8").read()
assert html.startswith("<!DOCTYPE html>"), html[:40]
assert "<svg" in html and "<script" not in html.lower(), "charts, no script"
assert not re.search(r'(src|href)="(https?:)?//', html), "external asset"
assert "Năng lượng" in html or "nang-luong" in html, "sector row"
assert "incidents opened" in html
PY
pass "audit holds every step with before/after; audit verify intact; CSV, JSON and the situation report"

# --- The background check escalates on its own: a critical incident opened two days ago (by the
# overridden clock) is past every deadline at the real time the checker runs.
call_at POST /api/v1/incidents "$(date -u -d '2 days ago' +%Y-%m-%dT%H:%M:%SZ)" -d '{"title": "Defacement of a provincial portal", "category": "intrusions.defacement", "severity": "critical", "affected_orgs": ["evn"]}'
expect_status 201 "old incident"
OLD=$(json_get "$BODY" 'd["id"]')
for _ in $(seq 1 50); do
  level=$(json_get "$(api GET "/api/v1/incidents/$OLD")" 'd["escalation_level"]')
  [ "$level" = 2 ] && break
  sleep 0.2
done
[ "$level" = 2 ] || fail "the background check did not escalate $OLD (level $level)"
call_at GET "/api/v1/audit?object_type=incident&object_id=$OLD" ""
json_get "$BODY" '[e["actor"] for e in d["entries"] if e["action"] == "incident.escalate"]' | grep -q khien-sla || fail "escalation actor: $BODY"
pass "the background SLA check ([cases] check_seconds = 1) escalated $OLD to the national centre, recorded as khien-sla"
