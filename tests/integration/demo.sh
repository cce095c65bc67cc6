#!/usr/bin/env bash
# `khien demo`: the simulator feeds every registered SOC over HTTP and syslog; events from many
# SOCs, formats and transports are searchable within seconds, and nothing is rejected.
source "$(dirname "$0")/lib/common.bash"

DATA=$WORK/demo
start_demo "$DATA" 400
[ "$(stat -c %a "$DATA/admin.token")" = 600 ] || fail "admin.token is not mode 0600"

# Events arrive within a second of the simulator starting.
for _ in $(seq 1 20); do
  total=$(json_get "$(api GET '/api/v1/events?limit=1')" 'd["total"]')
  [ "$total" -gt 0 ] && break
  sleep 0.1
done
[ "$total" -gt 0 ] || fail "no events within 2 s of the demo starting"
pass "first events searchable within seconds ($total)"

sleep 8
api GET '/api/v1/events?limit=5000' > "$WORK/page.json"
python3 - "$WORK/page.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
events = d["events"]
socs = {e.get("khien.soc") for e in events}
formats = {e.get("khien.format") for e in events}
sources = {e.get("khien.source") for e in events}
sectors = {e.get("khien.sector") for e in events if e.get("khien.sector")}
provinces = {e.get("khien.province") for e in events}
print("events", len(events), "socs", len(socs), "formats", sorted(formats), "sources", sorted(sources),
      "sectors", len(sectors), "provinces", len(provinces))
assert len(socs) >= 40, "expected traffic from many SOCs"
assert {"eve", "ecs", "zeek", "wazuh", "winlog", "ocsf", "cef", "leef"} <= formats, formats
assert {"http", "syslog-udp", "syslog-tcp"} <= sources, sources
assert len(sectors) >= 8 and len(provinces) >= 20
PY
api GET /api/v1/socs > "$WORK/socs.json"
python3 - "$WORK/socs.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
active = [s for s in d["socs"] if s["last_seen"]]
rejected = sum(s["rejected"] for s in d["socs"])
print("active SOCs", len(active), "rejected", rejected)
assert len(active) >= 60, len(active)
assert rejected == 0, "the simulator's records must all be accepted"
PY
pass "demo traffic: many SOCs, formats, transports, sectors and provinces; nothing rejected"
