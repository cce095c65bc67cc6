#!/usr/bin/env bash
# A directive's whole life through the HTTP API: the shipped systems are imported; a directive for "all
# energy-sector organisations with a level 4+ system" reaches exactly those (computed here from the shipped
# YAML); some acknowledge, fewer complete; after the deadline the overdue ones escalate to the energy
# sector CERT and the compliance ranking moves (against the month's snapshot). The clock moves with
# X-Khien-Now, honoured because the config sets [cases] clock_override = true.
source "$(dirname "$0")/lib/common.bash"

DATA=$WORK/data
REG=$KHIEN_SOURCE_DIR/data/registry
cat > "$WORK/khien.toml" <<TOML
[cases]
clock_override = true
check_seconds = 0
TOML
start_khien "$DATA" --config "$WORK/khien.toml"

T0=2026-04-20T08:00:00Z

# --- Systems: the shipped inventory, then a bad CSV that must change nothing.
call_at POST /api/v1/systems/import "$T0" -H "Content-Type: application/yaml" --data-binary @"$REG/systems.yaml"
expect_status 200 "import shipped systems"
SHIPPED=$(json_get "$BODY" 'd["imported"]')
printf 'id,name,owner,security_level\nnew-sys-1,Hệ thống mới,evn,4\nbad-sys,Bad,no-such-org,7\n' > "$WORK/bad.csv"
call_at POST "/api/v1/systems/import?format=csv" "$T0" --data-binary @"$WORK/bad.csv"
expect_status 400 "bad csv"
json_get "$BODY" '"\n".join(d["problems"])' | grep -q ":3:" || fail "problems name the line: $BODY"
call_at GET /api/v1/systems ""
[ "$(json_get "$BODY" 'd["total"]')" = "$SHIPPED" ] || fail "a refused import changed the registry: $(json_get "$BODY" 'd["total"]') != $SHIPPED"
call_at GET /api/v1/systems/new-sys-1 ""
expect_status 404 "half-imported system"
call_at PUT /api/v1/systems/evn-cmis "$T0" -d '{"id": "other-id", "name": "x", "owner": "evn", "security_level": 3}'
expect_status 400 "id mismatch"
pass "$SHIPPED shipped systems imported; a CSV with one bad row imports nothing and names its line"

# --- Who the selector must reach, from the shipped YAML.
EXPECTED=$(python3 - "$REG" <<'PY'
import sys, yaml
reg = sys.argv[1]
orgs = {o["id"]: o for o in yaml.safe_load(open(f"{reg}/organisations.yaml"))["organisations"]}
systems = yaml.safe_load(open(f"{reg}/systems.yaml"))["systems"]
hit = sorted({s["owner"] for s in systems if s["security_level"] >= 4 and orgs[s["owner"]].get("sector") == "nang-luong"})
print(" ".join(hit))
PY
)
N=$(echo "$EXPECTED" | wc -w)
[ "$N" -ge 4 ] || fail "the shipped data should have at least 4 energy organisations with a level 4+ system: $EXPECTED"
SELECTOR='{"sectors": ["nang-luong"], "min_security_level": 4}'
call_at POST /api/v1/directives/targets "" -d "{\"selector\": $SELECTOR}"
[ "$(json_get "$BODY" '" ".join(d["targets"])')" = "$EXPECTED" ] || fail "preview: $BODY vs $EXPECTED"

# --- Bad directives.
body() { echo "{\"title\": \"Vá lỗ hổng Log4j trên hệ thống SCADA\", \"required_actions\": [\"Cập nhật log4j lên 2.17.1\", \"Báo cáo kết quả\"], \"tlp\": \"amber\", \"deadline\": \"$1\", \"selector\": $SELECTOR ${2:-}}"; }
call_at POST /api/v1/directives "$T0" -d "$(body 2026-04-19T00:00:00Z)"
expect_status 400 "deadline in the past"
echo "$BODY" | grep -q "not in the future" || fail "message: $BODY"
call_at POST /api/v1/directives "$T0" -d "$(body 2026-04-27T08:00:00Z ', "issuer": "evn"')"
expect_status 403 "evn may not issue"
call_at POST /api/v1/directives "$T0" -d '{"title": "x", "required_actions": ["y"], "deadline": "2026-05-01T00:00:00Z", "selector": {"sectors": ["no-such-sector"]}}'
expect_status 400 "unknown sector"
call_at POST /api/v1/directives "$T0" -d '{"title": "x", "required_actions": ["y"], "deadline": "2026-05-01T00:00:00Z", "issuer": "cert-tai-chinh", "selector": {"orgs": ["evn"]}}'
expect_status 400 "a sector CERT directing outside its sector"
call_at POST /api/v1/directives "$T0" -d '{"title": "x", "required_actions": ["y"], "deadline": "2026-05-01T00:00:00Z", "selector": {"orgs": ["evn"]}, "attachments": [{"name": "a.exe", "content_base64": "TVqQAAMAAAAEAAAA//8="}]}'
expect_status 415 "disallowed attachment"
call_at GET /api/v1/directives ""
[ "$(json_get "$BODY" 'd["total"]')" = 0 ] || fail "a refused directive was stored: $BODY"
pass "deadline in the past, non-CERT issuer (403), unknown sector, out-of-sector CERT (400), executable attachment (415) refused; nothing stored"

# --- Ranking within the sector before, and the month's snapshot.
call_at POST /api/v1/compliance/snapshot "2026-04-20T07:00:00Z"
expect_status 201 "snapshot"
call_at GET "/api/v1/compliance/ranking?scope=sector:nang-luong" "2026-04-20T07:00:00Z"
expect_status 200 "ranking before"
echo "$BODY" > "$WORK/before.json"

# --- Issue.
PDF=$(printf '%%PDF-1.4\n%% khien test advisory\n' | base64 -w0)
call_at POST /api/v1/directives "$T0" -d "$(body 2026-04-27T08:00:00Z ", \"attachments\": [{\"name\": \"advisory.pdf\", \"content_base64\": \"$PDF\"}]")"
expect_status 201 "issue"
DIR=$(json_get "$BODY" 'd["id"]')
[ "$(json_get "$BODY" '" ".join(d["targets"])')" = "$EXPECTED" ] || fail "targets: $BODY"
[ "$(json_get "$BODY" 'd["attachments"][0]["media_type"]')" = application/pdf ] || fail "attachment: $BODY"
pass "directive $DIR reaches exactly the energy organisations with a level 4+ system: $EXPECTED"

read -r -a TARGETS <<< "$EXPECTED"
ACKERS=("${TARGETS[@]:0:$((N - 2))}")
DOERS=("${TARGETS[@]:0:2}")

# --- Acknowledgement: wrong callers first.
call_at POST "/api/v1/directives/$DIR/acknowledge" "2026-04-20T09:00:00Z" -H "X-Khien-Org: vietcombank"
expect_status 403 "acknowledgement from a non-target"
call_at POST "/api/v1/directives/$DIR/acknowledge" "2026-04-20T09:00:00Z"
expect_status 400 "acknowledgement without X-Khien-Org"
call_at POST "/api/v1/directives/CD-2026-9999/acknowledge" "2026-04-20T09:00:00Z" -H "X-Khien-Org: evn"
expect_status 404 "unknown directive"
call_at POST "/api/v1/directives/$DIR/complete" "2026-04-20T09:00:00Z" -H "X-Khien-Org: ${TARGETS[0]}" -d '{"text": "done"}'
expect_status 409 "completion before acknowledgement"
i=0
for org in "${ACKERS[@]}"; do
  call_at POST "/api/v1/directives/$DIR/acknowledge" "2026-04-20T09:0$i:00Z" -H "X-Khien-Org: $org" -H "X-Khien-Actor: truc-ban-$org"
  expect_status 200 "acknowledge by $org"
  i=$((i + 1))
done
call_at POST "/api/v1/directives/$DIR/acknowledge" "2026-04-20T10:00:00Z" -H "X-Khien-Org: ${ACKERS[0]}"
expect_status 409 "second acknowledgement"
pass "${#ACKERS[@]} of $N acknowledged; non-target (403), missing org (400), unknown directive (404), early completion and repeats (409) refused"

# --- Completion.
call_at POST "/api/v1/directives/$DIR/complete" "2026-04-22T08:00:00Z" -H "X-Khien-Org: ${DOERS[0]}" -d '{"text": "patched", "evidence": [{"name": "x.bin", "content_base64": "TVqQAAMAAAAEAAAA//8="}]}'
expect_status 415 "completion with a disallowed evidence file"
call_at GET "/api/v1/directives/$DIR" "2026-04-22T08:00:00Z"
[ "$(json_get "$BODY" 'd["stats"]["completed"]')" = 0 ] || fail "a refused completion was recorded: $BODY"
TXT=$(printf 'log4j 2.17.1 installed on all SCADA hosts\n' | base64 -w0)
for org in "${DOERS[@]}"; do
  call_at POST "/api/v1/directives/$DIR/complete" "2026-04-24T08:00:00Z" -H "X-Khien-Org: $org" -d "{\"text\": \"Đã cập nhật log4j 2.17.1\", \"evidence\": [{\"name\": \"report.txt\", \"content_base64\": \"$TXT\"}]}"
  expect_status 200 "complete by $org"
done
call_at GET "/api/v1/directives/$DIR" "2026-04-28T08:00:00Z"
python3 - "$BODY" "$N" "${#ACKERS[@]}" "${#DOERS[@]}" <<'PY' || fail "stats: $BODY"
import json, sys
d = json.loads(sys.argv[1]); n, a, c = map(int, sys.argv[2:5])
s = d["stats"]
assert (s["targets"], s["acknowledged"], s["completed"]) == (n, a, c), s
assert abs(s["acknowledged_pct"] - round(100 * a / n, 1)) < 0.05 and abs(s["completed_pct"] - round(100 * c / n, 1)) < 0.05, s
done = {t["org"] for t in d["target_progress"] if t["completed_at"]}
assert sorted(s["overdue"]) == sorted(set(d["targets"]) - done), s
PY
pass "$((${#DOERS[@]})) completed with evidence; stats: acknowledged %, completed %, overdue list after the deadline"

# --- Overdue escalation.
call_at POST /api/v1/directives/overdue-check "2026-04-28T08:00:00Z"
python3 - "$BODY" "$DIR" "${DOERS[*]}" "$EXPECTED" <<'PY' || fail "escalations: $BODY"
import json, sys
d = json.loads(sys.argv[1]); did = sys.argv[2]; doers = set(sys.argv[3].split()); targets = set(sys.argv[4].split())
esc = [e for e in d["directive_escalations"] if e["directive"] == did]
assert {e["org"] for e in esc} == targets - doers, esc
assert all(e["escalated_to"] == "cert-nang-luong" and e["level"] == 1 for e in esc), esc
PY
call_at POST /api/v1/directives/overdue-check "2026-04-28T09:00:00Z"
[ "$(json_get "$BODY" 'len(d["directive_escalations"])')" = 0 ] || fail "escalated twice: $BODY"
pass "targets that did not complete escalate once to cert-nang-luong"

# --- The ranking moves: directive timeliness is now judged for every target.
call_at GET "/api/v1/compliance/ranking?scope=sector:nang-luong&period=2026-05" "2026-05-02T08:00:00Z"
expect_status 200 "ranking after"
echo "$BODY" > "$WORK/after.json"
for org in "${TARGETS[@]}"; do
  call_at GET "/api/v1/compliance/$org" "2026-05-02T08:00:00Z"
  expect_status 200 "breakdown $org"
  echo "$BODY" > "$WORK/score-$org.json"
done
python3 - "$WORK" "${DOERS[*]}" "${ACKERS[*]}" "$EXPECTED" "$DIR" <<'PY' || fail "ranking did not move as expected"
import json, sys
work, doers, ackers, targets, did = sys.argv[1], set(sys.argv[2].split()), set(sys.argv[3].split()), sys.argv[4].split(), sys.argv[5]
before = {r["org"]: r for r in json.load(open(f"{work}/before.json"))["ranking"]}
after = json.load(open(f"{work}/after.json"))
assert after["compared_with"] == "2026-04", after["compared_with"]
rows = {r["org"]: r for r in after["ranking"]}
assert set(rows) == set(before), "same organisations ranked"
for org in targets:
    s = json.load(open(f"{work}/score-{org}.json"))
    comp = {c["name"]: c for c in s["components"]}
    d = comp["directives"]
    want = 1.0 if org in doers else 0.5 if org in ackers else 0.0
    assert abs(d["value"] - want) < 1e-9, (org, d)
    late = d["facts"]["late"]
    if org not in doers: assert f"{did}:completion" in late, (org, late)
    if org not in ackers: assert f"{did}:acknowledgement" in late, (org, late)
    assert abs(sum(c["points"] for c in s["components"]) - s["score"]) < 0.06, s
    assert rows[org]["score"] == s["score"], (rows[org], s["score"])
    assert rows[org]["previous_score"] == before[org]["score"], (rows[org], before[org])
    for key in ("national", "sector:nang-luong"): assert key in s["ranks"], s["ranks"]
# Ranks follow scores, and change = previous rank - rank.
ordered = after["ranking"]
assert all(a["score"] >= b["score"] for a, b in zip(ordered, ordered[1:])), ordered
for r in ordered:
    assert r["change"] == r["previous_rank"] - r["rank"], r
laggards = [o for o in targets if o not in ackers]
assert laggards and all(rows[o]["score"] < before[o]["score"] for o in laggards), [(o, rows[o], before[o]) for o in laggards]
assert any(rows[o]["change"] < 0 for o in laggards), "a laggard fell in the sector ranking"
print("ranking after:", [(r["org"], r["rank"], r["score"], r["change"]) for r in ordered])
PY
pass "compliance: completers keep full directive credit, acknowledgers half, the silent none; the sector ranking moves against the April snapshot"

# --- Audit identity, reports, bad ranking queries.
call_at GET "/api/v1/audit?object_type=directive&object_id=$DIR&limit=100" ""
python3 - "$BODY" "${ACKERS[0]}" <<'PY' || fail "audit: $BODY"
import json, sys
d = json.loads(sys.argv[1]); org = sys.argv[2]
acks = [e for e in d["entries"] if e["action"] == "directive.acknowledge"]
assert any(e["actor"] == f"admin/{org}/truc-ban-{org}" for e in acks), [e["actor"] for e in acks]
assert any(e["action"] == "directive.issue" and e["actor"] == "admin" for e in d["entries"])
assert any(e["action"] == "directive.escalate" for e in d["entries"])
PY
call_at GET /api/v1/reports/directives.csv "2026-04-28T08:00:00Z"
grep -q "^$DIR,directive,trung-tam-giam-sat-quoc-gia," "$WORK/body" || fail "csv: $BODY"
call_at GET /api/v1/reports/directives.json "2026-04-28T08:00:00Z"
[ "$(json_get "$BODY" 'd["directives"][0]["stats"]["completed"]')" = "${#DOERS[@]}" ] || fail "json report: $BODY"
call_at GET "/api/v1/compliance/ranking?scope=galaxy" ""
expect_status 400 "bad scope"
call_at GET "/api/v1/compliance/ranking?period=2020-01" ""
expect_status 404 "no such period"
call_at GET "/api/v1/compliance/ranking?period=April" ""
expect_status 400 "malformed period"
call_at GET "/api/v1/reports/situation?from=2026-04-01&to=2026-05-01" "2026-04-28T08:00:00Z"
expect_status 200 "situation"
grep -q "$DIR" "$WORK/body" || fail "the situation report lists the directive"
"$KHIEN" audit verify --data "$DATA" | grep -q intact || fail "audit verify"
pass "acknowledgements audited as admin/<org>/<person>; CSV/JSON reports; bad scope (400), unknown period (404); situation report"
