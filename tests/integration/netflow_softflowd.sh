#!/usr/bin/env bash
# NetFlow v5, v9 and IPFIX from a real exporter: softflowd reads a pcap written here and exports its flows to
# khien's collector on loopback; the flows must be searchable as network-activity events attributed to the
# exporter's organisation, located by GeoIP and with victim/remote organisations. Then real exporter packets
# from the corpus are replayed as UDP datagrams, from a registered and an unregistered address, and the
# collector's counters are checked.
source "$(dirname "$0")/lib/common.bash"
source "$(dirname "$0")/lib/netflow.bash"

require_corpus netflow
GEO=$CORPUS/geo/maxmind/test-data

# 127.0.0.1 is softflowd, registered to Bộ Công an; 127.0.1.0/24 replays the corpus for VNPT (one source
# address per captured device, so their templates do not collide); 127.0.0.2 is nobody's.
cat > "$WORK/exporters.yaml" <<'YAML'
exporters:
  - id: exp-test-softflowd
    name: softflowd on loopback
    org: bo-cong-an
    addresses: [127.0.0.1/32]
  - id: exp-test-replay
    name: corpus replay
    org: vnpt
    addresses: [127.0.1.0/24]
YAML
cat > "$WORK/khien.toml" <<TOML
[netflow]
exporters = "$WORK/exporters.yaml"
[geo]
city_db = "$GEO/GeoIP2-City-Test.mmdb"
asn_db = "$GEO/GeoLite2-ASN-Test.mmdb"
TOML

DATA=$WORK/data
start_khien "$DATA" --config "$WORK/khien.toml" --netflow 127.0.0.1:0
read_netflow_port

# A pcap with two one-way flows of known sizes (IP total lengths are what NetFlow counts):
#   TCP 81.2.69.142:40000 -> 14.177.4.20:443 (London -> Bộ Công an), 3 packets, 60+52+552 = 664 bytes
#   UDP 171.230.1.1:5353 -> 113.190.0.77:53 (Viettel -> Hà Nội), 2 packets, 80+120 = 200 bytes
PYTHONPATH=$NETFLOW_LIB python3 - "$WORK/flows.pcap" <<'PY'
import sys
from pcap_writer import tcp, udp, write_pcap

packets = [
    tcp("81.2.69.142", 40000, "14.177.4.20", 443, 0x02, 60),
    tcp("81.2.69.142", 40000, "14.177.4.20", 443, 0x10, 52),
    tcp("81.2.69.142", 40000, "14.177.4.20", 443, 0x18, 552),
    udp("171.230.1.1", 5353, "113.190.0.77", 53, 80),
    udp("171.230.1.1", 5353, "113.190.0.77", 53, 120),
]
t0 = 1767225600  # 2026-01-01T00:00:00Z
write_pcap(sys.argv[1], [(t0 + i, p) for i, p in enumerate(packets)])
PY

# One softflowd run per export version.
for version in 5 9 10; do
  softflowd_export "$WORK/flows.pcap" "$version" 2 "$NETFLOW_PORT" "softflowd-$version"
done
wait_for_total "q=observer.name:exp-test-softflowd" 6 20
pass "softflowd NetFlow v5, v9 and IPFIX: 6 flow records stored"

check_flow() {  # check_flow QUERY EXPR...: every event matching QUERY satisfies each Python EXPR on `e`
  local query=$1; shift
  local body
  body=$(api GET "/api/v1/events?limit=100&q=$query")
  [ "$(json_get "$body" 'len(d["events"])')" = 3 ] || fail "expected 3 events (v5, v9, IPFIX) for $query: $body"
  for expr in "$@"; do
    [ "$(json_get "$body" "all(($expr) for e in d['events'])")" = True ] || fail "not every flow for $query has $expr: $body"
  done
}
check_flow "src_endpoint.ip:81.2.69.142" \
  'e["class_uid"] == 4001 and e["khien.format"] == "netflow" and e["khien.source"] == "netflow"' \
  'e["khien.soc"] == "soc-bo-cong-an" and e["khien.org"] == "bo-cong-an" and e["device.ip"] == "127.0.0.1"' \
  'e["dst_endpoint.ip"] == "14.177.4.20" and e["src_endpoint.port"] == 40000 and e["dst_endpoint.port"] == 443' \
  'e["connection_info.protocol_name"] == "tcp" and e["traffic.bytes"] == 664 and e["traffic.packets"] == 3' \
  'e["connection_info.tcp_flags"] == 0x1a' \
  'e["src_endpoint.location.country"] == "GB" and e["src_endpoint.location.city"] == "London"' \
  'e["khien.victim_org"] == "bo-cong-an" and e["khien.victim_basis"] == "dst_ip" and "khien.remote_org" not in e' \
  'e["connection_info.direction"] == "inbound" and e["time"].startswith("2026-01-01T00:00:02")'
check_flow "dst_endpoint.port:53" \
  'e["src_endpoint.ip"] == "171.230.1.1" and e["dst_endpoint.ip"] == "113.190.0.77" and e["src_endpoint.port"] == 5353' \
  'e["connection_info.protocol_name"] == "udp" and e["traffic.bytes"] == 200 and e["traffic.packets"] == 2' \
  'e["khien.victim_org"] == "tp-ha-noi" and e["khien.victim_sector"] == "do-thi" and e["khien.remote_org"] == "viettel"' \
  'e["connection_info.direction"] == "lateral"'
pass "flows attributed to the exporter's organisation with the right addresses, ports, bytes, GeoIP and victim/remote"

metric() {  # metric NAME_WITH_LABELS: the value in /metrics (0 when absent)
  curl -sS "http://$HTTP/metrics" | awk -v m="$1" '$1 == m {print $2; found=1} END {if (!found) print 0}'
}
flows_before=$(metric khien_netflow_flow_records_total)
added_before=$(metric 'khien_netflow_templates_total{kind="added"}')
[ "$flows_before" = 6 ] || fail "khien_netflow_flow_records_total is $flows_before after softflowd, expected 6"

# Corpus packets: each captured device from its own registered address (templates first, then data), then
# all of them again from 127.0.0.2 (unregistered), then garbage from a registered address.
python3 - "$CORPUS/netflow" "$NETFLOW_PORT" >"$WORK/replay.json" <<'PY'
import json, os, re, socket, sys, time
d, port = sys.argv[1], int(sys.argv[2])
files = sorted(f for f in os.listdir(d) if f.endswith(".dat"))
device = lambda f: re.sub(r"_(tpl|tpls|data|opttpl|tpldata)[^_]*(_[a-z0-9-]+)*\.dat$|\.dat$", "", f)
files.sort(key=lambda f: (device(f), 0 if ("tpl" in f and "data" not in f) else 1, f))
devices = sorted(set(map(device, files)))
sent = {"registered": 0, "unregistered": 0, "devices": len(devices)}
def send(source, payload):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((source, 0))
    s.sendto(payload, ("127.0.0.1", port))
    s.close()
    time.sleep(0.002)
for f in files:
    send("127.0.1.%d" % (devices.index(device(f)) + 1), open(os.path.join(d, f), "rb").read())
    sent["registered"] += 1
for f in files:
    send("127.0.0.2", open(os.path.join(d, f), "rb").read())
    sent["unregistered"] += 1
for junk in (b"\x00", b"\x00\x0a" + b"\xff" * 30, b"\x00\x0a\x00\x18" + b"\x00" * 12 + b"\x00\x02\xff\xff\x01\x00\x00\x01"):
    send("127.0.1.250", junk)
    sent["registered"] += 1
print(json.dumps(sent))
PY
sent_registered=$(json_get "$(cat "$WORK/replay.json")" 'd["registered"]')
sent_unregistered=$(json_get "$(cat "$WORK/replay.json")" 'd["unregistered"]')
for _ in $(seq 1 100); do
  [ "$(metric 'khien_netflow_packets_total{result="unknown_exporter"}')" = "$sent_unregistered" ] && break
  sleep 0.1
done
unknown=$(metric 'khien_netflow_packets_total{result="unknown_exporter"}')
[ "$unknown" = "$sent_unregistered" ] || fail "unknown_exporter packets: $unknown, sent $sent_unregistered from 127.0.0.2"
received=$(metric 'khien_netflow_packets_total{result="received"}')
[ "$received" -ge $((sent_registered + sent_unregistered)) ] || fail "received $received datagrams, sent at least $((sent_registered + sent_unregistered))"
flows_after=$(metric khien_netflow_flow_records_total)
added_after=$(metric 'khien_netflow_templates_total{kind="added"}')
malformed=$(metric 'khien_netflow_packets_total{result="malformed"}')
without=$(metric khien_netflow_data_sets_without_template_total)
options=$(metric khien_netflow_option_records_total)
echo "replay: sent $sent_registered registered + $sent_unregistered unregistered; flows +$((flows_after - flows_before)), templates added +$((added_after - added_before)), malformed $malformed, data sets without template $without, option records $options"
[ $((flows_after - flows_before)) -gt 200 ] || fail "corpus replay decoded only $((flows_after - flows_before)) flow records"
[ $((added_after - added_before)) -gt 30 ] || fail "corpus replay added only $((added_after - added_before)) templates"
[ "$malformed" -ge 3 ] || fail "malformed packets counted: $malformed"
[ "$options" -gt 0 ] || fail "no options records counted"
[ "$(grep -c 'packets from 127.0.0.2 dropped: no exporter registered' "$WORK/server.log")" = 1 ] \
  || fail "the unregistered exporter must be logged exactly once"
kill -0 "$KHIEN_PID" || fail "khien died during the replay"
spooled=$(metric khien_netflow_records_spooled_total)
wait_for_total "q=observer.name:exp-test*" "$spooled" 30
pass "corpus replay: flows, templates, option records, malformed and unknown-exporter packets counted; every flow stored"
