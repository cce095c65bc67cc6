#!/usr/bin/env bash
# DNS RPZ export into a real BIND 9 (named): indicators posted over TAXII (TLP:GREEN live,
# TLP:RED, expired), the exported zone loaded through response-policy beside a local primary
# test.vn; listed names and sub-domains get NXDOMAIN, others answer; the CNAME action points at
# a warning page; a new indicator raises the serial and `rndc reload` applies it.
source "$(dirname "$0")/lib/common.bash"
source "$(dirname "$0")/lib/intel_export.bash"
command -v named >/dev/null && command -v rndc >/dev/null && command -v dig >/dev/null ||
  fail "named, rndc and dig are needed (scripts/bootstrap installs bind9 and bind9-dnsutils)"

start_khien "$WORK/data"

indicators_envelope "$WORK/first.json" evil.test.vn:green:live red.test.vn:red:live expired.test.vn:green:expired
post_envelope "$WORK/first.json"
fetch_rpz "$WORK/rpz.zone"
first=$SERIAL
! grep -q 'red.test.vn\|expired.test.vn' "$WORK/rpz.zone" || fail "RED or expired indicator exported: $(cat "$WORK/rpz.zone")"
fetch_rpz "$WORK/warn.zone" "action=cname&target=canhbao.test.vn"
grep -qx 'evil.test.vn CNAME canhbao.test.vn.' "$WORK/warn.zone" || fail "cname action: $(cat "$WORK/warn.zone")"
code=$(curl -sS -o "$WORK/out" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "http://$HTTP/api/v1/export/rpz?max_tlp=red")
[ "$code" = 400 ] && grep -q 'TLP:RED' "$WORK/out" || fail "max_tlp=red: HTTP $code $(cat "$WORK/out")"
pass "RPZ zones (nxdomain and cname actions) pass named-checkzone; max_tlp=red refused"

port=$(free_port)
control=$(free_port)
mkdir -p "$WORK/named"
write_test_zone "$WORK/test.vn.zone"
echo 'canhbao IN A 192.0.2.99' >>"$WORK/test.vn.zone"
secret=$(openssl rand -base64 32)
cat >"$WORK/named/rndc.conf" <<CONF
key "rndc-key" { algorithm hmac-sha256; secret "$secret"; };
options { default-key "rndc-key"; default-server 127.0.0.1; default-port $control; };
CONF
cat >"$WORK/named/named.conf" <<CONF
key "rndc-key" { algorithm hmac-sha256; secret "$secret"; };
controls { inet 127.0.0.1 port $control allow { 127.0.0.1; } keys { "rndc-key"; }; };
options {
  directory "$WORK/named";
  listen-on port $port { 127.0.0.1; };
  listen-on-v6 { none; };
  pid-file "$WORK/named/named.pid";
  session-keyfile "$WORK/named/session.key";
  managed-keys-directory "$WORK/named";
  recursion yes;
  allow-query { 127.0.0.1; };
  allow-recursion { 127.0.0.1; };
  dnssec-validation no;
  # Policy updates apply at once (BIND batches them every 60 s by default).
  response-policy { zone "rpz.khien" min-update-interval 0; zone "warn.khien" min-update-interval 0; };
};
zone "rpz.khien" { type primary; file "$WORK/rpz.zone"; allow-query { none; }; };
zone "warn.khien" { type primary; file "$WORK/warn.zone"; allow-query { none; }; };
zone "test.vn" { type primary; file "$WORK/test.vn.zone"; };
CONF
named-checkconf "$WORK/named/named.conf" || fail "named-checkconf refused the test config"
named -g -c "$WORK/named/named.conf" >"$WORK/named/log" 2>&1 &
EXTRA_PIDS+=($!)
rndc_() { rndc -c "$WORK/named/rndc.conf" "$@"; }
for _ in $(seq 1 100); do rndc_ status >/dev/null 2>&1 && break; sleep 0.1; done
rndc_ status >/dev/null 2>&1 || fail "named did not start: $(tail -20 "$WORK/named/log")"
grep -q "zone rpz.khien/IN: loaded serial $first" "$WORK/named/log" || fail "named did not load serial $first: $(grep rpz "$WORK/named/log")"

expect_dns "$port" evil.test.vn NXDOMAIN
expect_dns "$port" www.evil.test.vn NXDOMAIN
expect_dns "$port" good.test.vn NOERROR 192.0.2.20
expect_dns "$port" red.test.vn NOERROR 192.0.2.30
expect_dns "$port" expired.test.vn NOERROR 192.0.2.40
expect_dns "$port" later.test.vn NOERROR 192.0.2.50
grep -q "rpz QNAME NXDOMAIN rewrite evil.test.vn" "$WORK/named/log" || fail "named logged no RPZ rewrite"
pass "named: listed name and its sub-domain NXDOMAIN; unlisted, RED and expired names answer"

indicators_envelope "$WORK/second.json" later.test.vn:green:live
post_envelope "$WORK/second.json"
fetch_rpz "$WORK/rpz.zone"
[ "$SERIAL" -gt "$first" ] || fail "serial did not increase: $first then $SERIAL"
rndc_ reload rpz.khien >/dev/null || fail "rndc reload rpz.khien failed"
for _ in $(seq 1 50); do grep -q "zone rpz.khien/IN: loaded serial $SERIAL" "$WORK/named/log" && break; sleep 0.1; done
grep -q "zone rpz.khien/IN: loaded serial $SERIAL" "$WORK/named/log" || fail "named did not load serial $SERIAL"
wait_dns "$port" later.test.vn NXDOMAIN
expect_dns "$port" evil.test.vn NXDOMAIN
pass "new indicator: serial $first -> $SERIAL, rndc reload applied it, later.test.vn now NXDOMAIN"

# The warning-page policy (a second policy zone, consulted after rpz.khien) with the nxdomain
# zone gone: the listed name answers with the warning page.
: >"$WORK/empty.zone"
fetch_rpz "$WORK/rpz.zone" "max_age_days=1&min_confidence=100"  # nothing has confidence 100: empty policy
rndc_ reload rpz.khien >/dev/null
sleep 0.5
dig @127.0.0.1 -p "$port" evil.test.vn A +tries=2 +time=2 >"$WORK/dig.out"
grep -q 'CNAME.*canhbao.test.vn' "$WORK/dig.out" && grep -q '192.0.2.99' "$WORK/dig.out" ||
  fail "cname action: $(cat "$WORK/dig.out")"
pass "cname action: evil.test.vn answers with the warning page canhbao.test.vn (192.0.2.99)"
