#!/usr/bin/env bash
# TLS with real clients: curl over HTTPS (health, bulk ingest with a SOC key), rsyslog forwarding over
# TLS (RFC 5425, ossl driver) attributed to the SOC named by its client certificate, openssl s_client
# and Python clients without a certificate, with one from another CA, or naming no SOC; start-up
# errors naming the file; min_version 1.3 refusing TLS 1.2.
source "$(dirname "$0")/lib/common.bash"

PKI=$WORK/pki
mkdir -p "$PKI"
# make_cert NAME SUBJECT CA EXTENSIONS: an EC key and a certificate signed by CA (a CA's own when CA is -).
make_cert() {
  local name=$1 subject=$2 ca=$3 ext=$4
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$PKI/$name.key" -out "$PKI/$name.csr" \
    -subj "$subject" 2>/dev/null
  printf '%s\n' "$ext" >"$PKI/$name.ext"
  if [ "$ca" = - ]; then
    openssl x509 -req -in "$PKI/$name.csr" -signkey "$PKI/$name.key" -out "$PKI/$name.pem" -days 2 -extfile "$PKI/$name.ext" 2>/dev/null
  else
    openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/$ca.pem" -CAkey "$PKI/$ca.key" -CAcreateserial -out "$PKI/$name.pem" -days 2 \
      -extfile "$PKI/$name.ext" 2>/dev/null
  fi
  [ -s "$PKI/$name.pem" ] || fail "openssl could not make $name.pem"
}
make_cert ca "/CN=khien test CA" - "basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign"
make_cert rogue-ca "/CN=another CA" - "basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign"
make_cert server "/CN=khien test server" ca "subjectAltName=IP:127.0.0.1
extendedKeyUsage=serverAuth"
make_cert client "/O=EVN/CN=soc-tls-evn" ca "extendedKeyUsage=clientAuth"
make_cert device "/CN=device-42" ca "subjectAltName=DNS:device-42.example.vn
extendedKeyUsage=clientAuth"
make_cert rogue "/CN=soc-tls-evn" rogue-ca "extendedKeyUsage=clientAuth"

DATA=$WORK/data
KEY=$("$KHIEN" soc add --data "$DATA" --org evn --id soc-tls-evn --name "EVN SOC (TLS)" | python3 -c 'import json,sys; print(json.load(sys.stdin)["api_key"])')
"$KHIEN" soc add --data "$DATA" --org evn --id soc-tls-range --name "EVN sensors by address" --ranges 127.0.0.1/32 >/dev/null

# Paths in the config are relative to the config file.
cat >"$WORK/khien.toml" <<'TOML'
[tls]
cert = "pki/server.pem"
key = "pki/server.key"
client_ca = "pki/ca.pem"
http = true
syslog_tls = "127.0.0.1:0"
min_version = "1.2"
TOML

# start_tls_khien CONFIG: starts `khien serve` with HTTPS; sets HTTPS_ADDR, TLS_PORT and TOKEN.
start_tls_khien() {
  local before=0
  [ -f "$WORK/server.log" ] && before=$(wc -l <"$WORK/server.log")
  "$KHIEN" serve --data "$DATA" --config "$1" --http 127.0.0.1:0 --syslog-udp off --syslog-tcp off >>"$WORK/server.log" 2>&1 &
  KHIEN_PID=$!
  for _ in $(seq 1 200); do
    kill -0 "$KHIEN_PID" 2>/dev/null || fail "khien exited at start"
    tail -n +"$((before + 1))" "$WORK/server.log" >"$WORK/server.log.start" 2>/dev/null || true
    grep -q "administrator token" "$WORK/server.log.start" && break
    sleep 0.1
  done
  HTTPS_ADDR=$(grep -o 'http listening on https://[0-9.:]*' "$WORK/server.log.start" | sed 's/.*https:\/\///')
  TLS_PORT=$(grep -o 'syslog-tls listening on [0-9.:]*' "$WORK/server.log.start" | sed 's/.*://')
  [ -n "$HTTPS_ADDR" ] || fail "khien did not print an https:// address"
  TOKEN=$(cat "$DATA/admin.token")
}

# The helpers of lib/common.bash, over HTTPS.
api() {
  local method=$1 path=$2; shift 2
  curl -sS --cacert "$PKI/ca.pem" -X "$method" -H "Authorization: Bearer $TOKEN" "$@" "https://$HTTPS_ADDR$path"
}
metrics() { curl -sS --cacert "$PKI/ca.pem" "https://$HTTPS_ADDR/metrics"; }
wait_for_metric() {  # wait_for_metric LINE: until /metrics holds LINE exactly
  for _ in $(seq 1 100); do
    metrics | grep -qxF "$1" && return 0
    sleep 0.1
  done
  fail "metric '$1' not found: $(metrics | grep syslog-tls)"
}

# 0. Start-up errors name the file and OpenSSL's reason; unknown [tls] keys are refused.
expect_start_error() {  # expect_start_error CONFIG_TEXT MESSAGE
  printf '%s\n' "$1" >"$WORK/bad.toml"
  local out
  if out=$("$KHIEN" serve --data "$WORK/bad-data" --config "$WORK/bad.toml" --http 127.0.0.1:0 --syslog-udp off --syslog-tcp off 2>&1); then
    fail "khien started with a bad TLS config: $1"
  fi
  grep -qF -- "$2" <<<"$out" || fail "start-up error '$out' does not say '$2'"
}
expect_start_error "[tls]
cert = \"$PKI/server.pem\"
key = \"$PKI/missing.key\"
http = true" "tls.key: $PKI/missing.key"
expect_start_error "[tls]
cert = \"$PKI/server.pem\"
key = \"$PKI/client.key\"
syslog_tls = \"127.0.0.1:0\"" "does not belong to the certificate in $PKI/server.pem"
expect_start_error "[tls]
cert = \"$PKI/server.csr\"
key = \"$PKI/server.key\"
http = true" "tls.cert: $PKI/server.csr: error:"
expect_start_error "[tls]
certificate = \"$PKI/server.pem\"" "unknown key 'tls.certificate'"
expect_start_error "[tls]
min_version = \"1.1\"" "tls.min_version"
pass "bad TLS configs refused at start-up, naming the file and the reason"

start_tls_khien "$WORK/khien.toml"
[ -n "$TLS_PORT" ] || fail "khien did not print its syslog-tls address"

# 1. curl over HTTPS: health, then bulk ingest with the SOC's key, then the events through the API.
[ "$(curl -sS --cacert "$PKI/ca.pem" "https://$HTTPS_ADDR/healthz" -o /dev/null -w '%{http_code}')" = 200 ] || fail "GET /healthz over HTTPS"
if curl -sS -m 5 "http://$HTTPS_ADDR/healthz" >/dev/null 2>&1; then fail "plain HTTP answered on the HTTPS listener"; fi
if curl -sS -m 5 "https://$HTTPS_ADDR/healthz" >/dev/null 2>&1; then fail "a client that does not trust the CA connected"; fi
for i in $(seq 1 20); do
  echo "{\"timestamp\":\"2026-11-22T10:00:00.000000+0700\",\"flow_id\":$i,\"event_type\":\"alert\",\"src_ip\":\"203.0.113.$i\",\"src_port\":4444,\"dest_ip\":\"10.30.0.9\",\"dest_port\":443,\"proto\":\"TCP\",\"alert\":{\"signature\":\"ET TLS test $i\",\"signature_id\":$((2100000 + i)),\"severity\":2}}"
done >"$WORK/alerts.ndjson"
# Two requests on one kept-alive connection, the second with a client certificate's connection too.
answer=$(curl -sS --cacert "$PKI/ca.pem" -H "Authorization: Bearer $KEY" --data-binary @"$WORK/alerts.ndjson" \
  "https://$HTTPS_ADDR/api/v1/ingest?format=eve" --next --cacert "$PKI/ca.pem" "https://$HTTPS_ADDR/healthz" -o /dev/null)
[ "$(json_get "$answer" 'd["accepted"]')" = 20 ] || fail "HTTPS ingest: $answer"
answer=$(curl -sS --cacert "$PKI/ca.pem" --cert "$PKI/client.pem" --key "$PKI/client.key" -H "Authorization: Bearer $KEY" \
  --data-binary @"$WORK/alerts.ndjson" "https://$HTTPS_ADDR/api/v1/ingest?format=eve")
[ "$(json_get "$answer" 'd["accepted"]')" = 20 ] || fail "HTTPS ingest with a client certificate: $answer"
[ "$(curl -sS --cacert "$PKI/ca.pem" -H "Authorization: Bearer wrong" --data-binary @"$WORK/alerts.ndjson" -o /dev/null -w '%{http_code}' \
  "https://$HTTPS_ADDR/api/v1/ingest?format=eve")" = 401 ] || fail "a wrong key over HTTPS was not refused"
wait_for_total "q=alert.signature_id:2100007" 2 20
e=$(api GET '/api/v1/events?q=alert.signature_id:2100007')
[ "$(json_get "$e" 'd["events"][0]["khien.soc"]')" = soc-tls-evn ] || fail "HTTPS event's SOC: $e"
pass "curl over HTTPS: /healthz, POST /api/v1/ingest with a SOC key, events in the API"

# 2. rsyslog forwards a file over TLS with its client certificate (CN=soc-tls-evn): the events
#    belong to soc-tls-evn although 127.0.0.1 is registered to soc-tls-range.
mkdir -p "$WORK/rsyslog"
for i in $(seq 1 100); do
  echo "{\"timestamp\":\"2026-11-22T10:00:00Z\",\"event_type\":\"dns\",\"src_ip\":\"10.3.1.$((i % 250))\",\"dest_ip\":\"8.8.8.8\",\"proto\":\"UDP\",\"dns\":{\"rrname\":\"host$i.rsyslog-tls.test\",\"rrtype\":\"A\"}}"
done >"$WORK/input.log"
cat >"$WORK/rsyslog.conf" <<CONF
global(workDirectory="$WORK/rsyslog"
       DefaultNetstreamDriverCAFile="$PKI/ca.pem"
       DefaultNetstreamDriverCertFile="$PKI/client.pem"
       DefaultNetstreamDriverKeyFile="$PKI/client.key")
module(load="imfile")
input(type="imfile" File="$WORK/input.log" Tag="suricata:" ruleset="forward")
ruleset(name="forward") {
  action(type="omfwd" target="127.0.0.1" port="$TLS_PORT" protocol="tcp"
         StreamDriver="ossl" StreamDriverMode="1" StreamDriverAuthMode="x509/certvalid"
         TCP_Framing="octet-counted" template="RSYSLOG_SyslogProtocol23Format")
}
CONF
rsyslogd -n -f "$WORK/rsyslog.conf" -i "$WORK/rsyslog.pid" >"$WORK/rsyslog.log" 2>&1 &
EXTRA_PIDS+=($!)
wait_for_total "soc=soc-tls-evn&q=query.hostname:*.rsyslog-tls.test" 100 30
e=$(api GET '/api/v1/events?q=query.hostname:host7.rsyslog-tls.test')
[ "$(json_get "$e" 'd["events"][0]["khien.soc"]')" = soc-tls-evn ] || fail "rsyslog over TLS attribution: $e"
[ "$(json_get "$e" 'd["events"][0]["khien.org"]')" = evn ] || fail "rsyslog over TLS organisation: $e"
[ "$(json_get "$e" 'd["events"][0]["class_uid"]')" = 4003 ] || fail "JSON payload decoded as EVE DNS: $e"
[ "$(json_get "$e" 'd["events"][0]["khien.source"]')" = syslog-tls ] || fail "rsyslog over TLS source label: $e"
[ "$(json_get "$(api GET '/api/v1/events?limit=1&soc=soc-tls-range&q=query.hostname:*.rsyslog-tls.test')" 'd["total"]')" = 0 ] ||
  fail "rsyslog events attributed by address instead of by certificate"
grep -q "attributed to soc-tls-evn by client certificate name soc-tls-evn" "$WORK/server.log" || fail "attribution not logged"
pass "rsyslog over TLS (ossl driver, x509/certvalid): 100 events attributed to the certificate's SOC"

# 3. Refused: no client certificate, a certificate from another CA; a valid certificate naming no
#    SOC falls back to the sender address, and is refused from an address no SOC registers.
# send_frame MESSAGE [s_client args]: one octet-counted RFC 5424 frame through openssl s_client.
send_frame() {
  local msg="<13>1 2026-11-22T10:00:00Z tls-host tlsapp - - - $1"; shift
  printf '%d %s' "${#msg}" "$msg" | timeout 10 openssl s_client -connect "127.0.0.1:$TLS_PORT" -CAfile "$PKI/ca.pem" -quiet "$@" \
    >/dev/null 2>&1 || true
}
send_frame "frame-without-certificate"
send_frame "frame-from-another-ca" -cert "$PKI/rogue.pem" -key "$PKI/rogue.key"
wait_for_metric 'khien_ingest_dropped_total{source="syslog-tls",reason="client_certificate"} 2'
send_frame "frame-from-device-42" -cert "$PKI/device.pem" -key "$PKI/device.key"
wait_for_total "q=message:*frame-from-device-42" 1 20
[ "$(json_get "$(api GET '/api/v1/events?q=message:*frame-from-device-42')" 'd["events"][0]["khien.soc"]')" = soc-tls-range ] ||
  fail "fallback to the sender address"
python3 - "$TLS_PORT" "$PKI" <<'PY'
import socket, ssl, sys
port, pki = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=f"{pki}/ca.pem")
ctx.load_cert_chain(f"{pki}/device.pem", f"{pki}/device.key")
raw = socket.create_connection(("127.0.0.1", port), source_address=("127.0.0.2", 0))
with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as s:
    msg = b"<13>1 2026-11-22T10:00:00Z tls-host tlsapp - - - frame-from-unregistered-address"
    try:
        s.sendall(b"%d %s" % (len(msg), msg))
        s.recv(1)
    except OSError:
        pass
PY
wait_for_metric 'khien_ingest_unknown_senders_total{source="syslog-tls"} 1'
wait_for_metric 'khien_ingest_dropped_total{source="syslog-tls",reason="unknown_sender"} 1'
sleep 1
for m in frame-without-certificate frame-from-another-ca frame-from-unregistered-address; do
  [ "$(json_get "$(api GET "/api/v1/events?limit=1&q=message:*$m")" 'd["total"]')" = 0 ] || fail "stored although refused: $m"
done
grep -q "syslog-tls: connection from 127.0.0.1 refused: TLS handshake failed: .*certificate" "$WORK/server.log" || fail "refusal reason not logged"
pass "no certificate, another CA's certificate and an unknown sender refused and counted; address fallback"

# 4. min_version = "1.3" refuses a TLS 1.2 client.
stop_khien
sed -i 's/min_version = "1.2"/min_version = "1.3"/' "$WORK/khien.toml"
start_tls_khien "$WORK/khien.toml"
if curl -sS -m 5 --cacert "$PKI/ca.pem" --tlsv1.2 --tls-max 1.2 "https://$HTTPS_ADDR/healthz" >/dev/null 2>&1; then
  fail "TLS 1.2 accepted with min_version 1.3"
fi
[ "$(curl -sS --cacert "$PKI/ca.pem" "https://$HTTPS_ADDR/healthz" -o /dev/null -w '%{http_code}')" = 200 ] || fail "TLS 1.3 refused"
pass "min_version 1.3: TLS 1.2 refused, TLS 1.3 served"
