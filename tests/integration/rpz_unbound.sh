#!/usr/bin/env bash
# DNS RPZ export into a real Unbound: indicators posted over TAXII (TLP:GREEN live, TLP:RED,
# expired), GET /api/v1/export/rpz checked by named-checkzone and loaded by unbound as an rpz:
# zone beside a local authoritative test.vn; listed names and their sub-domains get NXDOMAIN,
# others answer normally; a new indicator raises the SOA serial and `unbound-control reload`
# applies it.
source "$(dirname "$0")/lib/common.bash"
source "$(dirname "$0")/lib/intel_export.bash"
command -v unbound >/dev/null && command -v dig >/dev/null && command -v named-checkzone >/dev/null ||
  fail "unbound, dig and named-checkzone are needed (scripts/bootstrap installs unbound, bind9, bind9-dnsutils)"

start_khien "$WORK/data"

# 1. Indicators: one GREEN live, one RED (never exported), one expired.
indicators_envelope "$WORK/first.json" evil.test.vn:green:live red.test.vn:red:live expired.test.vn:green:expired
post_envelope "$WORK/first.json"
fetch_rpz "$WORK/rpz.zone"
first=$SERIAL
grep -qx 'evil.test.vn CNAME .' "$WORK/rpz.zone" && grep -qx '\*.evil.test.vn CNAME .' "$WORK/rpz.zone" || fail "evil.test.vn not listed: $(cat "$WORK/rpz.zone")"
! grep -q 'red.test.vn\|expired.test.vn' "$WORK/rpz.zone" || fail "RED or expired indicator exported: $(cat "$WORK/rpz.zone")"
fetch_rpz "$WORK/again.zone"
[ "$SERIAL" = "$first" ] || fail "serial moved from $first to $SERIAL without a change"
pass "RPZ zone: GREEN listed, RED and expired left out, named-checkzone accepts it, serial $first stable"

# 2. Unbound on a free loopback port: the RPZ zone file plus test.vn served locally.
port=$(free_port)
mkdir -p "$WORK/unbound"
write_test_zone "$WORK/test.vn.zone"
cat >"$WORK/unbound/unbound.conf" <<CONF
server:
  interface: 127.0.0.1
  port: $port
  do-daemonize: no
  username: ""
  chroot: ""
  directory: "$WORK/unbound"
  pidfile: "$WORK/unbound/unbound.pid"
  use-syslog: no
  verbosity: 1
  access-control: 127.0.0.0/8 allow
  # respip runs the RPZ policies; no root hints: every name asked is under test.vn.
  module-config: "respip iterator"
  do-not-query-localhost: no
  root-hints: ""
auth-zone:
  name: "test.vn."
  zonefile: "$WORK/test.vn.zone"
  for-upstream: yes
  for-downstream: no
  fallback-enabled: no
rpz:
  name: "rpz.khien."
  zonefile: "$WORK/rpz.zone"
  rpz-log: yes
  rpz-log-name: "khien"
remote-control:
  control-enable: yes
  control-interface: "$WORK/unbound/control.sock"
  control-use-cert: no
CONF
unbound-checkconf "$WORK/unbound/unbound.conf" >/dev/null || fail "unbound-checkconf: $(unbound-checkconf "$WORK/unbound/unbound.conf")"
unbound -d -c "$WORK/unbound/unbound.conf" >"$WORK/unbound/log" 2>&1 &
EXTRA_PIDS+=($!)
ctl() { unbound-control -c "$WORK/unbound/unbound.conf" "$@"; }
for _ in $(seq 1 50); do ctl status >/dev/null 2>&1 && break; sleep 0.1; done
ctl status >/dev/null 2>&1 || fail "unbound did not start: $(cat "$WORK/unbound/log")"
ctl list_auth_zones | grep -q "rpz.khien.*serial $first" || fail "unbound's rpz zone serial: $(ctl list_auth_zones)"

expect_dns "$port" evil.test.vn NXDOMAIN
expect_dns "$port" www.evil.test.vn NXDOMAIN
expect_dns "$port" good.test.vn NOERROR 192.0.2.20
expect_dns "$port" red.test.vn NOERROR 192.0.2.30
expect_dns "$port" expired.test.vn NOERROR 192.0.2.40
expect_dns "$port" later.test.vn NOERROR 192.0.2.50
pass "unbound: listed name and its sub-domain NXDOMAIN; unlisted, RED and expired names answer"

# 3. A new indicator: higher serial, picked up by a reload.
indicators_envelope "$WORK/second.json" later.test.vn:green:live
post_envelope "$WORK/second.json"
fetch_rpz "$WORK/rpz.zone"
[ "$SERIAL" -gt "$first" ] || fail "serial did not increase: $first then $SERIAL"
ctl reload >/dev/null || fail "unbound-control reload failed"
for _ in $(seq 1 50); do ctl status >/dev/null 2>&1 && break; sleep 0.1; done
ctl list_auth_zones | grep -q "rpz.khien.*serial $SERIAL" || fail "after reload, unbound has: $(ctl list_auth_zones)"
wait_dns "$port" later.test.vn NXDOMAIN
expect_dns "$port" evil.test.vn NXDOMAIN
expect_dns "$port" good.test.vn NOERROR 192.0.2.20
pass "new indicator: serial $first -> $SERIAL, unbound reloaded it, later.test.vn now NXDOMAIN"

# 4. The CLI writes the same policy from the data directory.
"$KHIEN" export rpz --data "$WORK/data" -o "$WORK/cli.zone" 2>"$WORK/cli.err" || fail "khien export rpz: $(cat "$WORK/cli.err")"
diff <(grep CNAME "$WORK/rpz.zone") <(grep CNAME "$WORK/cli.zone") || fail "CLI zone differs from the API zone"
grep -q "^@ IN SOA localhost. hostmaster.localhost. $SERIAL " "$WORK/cli.zone" || fail "CLI zone serial: $(grep SOA "$WORK/cli.zone")"
pass "khien export rpz writes the same records with the same serial"
