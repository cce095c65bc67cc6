#!/usr/bin/env bash
# Console identity with curl against `khien serve`: users made with `khien user`, login with a
# cookie jar, /auth/me, CSRF on state-changing requests, API keys (CLI and HTTP) working then
# revoked, lockout after repeated wrong passwords, logout, over-long inputs, disabled users,
# and the Secure cookie attribute over HTTPS.
source "$(dirname "$0")/lib/common.bash"

DATA=$WORK/data
JAR=$WORK/cookies
PW_ANALYST='analyst-pass-0001'
PW_SOC='soc-pass-000000001'

# 1. Users from the CLI (before the server: the registry is imported for the scope check).
printf '%s\n' "$PW_ANALYST" | "$KHIEN" user add an.nguyen --role national-analyst --name "Nguyễn An" --data "$DATA" >/dev/null \
  || fail "user add national-analyst"
printf '%s\n' "$PW_SOC" >"$WORK/soc.pw"
"$KHIEN" user add soc.bca --role org-soc --scope bo-cong-an --password-file "$WORK/soc.pw" --data "$DATA" >/dev/null \
  || fail "user add org-soc"
if printf 'x-password-1\n' | "$KHIEN" user add bad.scope --role org-soc --scope no-such-org --data "$DATA" 2>"$WORK/err"; then
  fail "an unknown organisation scope was accepted"
fi
grep -q "no-such-org" "$WORK/err" || fail "scope error does not name the scope: $(cat "$WORK/err")"
if printf 'x-password-1\n' | "$KHIEN" user add bad.role --role king --data "$DATA" 2>/dev/null; then fail "unknown role accepted"; fi
if printf 'short\n' | "$KHIEN" user add short.pw --role auditor --data "$DATA" 2>/dev/null; then fail "short password accepted"; fi
"$KHIEN" user list --data "$DATA" | grep -q "soc.bca .*org-soc .*bo-cong-an .*active" || fail "user list: $("$KHIEN" user list --data "$DATA")"
pass "khien user add (stdin and --password-file), scope checked against the registry, list"

cat >"$WORK/khien.toml" <<TOML
[auth]
lockout_attempts = 3
lockout_minutes = 5
[ingest]
max_body_bytes = 65536
TOML
start_khien "$DATA" --config "$WORK/khien.toml"

# call METHOD PATH [curl args...]: prints the body, then the status code on the last line.
call() {
  local method=$1 path=$2; shift 2
  curl -sS -X "$method" -D "$WORK/headers" -w '\n%{http_code}' "$@" "http://$HTTP$path"
}
body() { sed '$d' <<<"$1"; }
status() { tail -1 <<<"$1"; }
login_body() { python3 -c 'import json,sys; print(json.dumps({"login": sys.argv[1], "password": sys.argv[2]}))' "$1" "$2"; }

# 2. Login sets the session cookie with its attributes and returns the CSRF token.
answer=$(call POST /api/v1/auth/login -c "$JAR" -H 'Content-Type: application/json' --data "$(login_body an.nguyen "$PW_ANALYST")")
[ "$(status "$answer")" = 200 ] || fail "login: $answer"
CSRF=$(json_get "$(body "$answer")" 'd["csrf_token"]')
[ "$(json_get "$(body "$answer")" 'd["role"]')" = national-analyst ] || fail "login role: $answer"
cookie=$(grep -i '^set-cookie:' "$WORK/headers" | tr -d '\r')
for attr in 'khien_session=' 'HttpOnly' 'SameSite=Strict' 'Path=/'; do
  grep -q "$attr" <<<"$cookie" || fail "Set-Cookie lacks $attr: $cookie"
done
grep -q 'Secure' <<<"$cookie" && fail "Secure set on a plain-HTTP listener: $cookie"
pass "login: cookie ($cookie), csrf token returned"

answer=$(call GET /api/v1/auth/me -b "$JAR")
[ "$(status "$answer")" = 200 ] || fail "me: $answer"
[ "$(json_get "$(body "$answer")" 'd["user"] + "/" + d["via"] + "/" + d["scope_kind"]')" = an.nguyen/session/national ] || fail "me: $answer"
[ "$(json_get "$(body "$answer")" 'd["csrf_token"]')" = "$CSRF" ] || fail "me does not return the session's csrf token"
pass "/auth/me with the cookie"

# 3. CSRF: a state-changing request by cookie needs X-CSRF-Token equal to the session's.
answer=$(call POST /api/v1/auth/keys -b "$JAR" -H 'Content-Type: application/json' --data '{"name":"ci"}')
[ "$(status "$answer")" = 403 ] || fail "POST without CSRF header: $answer"
grep -q "CSRF" <<<"$answer" || fail "CSRF refusal does not say why: $answer"
answer=$(call POST /api/v1/auth/keys -b "$JAR" -H 'X-CSRF-Token: 0000' -H 'Content-Type: application/json' --data '{"name":"ci"}')
[ "$(status "$answer")" = 403 ] || fail "POST with a wrong CSRF header: $answer"
answer=$(call POST /api/v1/auth/keys -b "$JAR" -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' --data '{"name":"ci"}')
[ "$(status "$answer")" = 201 ] || fail "POST with the CSRF header: $answer"
KEY=$(json_get "$(body "$answer")" 'd["key"]')
KEY_ID=$(json_get "$(body "$answer")" 'd["id"]')
pass "POST without / with a wrong X-CSRF-Token refused 403, with it accepted"

# 4. The API key authenticates as its user, then is revoked.
answer=$(call GET /api/v1/auth/me -H "Authorization: Bearer $KEY")
[ "$(json_get "$(body "$answer")" 'd["user"] + "/" + d["via"]')" = an.nguyen/api-key ] || fail "API key me: $answer"
answer=$(call GET /api/v1/auth/keys -b "$JAR")
grep -q "$KEY" <<<"$answer" && fail "the key list shows the key itself"
grep -q "$KEY_ID" <<<"$answer" || fail "key list lacks $KEY_ID: $answer"
answer=$(call DELETE "/api/v1/auth/keys/$KEY_ID" -b "$JAR" -H "X-CSRF-Token: $CSRF")
[ "$(status "$answer")" = 200 ] || fail "revoke: $answer"
answer=$(call GET /api/v1/auth/me -H "Authorization: Bearer $KEY")
[ "$(status "$answer")" = 401 ] || fail "revoked key still accepted: $answer"
pass "API key works as Bearer, listed without its secret, refused 401 after revocation"

# A key issued by the CLI for the org-soc user carries that user's role and scope.
CLI_KEY=$("$KHIEN" user key soc.bca --name connector --data "$DATA" 2>/dev/null)
answer=$(call GET /api/v1/auth/me -H "Authorization: Bearer $CLI_KEY")
[ "$(json_get "$(body "$answer")" 'd["role"] + "/" + d["scope"]')" = org-soc/bo-cong-an ] || fail "CLI key me: $answer"
answer=$(call GET /api/v1/users -H "Authorization: Bearer $CLI_KEY")
[ "$(status "$answer")" = 403 ] || fail "org-soc listing users: $answer"
answer=$(call GET /api/v1/users -H "Authorization: Bearer $TOKEN")
[ "$(status "$answer")" = 200 ] || fail "admin token listing users: $answer"
answer=$(call GET /api/v1/auth/me -H "Authorization: Bearer $TOKEN")
[ "$(json_get "$(body "$answer")" 'd["role"] + "/" + d["via"]')" = national-admin/admin-token ] || fail "admin me: $answer"
pass "CLI key scoped to org-soc/bo-cong-an; users list refused to org-soc (403), allowed to the admin token"

# 5. Lockout: three wrong passwords lock the account, even the right one is then refused.
for i in 1 2; do
  answer=$(call POST /api/v1/auth/login -H 'Content-Type: application/json' --data "$(login_body soc.bca wrong-password-$i)")
  [ "$(status "$answer")" = 401 ] || fail "wrong password $i: $answer"
done
answer=$(call POST /api/v1/auth/login -H 'Content-Type: application/json' --data "$(login_body soc.bca wrong-password-3)")
[ "$(status "$answer")" = 429 ] || fail "third wrong password did not lock: $answer"
grep -q "locked" <<<"$answer" || fail "lockout message: $answer"
grep -qi '^retry-after:' "$WORK/headers" || fail "no Retry-After on the lockout"
answer=$(call POST /api/v1/auth/login -H 'Content-Type: application/json' --data "$(login_body soc.bca "$PW_SOC")")
[ "$(status "$answer")" = 429 ] || fail "right password during lockout: $answer"
grep -q "failed login for 'soc.bca'" "$WORK/server.log" || fail "failed logins not logged"
grep -q "user 'soc.bca' locked until" "$WORK/server.log" || fail "lockout not logged"
"$KHIEN" user list --data "$DATA" | grep -q "soc.bca .*locked until" || fail "user list does not show the lock"
printf '%s\n' "$PW_SOC" | "$KHIEN" user passwd soc.bca --data "$DATA" >/dev/null || fail "passwd"
answer=$(call POST /api/v1/auth/login -H 'Content-Type: application/json' --data "$(login_body soc.bca "$PW_SOC")")
[ "$(status "$answer")" = 200 ] || fail "login after passwd cleared the lock: $answer"
pass "3 wrong passwords → 429 with a clear message (logged); passwd clears the lock"

# 6. Over-long and malformed input is refused before any hashing.
long_login=$(printf 'a%.0s' $(seq 1 65))
answer=$(call POST /api/v1/auth/login -H 'Content-Type: application/json' --data "$(login_body "$long_login" whatever-pass)")
[ "$(status "$answer")" = 400 ] || fail "over-long login: $answer"
long_pw=$(printf 'p%.0s' $(seq 1 2000))
answer=$(call POST /api/v1/auth/login -H 'Content-Type: application/json' --data "$(login_body an.nguyen "$long_pw")")
[ "$(status "$answer")" = 400 ] || fail "over-long password: $answer"
answer=$(call POST /api/v1/auth/login -H 'Content-Type: application/json' --data 'not json')
[ "$(status "$answer")" = 400 ] || fail "non-JSON login: $answer"
answer=$(call GET /api/v1/auth/me -H "Cookie: khien_session=$(printf 'z%.0s' $(seq 1 300))")
[ "$(status "$answer")" = 401 ] || fail "over-long cookie: $answer"
pass "over-long login (65 B) / password (2000 B) / non-JSON refused 400, over-long cookie 401"

# 7. Logout revokes the session: the same cookie is refused afterwards.
cp "$JAR" "$WORK/old-cookies"
answer=$(call POST /api/v1/auth/logout -b "$JAR" -c "$JAR" -H "X-CSRF-Token: $CSRF")
[ "$(status "$answer")" = 200 ] || fail "logout: $answer"
answer=$(call GET /api/v1/auth/me -b "$WORK/old-cookies")
[ "$(status "$answer")" = 401 ] || fail "cookie still valid after logout: $answer"
pass "logout, then the old cookie is refused 401"

# 8. Disabling a user ends their sessions and refuses new logins.
answer=$(call POST /api/v1/auth/login -c "$JAR" -H 'Content-Type: application/json' --data "$(login_body an.nguyen "$PW_ANALYST")")
[ "$(status "$answer")" = 200 ] || fail "second login: $answer"
"$KHIEN" user disable an.nguyen --data "$DATA" >/dev/null || fail "user disable"
answer=$(call GET /api/v1/auth/me -b "$JAR")
[ "$(status "$answer")" = 401 ] || fail "disabled user's session still valid: $answer"
answer=$(call POST /api/v1/auth/login -H 'Content-Type: application/json' --data "$(login_body an.nguyen "$PW_ANALYST")")
[ "$(status "$answer")" = 403 ] || fail "disabled user's login: $answer"
pass "khien user disable ends the session and refuses login (403)"

# An over-long body is refused by the HTTP server before any route; sent from another loopback
# address so that it is the first input_too_long of its source this minute (repeats are coalesced).
answer=$(head -c 100000 /dev/zero | tr '\0' 'a' | call POST /api/v1/ingest --interface 127.0.0.2 \
  -H 'Content-Type: application/x-ndjson' --data-binary @-)
[ "$(status "$answer")" = 413 ] || fail "a body over [ingest] max_body_bytes must be 413: $answer"

# 9. Security events are in the hash-chained audit log, not only in the server log: who, from
# where, what and why; repeats from one address within a minute are one entry plus a count.
api GET '/api/v1/audit?limit=1000' >"$WORK/audit.json"
python3 - "$WORK/audit.json" "$KEY_ID" <<'PY' || fail "security events in GET /api/v1/audit"
import json, sys
entries = [e for e in json.load(open(sys.argv[1]))["entries"] if e["action"].startswith("security.")]
def find(action, actor, reason):
    return [e for e in entries if e["action"] == action and e["actor"] == actor and reason in e["after"]["reason"]
            and e["object_type"] == "source" and e["after"]["source"] == e["object_id"] == "127.0.0.1"]
checks = [("security.login_failed", "soc.bca", "wrong password"),
          ("security.account_locked", "soc.bca", "after 3 failed logins"),
          ("security.csrf_refused", "an.nguyen", "missing X-CSRF-Token (POST /api/v1/auth/keys)"),
          ("security.api_key_refused", "key:" + sys.argv[2], "revoked API key of 'an.nguyen'"),
          ("security.input_too_long", "anonymous", "login: longer than 64 bytes"),
          ("security.session_refused", "anonymous", "session cookie of 300 bytes")]
missing = [c for c in checks if not find(*c)]
if not [e for e in entries if e["action"] == "security.input_too_long" and e["object_id"] == "127.0.0.2"
        and "request body larger than 65536 bytes: POST /api/v1/ingest" in e["after"]["reason"]]:
    missing.append(("security.input_too_long", "127.0.0.2", "request body larger than 65536 bytes"))
for c in missing:
    print("not in the audit log:", c)
# Four failed logins of soc.bca from one address in one minute: one entry (the rest counted later).
failed = [e for e in entries if e["action"] == "security.login_failed" and e["object_id"] == "127.0.0.1"]
if not 1 <= len(failed) < 5:
    print(f"{len(failed)} login_failed entries for 5 failures: not coalesced")
    missing.append("coalescing")
sys.exit(1 if missing else 0)
PY
"$KHIEN" audit verify --data "$DATA" >"$WORK/verify.txt" 2>&1 || fail "audit verify after security events: $(cat "$WORK/verify.txt")"
pass "wrong password, lockout, missing CSRF token, revoked key, over-long login, cookie and request body are in GET /api/v1/audit (repeats coalesced); the chain verifies"
stop_khien

# 10. Over HTTPS the session cookie is also Secure.
mkdir -p "$WORK/pki"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=khien login test" \
  -addext "subjectAltName=IP:127.0.0.1" -keyout "$WORK/pki/server.key" -out "$WORK/pki/server.pem" 2>/dev/null \
  || fail "openssl could not make a test certificate"
cat >>"$WORK/khien.toml" <<TOML
[tls]
cert = "pki/server.pem"
key = "pki/server.key"
http = true
TOML
"$KHIEN" serve --data "$DATA" --config "$WORK/khien.toml" --http 127.0.0.1:0 --syslog-udp off --syslog-tcp off \
  >"$WORK/tls.log" 2>&1 &
KHIEN_PID=$!
for _ in $(seq 1 200); do
  kill -0 "$KHIEN_PID" 2>/dev/null || fail "khien exited at start over HTTPS: $(cat "$WORK/tls.log")"
  grep -q "administrator token" "$WORK/tls.log" && break
  sleep 0.1
done
HTTPS_ADDR=$(grep -o 'http listening on https://[0-9.:]*' "$WORK/tls.log" | sed 's/.*https:\/\///')
[ -n "$HTTPS_ADDR" ] || fail "khien did not print an https:// address"
code=$(curl -sS --cacert "$WORK/pki/server.pem" -D "$WORK/headers" -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
  --data "$(login_body soc.bca "$PW_SOC")" "https://$HTTPS_ADDR/api/v1/auth/login")
[ "$code" = 200 ] || fail "login over HTTPS: $code"
cookie=$(grep -i '^set-cookie:' "$WORK/headers" | tr -d '\r')
grep -q '; Secure' <<<"$cookie" || fail "no Secure attribute over HTTPS: $cookie"
pass "over HTTPS the cookie is Secure ($cookie)"
stop_khien
