#!/usr/bin/env bash
# Sends the same syslog TCP stream (RFC 6587 octet counting, RFC 5424 messages with ~500-byte
# EVE JSON payloads) to khien and to rsyslog on loopback, and reports each one's messages/s from
# the first byte sent until the last message is stored (khien: archived; rsyslog: written to a file),
# and the CPU time each server process used over that span (messages per CPU second are what to
# compare on a shared machine).
# usage: bench/syslog_tcp_compare.sh KHIEN_BINARY [MESSAGES]
set -euo pipefail
KHIEN=${1:?khien binary}
N=${2:-1000000}
WORK=$(mktemp -d /tmp/khien-syslog-bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

python3 - "$WORK/stream" "$N" <<'PY'
import sys
n = int(sys.argv[2])
with open(sys.argv[1], "wb") as f:
    buf = []
    for i in range(n):
        payload = ('{"timestamp":"2026-11-22T10:%02d:%02d.%06d+0700","flow_id":%d,"in_iface":"eth1","event_type":"alert",'
                   '"src_ip":"10.%d.%d.%d","src_port":%d,"dest_ip":"203.113.%d.%d","dest_port":443,"proto":"TCP","app_proto":"tls",'
                   '"alert":{"action":"allowed","gid":1,"signature_id":2013028,"rev":7,"signature":"ET POLICY curl User-Agent Outbound",'
                   '"category":"Attempted Information Leak","severity":2},"tls":{"sni":"cdn%d.example.vn","version":"TLS 1.3"},'
                   '"flow":{"pkts_toserver":%d,"bytes_toserver":%d},"host":"sensor-%d"}') % (
            (i // 60000) % 60, (i // 1000) % 60, i % 1000000, 10**12 + i, 10 + i % 200, (i // 200) % 250, i % 251,
            1024 + i % 60000, (i // 7) % 250, i % 251, i % 97, 5 + i % 20, 600 + i % 4000, i % 16)
        msg = "<134>1 2026-11-22T03:00:00.000000Z sensor-%d suricata - - - %s" % (i % 16, payload)
        b = msg.encode()
        buf.append(b"%d " % len(b) + b)
        if len(buf) == 10000:
            f.write(b"".join(buf)); buf = []
    f.write(b"".join(buf))
PY
bytes=$(stat -c %s "$WORK/stream")
send() { python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
with open(sys.argv[2], "rb") as f:
    while True:
        chunk = f.read(1 << 20)
        if not chunk: break
        s.sendall(chunk)
s.close()' "$1" "$WORK/stream"; }
now() { date +%s.%N; }
# CPU seconds (user + system, all threads) a process has used so far.
cpu_of() { python3 -c '
import os, sys
f = open("/proc/%s/stat" % sys.argv[1]).read().rsplit(")", 1)[1].split()
print((int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK"))' "$1"; }

# khien: syslog TCP → spool → pipeline → archive.
"$KHIEN" soc add --data "$WORK/khien" --org bo-cong-an --id soc-bench --name bench --ranges 127.0.0.1/32 >/dev/null 2>&1
"$KHIEN" serve --data "$WORK/khien" --http 127.0.0.1:0 --syslog-udp off --syslog-tcp 127.0.0.1:0 >"$WORK/khien.log" 2>&1 &
KPID=$!
for _ in $(seq 1 100); do grep -q "administrator token" "$WORK/khien.log" && break; sleep 0.1; done
HTTP=$(grep -o 'http://[0-9.:]*' "$WORK/khien.log" | head -1)
PORT=$(grep -o 'syslog-tcp listening on [0-9.:]*' "$WORK/khien.log" | sed 's/.*://')
c0=$(cpu_of $KPID)
t0=$(now)
send "$PORT"
while :; do
  processed=$(curl -s "$HTTP/healthz" | python3 -c 'import json,sys; print(json.load(sys.stdin)["processed_seq"])')
  [ "$processed" -ge "$N" ] && break
  sleep 0.05
done
t1=$(now)
c1=$(cpu_of $KPID)
khien_rate=$(python3 -c "print(round($N / ($t1 - $t0)))")
khien_cpu=$(python3 -c "print(round($c1 - $c0, 2))")
kill $KPID; wait 2>/dev/null || true

# rsyslog: imtcp → omfile, same stream.
RPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$WORK/rsyslog"
cat > "$WORK/rsyslog.conf" <<CONF
global(workDirectory="$WORK/rsyslog" maxMessageSize="64k")
module(load="imtcp")
input(type="imtcp" address="127.0.0.1" port="$RPORT" ruleset="store")
ruleset(name="store" queue.type="LinkedList" queue.size="200000") {
  action(type="omfile" file="$WORK/rsyslog/out.log" template="RSYSLOG_FileFormat" asyncWriting="on" ioBufferSize="1m")
}
CONF
rsyslogd -n -f "$WORK/rsyslog.conf" -i "$WORK/rsyslog.pid" >"$WORK/rsyslog.log" 2>&1 &
RPID=$!
for _ in $(seq 1 100); do python3 -c "import socket; socket.create_connection(('127.0.0.1', $RPORT)).close()" 2>/dev/null && break; sleep 0.1; done
c0=$(cpu_of $RPID)
t0=$(now)
send "$RPORT"
while :; do
  lines=$(wc -l < "$WORK/rsyslog/out.log" 2>/dev/null || echo 0)
  [ "$lines" -ge "$N" ] && break
  sleep 0.05
done
t1=$(now)
c1=$(cpu_of $RPID)
rsyslog_rate=$(python3 -c "print(round($N / ($t1 - $t0)))")
rsyslog_cpu=$(python3 -c "print(round($c1 - $c0, 2))")
per_cpu() { python3 -c "print(round($N / max($1, 0.01)))"; }
echo "{\"messages\":$N,\"stream_bytes\":$bytes,\"khien_messages_per_second\":$khien_rate,\"khien_cpu_seconds\":$khien_cpu,\"khien_messages_per_cpu_second\":$(per_cpu $khien_cpu),\"rsyslog_messages_per_second\":$rsyslog_rate,\"rsyslog_cpu_seconds\":$rsyslog_cpu,\"rsyslog_messages_per_cpu_second\":$(per_cpu $rsyslog_cpu),\"load_average\":\"$(cut -d' ' -f1-3 /proc/loadavg)\"}"
