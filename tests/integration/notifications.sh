#!/usr/bin/env bash
# Warning notifications to real peers on loopback: a webhook receiver (python http.server that
# checks the HMAC signature, records bodies and answers 500 once) and an SMTP sink (python smtpd
# writing each message to a file). A SOC of EVN goes silent: its soc-health warning (TLP:AMBER)
# reaches EVN and the energy sector CERT by webhook and mail, after one retry, and never VNPT;
# then, with health warnings marked TLP:RED, only EVN (the named recipient) receives one.
source "$(dirname "$0")/lib/common.bash"

OUT=$WORK/out
mkdir -p "$OUT/mail"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
HOOK_PORT=$(free_port)
SMTP_PORT=$(free_port)

cat > "$WORK/hook.py" <<'PY'
import hashlib, hmac, http.server, json, sys
port, out = int(sys.argv[1]), sys.argv[2]
secrets = {"/evn": b"evn-secret", "/cert": b"cert-secret", "/vnpt": b"vnpt-secret"}
state = {"first": True}
class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        want = "sha256=" + hmac.new(secrets.get(self.path, b""), body, hashlib.sha256).hexdigest()
        ok = hmac.compare_digest(want, self.headers.get("X-Khien-Signature", ""))
        code = 204 if ok else 401
        if ok and state["first"]:
            state["first"] = False
            code = 500
        with open(out, "a") as f:
            f.write(json.dumps({"path": self.path, "valid": ok, "code": code,
                                "delivery": self.headers.get("X-Khien-Delivery"), "body": json.loads(body)}) + "\n")
        self.send_response(code)
        self.end_headers()
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", port), Hook).serve_forever()
PY
cat > "$WORK/sink.py" <<'PY'
import asyncore, os, smtpd, sys, warnings
warnings.simplefilter("ignore")
port, out = int(sys.argv[1]), sys.argv[2]
class Sink(smtpd.SMTPServer):
    n = 0
    def process_message(self, peer, mailfrom, rcpttos, data, **kw):
        Sink.n += 1
        with open(os.path.join(out, "%03d.eml" % Sink.n), "wb") as f:
            f.write(("X-Sink-Rcpt: %s\r\n" % ",".join(rcpttos)).encode() + data)
Sink(("127.0.0.1", port), None, decode_data=False)
asyncore.loop()
PY
python3 "$WORK/hook.py" "$HOOK_PORT" "$OUT/hooks.jsonl" & EXTRA_PIDS+=($!)
python3 -W ignore "$WORK/sink.py" "$SMTP_PORT" "$OUT/mail" & EXTRA_PIDS+=($!)
for _ in $(seq 1 50); do
  # The sink is asked with a whole SMTP session: smtpd does not survive a bare connect-and-close.
  python3 -c "import smtplib,socket,sys; socket.create_connection(('127.0.0.1',int(sys.argv[1])),1).close(); smtplib.SMTP('127.0.0.1',int(sys.argv[2]),timeout=2).quit()" "$HOOK_PORT" "$SMTP_PORT" 2>/dev/null && break
  sleep 0.1
done

config() {  # config TLP
  cat > "$WORK/khien.toml" <<TOML
[health]
bucket = "1s"
min_silence = "3s"
silence_factor = 3
min_active_buckets = 3
tlp = "$1"
[notifications]
backoff_ms = 300
[smtp]
host = "127.0.0.1"
port = $SMTP_PORT
from = "khien@watch.test"
[[webhooks]]
org = "evn"
url = "http://127.0.0.1:$HOOK_PORT/evn"
secret = "evn-secret"
[[webhooks]]
org = "cert-nang-luong"
url = "http://127.0.0.1:$HOOK_PORT/cert"
secret = "cert-secret"
[[webhooks]]
org = "vnpt"
url = "http://127.0.0.1:$HOOK_PORT/vnpt"
secret = "vnpt-secret"
[[mail_recipients]]
org = "evn"
to = "soc@evn.test"
[[mail_recipients]]
org = "cert-nang-luong"
to = "cert@nang-luong.test"
[[mail_recipients]]
org = "vnpt"
to = "noc@vnpt.test"
TOML
}

send() {  # send KEY SECONDS
  local until=$((SECONDS + $2))
  while [ $SECONDS -lt $until ]; do
    echo '{"@timestamp":"2026-11-22T03:00:01.000Z","ecs":{"version":"8.11.0"},"event":{"category":["network"]},"source":{"ip":"10.20.0.5","port":1234},"destination":{"ip":"1.1.1.1","port":443}}' |
      curl -sS -o /dev/null -H "Authorization: Bearer $1" -H 'Content-Type: application/x-ndjson' --data-binary @- "http://$HTTP/api/v1/ingest?format=ecs"
    sleep 0.3
  done
}

# Sending lasts 6 s and waits allow 45 s: a SOC counts as sending only after 3 one-second buckets with
# events, and an ASan server beside other tests can be slow; a wait ends as soon as it holds.
wait_for() {  # wait_for SECONDS 'CONDITION': until the shell CONDITION (evaluated afresh each time) holds
  local n=$(($1 * 10))
  for _ in $(seq 1 $n); do eval "$2" && return 0; sleep 0.1; done
  return 1
}
hooks() { python3 -c "import json,sys; print(sum(1 for l in open(sys.argv[1]) if eval(sys.argv[2], {}, {'h': json.loads(l)})))" "$OUT/hooks.jsonl" "$1" 2>/dev/null || echo 0; }
cert_ok() { hooks 'h["path"]=="/cert" and h["code"]==204'; }
evn_ok() { hooks 'h["path"]=="/evn" and h["code"]==204'; }
mails_to() { grep -l "^X-Sink-Rcpt: $1" "$OUT"/mail/*.eml 2>/dev/null | wc -l; }

# 1. TLP:AMBER: the affected organisation and its sector CERT.
DATA=$WORK/data
KEY=$("$KHIEN" soc add --data "$DATA" --org evn --id soc-evn-notify --name "EVN notify SOC" | python3 -c 'import json,sys; print(json.load(sys.stdin)["api_key"])')
config amber
start_khien "$DATA" --config "$WORK/khien.toml"
send "$KEY" 6
wait_for 45 '[ "$(cert_ok)" -ge 1 ]' || fail "no webhook for the sector CERT: $(api GET /api/v1/notifications/deliveries)"
wait_for 45 '[ "$(evn_ok)" -ge 1 ]' || fail "no webhook for EVN after its retry: $(cat "$OUT/hooks.jsonl")"
[ "$(hooks 'not h["valid"]')" = 0 ] || fail "a webhook carried a bad signature: $(cat "$OUT/hooks.jsonl")"
[ "$(hooks 'h["code"]==500')" = 1 ] || fail "exactly one answer 500 expected"
first=$(head -1 "$OUT/hooks.jsonl")
retried=$(python3 -c "import json,sys; ls=[json.loads(l) for l in open(sys.argv[1])]; f=ls[0]; print(sum(1 for l in ls if l['delivery']==f['delivery'] and l['code']==204))" "$OUT/hooks.jsonl")
[ "$retried" = 1 ] || fail "the delivery answered 500 must succeed on retry with the same X-Khien-Delivery: $(cat "$OUT/hooks.jsonl")"
body=$(python3 -c "import json,sys; print(json.dumps([json.loads(l) for l in open(sys.argv[1]) if json.loads(l)['path']=='/evn'][0]['body']))" "$OUT/hooks.jsonl")
[ "$(json_get "$body" 'd["tlp"]')" = TLP:AMBER ] || fail "payload TLP: $body"
[ "$(json_get "$body" 'd["warning"]["kind"]')" = soc-health ] || fail "payload kind: $body"
[ "$(json_get "$body" 'd["warning"]["details"]["soc"]')" = soc-evn-notify ] || fail "payload names the SOC: $body"
pass "webhooks: EVN and cert-nang-luong received signed soc-health warnings; EVN's after one 500 and a retry"

DID=$(json_get "$first" 'd["delivery"]')
log=$(api GET "/api/v1/notifications/deliveries?channel=webhook")
[ "$(json_get "$log" "[x['attempts'] for x in d['deliveries'] if x['id']=='$DID'][0]")" = 2 ] || fail "delivery log attempts: $log"
[ "$(json_get "$log" "[x['status'] for x in d['deliveries'] if x['id']=='$DID'][0]")" = delivered ] || fail "delivery log status: $log"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://$HTTP/api/v1/notifications/deliveries")" = 401 ] || fail "deliveries without credentials must be 401"
pass "delivery log: $DID delivered after 2 attempts"

wait_for 20 '[ "$(mails_to soc@evn.test)" -ge 1 ]' || fail "no mail to soc@evn.test: $(ls "$OUT/mail")"
wait_for 20 '[ "$(mails_to cert@nang-luong.test)" -ge 1 ]' || fail "no mail to the sector CERT"
mail=$(grep -l "^X-Sink-Rcpt: soc@evn.test" "$OUT"/mail/*.eml | head -1)
grep -q "^Subject: \[khien\]\[TLP:AMBER\]" "$mail" || fail "mail subject: $(head -20 "$mail")"
grep -q "soc-evn-notify" "$mail" || fail "mail names the SOC"
pass "mail: soc@evn.test and cert@nang-luong.test received the warning"

# VNPT is not affected: nothing at all.
[ "$(hooks 'h["path"]=="/vnpt"')" = 0 ] || fail "VNPT must receive no webhook"
[ "$(mails_to noc@vnpt.test)" = 0 ] || fail "VNPT must receive no mail"
pass "an unaffected organisation received nothing"
stop_khien

# 2. TLP:RED: only the named recipient (EVN), never the sector CERT.
cert_hooks=$(hooks 'h["path"]=="/cert"')
cert_mails=$(mails_to cert@nang-luong.test)
evn_hooks=$(hooks 'h["path"]=="/evn" and h["code"]==204')
evn_mails=$(mails_to soc@evn.test)
DATA2=$WORK/data2
KEY2=$("$KHIEN" soc add --data "$DATA2" --org evn --id soc-evn-red --name "EVN red SOC" | python3 -c 'import json,sys; print(json.load(sys.stdin)["api_key"])')
config red
start_khien "$DATA2" --config "$WORK/khien.toml"
send "$KEY2" 6
wait_for 45 '[ "$(evn_ok)" -gt "$evn_hooks" ]' || fail "no RED webhook for EVN"
wait_for 45 '[ "$(mails_to soc@evn.test)" -gt "$evn_mails" ]' || fail "no RED mail for EVN"
red=$(tail -1 "$OUT/hooks.jsonl")
[ "$(json_get "$red" 'd["body"]["tlp"]')" = TLP:RED ] || fail "RED payload: $red"
[ "$(json_get "$red" '"sectors" in d["body"]["warning"]')" = False ] || fail "RED payload minimised: $red"
sleep 2  # time for any wrong delivery to show
[ "$(hooks 'h["path"]=="/cert"')" = "$cert_hooks" ] || fail "a TLP:RED warning reached the sector CERT's webhook"
[ "$(mails_to cert@nang-luong.test)" = "$cert_mails" ] || fail "a TLP:RED warning reached the sector CERT's mailbox"
log=$(api GET "/api/v1/notifications/deliveries")
[ "$(json_get "$log" 'sorted(set(x["org"] for x in d["deliveries"]))')" = "['evn']" ] || fail "RED deliveries only to EVN: $log"
pass "TLP:RED: EVN only, minimised; the sector CERT received nothing"
