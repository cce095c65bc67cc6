#!/usr/bin/env bash
# Syslog with real senders: logger(1) over TCP and UDP (RFC 5424 and 3164), rsyslog forwarding a
# file over TCP with RFC 6587 octet counting, attribution by sender address, unknown senders refused.
source "$(dirname "$0")/lib/common.bash"

DATA=$WORK/data
"$KHIEN" soc add --data "$DATA" --org evn --id soc-test-syslog --name "Syslog test SOC" --ranges 127.0.0.1/32 >/dev/null
start_khien "$DATA"

# 1. logger, RFC 5424 over TCP and UDP, a CEF payload and a plain message.
logger --server 127.0.0.1 --port "$SYSLOG_TCP_PORT" --tcp --rfc5424 -t fortigate \
  'CEF:0|Fortinet|FortiGate|7.2|13|Port scan detected|7|src=198.51.100.7 dst=14.160.1.20 dpt=22 proto=TCP act=blocked'
logger --server 127.0.0.1 --port "$SYSLOG_UDP_PORT" --udp --rfc5424 -t sshd 'Failed password for root from 198.51.100.8 port 4022 ssh2'
logger --server 127.0.0.1 --port "$SYSLOG_UDP_PORT" --udp --rfc3164 -t kernel 'eth0 link up'
wait_for_total "soc=soc-test-syslog" 3 15
e=$(api GET '/api/v1/events?q=src_endpoint.ip:198.51.100.7')
[ "$(json_get "$e" 'd["events"][0]["finding_info.title"]')" = "Port scan detected" ] || fail "CEF over syslog: $e"
[ "$(json_get "$e" 'd["events"][0]["syslog.appname"]')" = fortigate ] || fail "syslog header: $e"
[ "$(json_get "$e" 'd["events"][0]["khien.org"]')" = evn ] || fail "attribution by sender: $e"
[ "$(json_get "$(api GET '/api/v1/events?q=syslog.appname:sshd')" 'd["events"][0]["message"]')" = "Failed password for root from 198.51.100.8 port 4022 ssh2" ] || fail "plain message"
[ "$(json_get "$(api GET '/api/v1/events?q=syslog.appname:kernel')" 'd["events"][0]["khien.source"]')" = syslog-udp ] || fail "RFC 3164 over UDP"
pass "logger over TCP and UDP, RFC 5424 and 3164, CEF payload"

# 2. rsyslog reads a file and forwards it over TCP with octet counting (RFC 6587), JSON payloads.
mkdir -p "$WORK/rsyslog"
for i in $(seq 1 200); do
  echo "{\"timestamp\":\"2026-11-22T10:00:00Z\",\"event_type\":\"dns\",\"src_ip\":\"10.1.1.$((i % 250))\",\"dest_ip\":\"8.8.8.8\",\"proto\":\"UDP\",\"dns\":{\"rrname\":\"host$i.rsyslog.test\",\"rrtype\":\"A\"}}"
done > "$WORK/input.log"
cat > "$WORK/rsyslog.conf" <<CONF
global(workDirectory="$WORK/rsyslog")
module(load="imfile")
input(type="imfile" File="$WORK/input.log" Tag="suricata:" ruleset="forward")
ruleset(name="forward") {
  action(type="omfwd" target="127.0.0.1" port="$SYSLOG_TCP_PORT" protocol="tcp"
         TCP_Framing="octet-counted" template="RSYSLOG_SyslogProtocol23Format")
}
CONF
rsyslogd -n -f "$WORK/rsyslog.conf" -i "$WORK/rsyslog.pid" >"$WORK/rsyslog.log" 2>&1 &
EXTRA_PIDS+=($!)
wait_for_total "q=query.hostname:*.rsyslog.test" 200 30
e=$(api GET '/api/v1/events?q=query.hostname:host7.rsyslog.test')
[ "$(json_get "$e" 'd["events"][0]["khien.format"]')" = eve ] || fail "rsyslog event: $e"
[ "$(json_get "$e" 'd["events"][0]["khien.source"]')" = syslog-tcp ] || fail "rsyslog event source: $e"
[ "$(json_get "$e" 'd["events"][0]["class_uid"]')" = 4003 ] || fail "JSON payload decoded as EVE DNS: $e"
pass "rsyslog file forwarding with octet counting: 200 events"

# 3. A sender no SOC registers is refused and counted.
python3 - "$SYSLOG_UDP_PORT" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.2", 0))
s.sendto(b"<13>1 2026-11-22T10:00:00Z host app - - - from an unknown sender", ("127.0.0.1", int(sys.argv[1])))
PY
for _ in $(seq 1 50); do
  curl -sS "http://$HTTP/metrics" | grep -q 'khien_ingest_unknown_senders_total{source="syslog-udp"} 1' && break
  sleep 0.1
done
curl -sS "http://$HTTP/metrics" | grep -q 'khien_ingest_unknown_senders_total{source="syslog-udp"} 1' || fail "unknown sender not counted"
[ "$(json_get "$(api GET '/api/v1/events?q=unknown')" 'd["total"]')" = 0 ] || fail "unknown sender's message was stored"
pass "unknown sender refused and counted"

# 4. A message with a bad header is refused and its SOC shows why; a payload that does not decode
# is kept as a base event with its syslog header and the reason.
python3 - "$SYSLOG_UDP_PORT" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"<999>1 2026-11-22T10:00:00Z host app - - - bad priority", ("127.0.0.1", int(sys.argv[1])))
PY
for _ in $(seq 1 50); do
  soc=$(api GET /api/v1/socs/soc-test-syslog)
  [ "$(json_get "$soc" '"last_rejection" in d')" = True ] && break
  sleep 0.1
done
json_get "$soc" 'd["last_rejection"]["reason"]' | grep -q "PRI 999 out of range" || fail "the SOC's last rejection: $soc"
[ "$(json_get "$soc" 'd["last_rejection"]["source"]')" = syslog-udp ] || fail "last rejection source: $soc"
json_get "$soc" 'd["last_rejection"]["sample"]' | grep -q "bad priority" || fail "last rejection sample: $soc"
logger --server 127.0.0.1 --port "$SYSLOG_TCP_PORT" --tcp --rfc5424 -t brokenfw 'CEF:0|Broken|Header'
wait_for_total "q=syslog.appname:brokenfw" 1 15
e=$(api GET '/api/v1/events?q=syslog.appname:brokenfw')
[ "$(json_get "$e" 'd["events"][0]["class_name"]')" = "Base Event" ] || fail "broken CEF payload: $e"
[ "$(json_get "$e" 'd["events"][0]["message"]')" = "CEF:0|Broken|Header" ] || fail "broken payload message: $e"
[ "$(json_get "$e" 'd["events"][0]["khien.format"]')" = syslog ] || fail "broken payload format: $e"
json_get "$e" 'd["events"][0]["khien.decode_error"]' | grep -qi "cef" || fail "broken payload reason: $e"
pass "a bad header is refused with its reason on the SOC; a payload that does not decode stays a base event"

# 5. Devices whose RFC 3164 clocks run on Vietnamese local time: with the SOC's offset their
# events land at the right UTC time (logger writes the local time of TZ; UTC-7 is POSIX for +07:00).
"$KHIEN" soc set-local-time soc-test-syslog +07:00 --data "$DATA" 2>/dev/null || fail "soc set-local-time"
[ "$(json_get "$(api GET /api/v1/socs/soc-test-syslog)" 'd["syslog_local_time"]')" = "+07:00" ] || fail "the SOC shows its local time"
TZ=UTC-7 logger --server 127.0.0.1 --port "$SYSLOG_UDP_PORT" --udp --rfc3164 -t vnclock 'a clock on Vietnamese local time'
wait_for_total "q=syslog.appname:vnclock" 1 15
e=$(api GET '/api/v1/events?q=syslog.appname:vnclock')
python3 - "$(json_get "$e" 'd["events"][0]["time"]')" <<'PY' || fail "RFC 3164 local time read with the SOC's offset: $e"
import datetime, sys
t = datetime.datetime.fromisoformat(sys.argv[1].replace("Z", "+00:00"))
off = abs((datetime.datetime.now(datetime.timezone.utc) - t).total_seconds())
sys.exit(0 if off < 120 else 1)
PY
pass "RFC 3164 timestamps on +07:00 clocks read with the SOC's offset"

