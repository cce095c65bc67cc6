#!/usr/bin/env bash
# Traffic detection end to end: softflowd reads a pcap written here (one source probing port 445 on 200
# hosts of Bộ Công an's address block, plus a few ordinary sessions) and exports it as NetFlow v9 to khien's
# collector on loopback; a traffic.scan.horizontal alert must appear in GET /api/v1/alerts naming the
# attacker and the victim organisation, and nothing else from the traffic detectors.
source "$(dirname "$0")/lib/common.bash"
source "$(dirname "$0")/lib/netflow.bash"

cat > "$WORK/exporters.yaml" <<'YAML'
exporters:
  - id: exp-test-softflowd
    name: softflowd on loopback
    org: bo-cong-an
    addresses: [127.0.0.1/32]
YAML
# A threshold set through the config: 150 hosts (200 are probed; the default is 100).
cat > "$WORK/khien.toml" <<TOML
[netflow]
exporters = "$WORK/exporters.yaml"
[traffic]
horizontal_scan_hosts = 150
TOML

DATA=$WORK/data
start_khien "$DATA" --config "$WORK/khien.toml" --netflow 127.0.0.1:0
read_netflow_port

# 81.2.69.142 sends one SYN to 14.177.4.1 .. 14.177.4.200 port 445, 50 ms apart; 171.230.1.1 has a real
# TCP session of 12 packets with 14.177.4.20:443 (not a probe: more than 4 packets).
PYTHONPATH=$NETFLOW_LIB python3 - "$WORK/scan.pcap" <<'PY'
import sys
from pcap_writer import tcp, write_pcap

t0 = 1767225600.0  # 2026-01-01T00:00:00Z
packets = []
for i in range(200):
    packets.append((t0 + i * 0.05, tcp("81.2.69.142", 50000 + i, "14.177.4.%d" % (i + 1), 445, 0x02, 60)))
for i in range(12):
    packets.append((t0 + 1 + i * 0.2, tcp("171.230.1.1", 40000, "14.177.4.20", 443, 0x18, 400)))
packets.sort(key=lambda p: p[0])
write_pcap(sys.argv[1], packets)
PY

softflowd_export "$WORK/scan.pcap" 9 201 "$NETFLOW_PORT" softflowd
wait_for_total "q=observer.name:exp-test-softflowd" 201 30
pass "softflowd NetFlow v9: 201 flow records stored"

alerts=""
for _ in $(seq 1 100); do
  alerts=$(api GET "/api/v1/alerts?kind=traffic&limit=100")
  [ "$(json_get "$alerts" 'd["total"]')" -ge 1 ] && break
  sleep 0.1
done
[ "$(json_get "$alerts" 'd["total"]')" = 1 ] || fail "expected exactly 1 traffic alert: $alerts"
check() { [ "$(json_get "$alerts" "$1")" = True ] || fail "traffic alert: not $1: $alerts"; }
check 'd["alerts"][0]["rule_id"] == "traffic.scan.horizontal"'
check 'd["alerts"][0]["matched"] == "81.2.69.142" and d["alerts"][0]["matched_field"] == "src_endpoint.ip"'
check '"victim_org:bo-cong-an" in d["alerts"][0]["tags"]'
check 'd["alerts"][0]["event"]["khien.victim_org"] == "bo-cong-an"'
check '"port:445" in d["alerts"][0]["tags"] and "81.2.69.142" in d["alerts"][0]["title"]'
check 'any(t.startswith("hosts:") and 130 <= int(t[6:]) <= 200 for t in d["alerts"][0]["tags"])'
check 'd["alerts"][0]["org"] == "bo-cong-an"'
pass "one traffic.scan.horizontal alert: attacker 81.2.69.142, victim organisation bo-cong-an, port 445"

# The threshold came from the config; `khien config` shows the [traffic] keys with their defaults.
"$KHIEN" config >"$WORK/config.toml"
grep -q '^horizontal_scan_hosts = 100$' "$WORK/config.toml" || fail "khien config does not list traffic.horizontal_scan_hosts"
pass "[traffic] keys listed by khien config"

# A bad threshold stops the start with the key named.
printf '[traffic]\nvertical_scan_ports = 1\n' >"$WORK/bad.toml"
if "$KHIEN" serve --data "$WORK/data-bad" --config "$WORK/bad.toml" >"$WORK/bad.log" 2>&1; then fail "khien started with traffic.vertical_scan_ports = 1"; fi
grep -q 'traffic.vertical_scan_ports: expected a whole number from 2' "$WORK/bad.log" || { cat "$WORK/bad.log"; fail "no message naming traffic.vertical_scan_ports"; }
pass "a bad [traffic] value is refused at start, naming the key"
