#!/usr/bin/env bash
# Tampering with the audit store: khien writes a few audited changes through the API; then one byte of
# one entry is changed with the sqlite3 CLI (the server stopped), and `khien audit verify` must fail
# naming that entry. Deleting an entry and swapping two entries are caught too, and so is a byte edit
# of the database file itself.
source "$(dirname "$0")/lib/common.bash"

command -v sqlite3 >/dev/null || fail "sqlite3 CLI missing (apt-get install sqlite3)"
DATA=$WORK/data
start_khien "$DATA"
for i in 1 2 3; do
  api POST /api/v1/incidents -d "{\"title\": \"Tamper test $i\", \"category\": \"test.test\", \"affected_orgs\": [\"evn\"]}" > "$WORK/inc$i.json"
  json_get "$(cat "$WORK/inc$i.json")" 'd["id"]' > /dev/null || fail "open: $(cat "$WORK/inc$i.json")"
done
INC=$(json_get "$(cat "$WORK/inc2.json")" 'd["id"]')
api POST "/api/v1/incidents/$INC/comments" -d '{"text": "first look"}' > /dev/null
v=$(api GET /api/v1/audit/verify)
[ "$(json_get "$v" 'd["ok"]')" = True ] || fail "API verify before tampering: $v"
stop_khien

"$KHIEN" audit verify --data "$DATA" > "$WORK/ok.txt" || fail "verify of an untouched chain failed: $(cat "$WORK/ok.txt")"
grep -q "intact" "$WORK/ok.txt" || fail "verify output: $(cat "$WORK/ok.txt")"
TOTAL=$(sqlite3 "$DATA/cases.db" "SELECT COUNT(*) FROM audit_log")
[ "$TOTAL" -ge 5 ] || fail "expected at least 5 audit entries, found $TOTAL"
# The entries of the incidents (the first ones are the first-start import of the shipped systems).
A=$(sqlite3 "$DATA/cases.db" "SELECT MIN(seq) FROM audit_log WHERE action = 'incident.open'")
B=$((A + 1)); C=$((A + 2))
[ "$(sqlite3 "$DATA/cases.db" "SELECT action FROM audit_log WHERE seq = $B")" = incident.open ] || fail "entry $B is not an incident opening"
pass "a clean chain of $TOTAL entries verifies (exit 0); incidents opened at entries $A, $B, $C"

cp "$DATA/cases.db" "$WORK/clean.db"
restore() { cp "$WORK/clean.db" "$DATA/cases.db"; rm -f "$DATA/cases.db-wal" "$DATA/cases.db-shm"; }
# verify_fails_at SEQ WHAT: `khien audit verify` must exit non-zero naming entry SEQ.
verify_fails_at() {
  local seq=$1 what=$2 rc=0
  "$KHIEN" audit verify --data "$DATA" > "$WORK/bad.txt" 2>&1 || rc=$?
  [ "$rc" -ne 0 ] || fail "$what: verify passed: $(cat "$WORK/bad.txt")"
  grep -q "BROKEN at entry $seq:" "$WORK/bad.txt" || fail "$what: expected entry $seq to be named: $(cat "$WORK/bad.txt")"
  pass "$what: verify exits $rc naming entry $seq ($(cat "$WORK/bad.txt"))"
}

# One byte of one entry: the actor of entry B "admin" -> "admim".
sqlite3 "$DATA/cases.db" "UPDATE audit_log SET actor = 'admim' WHERE seq = $B"
verify_fails_at $B "one byte of entry $B's actor changed"
restore

# One byte inside the after-document of entry C (a letter of the title).
sqlite3 "$DATA/cases.db" "UPDATE audit_log SET after_json = replace(after_json, 'Tamper', 'Tamp3r') WHERE seq = $C"
[ "$(sqlite3 "$DATA/cases.db" "SELECT instr(after_json, 'Tamp3r') > 0 FROM audit_log WHERE seq = $C")" = 1 ] || fail "the edit did not apply"
verify_fails_at $C "one byte of entry $C's after-document changed"
restore

# Deleting entry B.
sqlite3 "$DATA/cases.db" "DELETE FROM audit_log WHERE seq = $B"
verify_fails_at $B "entry $B deleted"
restore

# Swapping entries A and B (reordering).
sqlite3 "$DATA/cases.db" "UPDATE audit_log SET seq = -1 WHERE seq = $A; UPDATE audit_log SET seq = $A WHERE seq = $B; UPDATE audit_log SET seq = $B WHERE seq = -1;"
verify_fails_at $A "entries $A and $B swapped"
restore

# The last entry removed (a truncated tail is caught against the stored head).
sqlite3 "$DATA/cases.db" "DELETE FROM audit_log WHERE seq = $TOTAL"
verify_fails_at "$TOTAL" "last entry $TOTAL removed"
restore

# A byte edit of the file itself, outside SQLite: flip one character of entry C's hash where it is stored.
sqlite3 "$DATA/cases.db" "PRAGMA journal_mode=DELETE; VACUUM;" > /dev/null
HASH=$(sqlite3 "$DATA/cases.db" "SELECT hash FROM audit_log WHERE seq = $C")
python3 - "$DATA/cases.db" "$HASH" <<'PY'
import sys
path, h = sys.argv[1], sys.argv[2].encode()
data = bytearray(open(path, "rb").read())
i = data.find(h)
assert i >= 0, "hash not found in the file"
data[i] = ord("0") if data[i] != ord("0") else ord("1")
open(path, "wb").write(bytes(data))
PY
rc=0
"$KHIEN" audit verify --data "$DATA" > "$WORK/bad.txt" 2>&1 || rc=$?
[ "$rc" -ne 0 ] || fail "a byte edit of the file passed verify"
grep -Eq "BROKEN at entry ($C|$((C + 1))):" "$WORK/bad.txt" || fail "byte edit: $(cat "$WORK/bad.txt")"
pass "a byte flipped in the database file is caught: $(cat "$WORK/bad.txt")"
restore

"$KHIEN" audit verify --data "$DATA" > /dev/null || fail "the restored chain does not verify"
rc=0; "$KHIEN" audit verify --data "$WORK/nowhere" > "$WORK/none.txt" 2>&1 || rc=$?
[ "$rc" -ne 0 ] && grep -q "does not exist" "$WORK/none.txt" || fail "missing store: rc=$rc $(cat "$WORK/none.txt")"
pass "restored chain verifies; a data directory without a cases store is an error"
