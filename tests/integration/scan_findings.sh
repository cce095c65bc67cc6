#!/usr/bin/env bash
# External scan results: a real nmap service scan (XML) of a service on loopback becomes a finding
# for the organisation that owns the address, with the CVE its CPE matches, and a notification; a
# later scan of the same host and port that no longer shows the service closes it with its
# remediation time. Nuclei and Shadowserver files are imported through the same route.
source "$(dirname "$0")/lib/common.bash"
command -v nmap >/dev/null || fail "nmap is missing (scripts/bootstrap installs it)"

# A registry where one test organisation owns 127.0.0.0/8, so the loopback scan is attributable.
mkdir -p "$WORK/registry"
cp "$KHIEN_SOURCE_DIR"/data/registry/{sectors,provinces,organisations,socs}.yaml "$WORK/registry/"
cat >>"$WORK/registry/organisations.yaml" <<'YAML'
  - id: phong-thu-nghiem
    name: Phòng thử nghiệm
    name_en: Test laboratory
    type: enterprise
    sector: do-thi
    province: ha-noi
    ip_ranges: [127.0.0.0/8]
    domains: [thu-nghiem.example]
YAML

# A vulnerability record (NVD API 2.0 format) naming the Python test web server's product, which
# nmap's service detection reports as cpe:/a:python:simplehttpserver:0.6.
cat >"$WORK/nvd.json" <<'JSON'
{"resultsPerPage":1,"startIndex":0,"totalResults":1,"format":"NVD_CVE","version":"2.0","timestamp":"2026-11-01T00:00:00.000",
 "vulnerabilities":[{"cve":{"id":"CVE-2099-0600","sourceIdentifier":"test","published":"2026-11-01T00:00:00.000",
  "lastModified":"2026-11-01T00:00:00.000","vulnStatus":"Analyzed",
  "descriptions":[{"lang":"en","value":"Test record: SimpleHTTPServer up to 0.6 serves files outside its root."}],
  "metrics":{"cvssMetricV31":[{"source":"test","type":"Primary","cvssData":{"version":"3.1",
   "vectorString":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N","baseScore":7.5,"baseSeverity":"HIGH"}}]},
  "configurations":[{"nodes":[{"operator":"OR","negate":false,"cpeMatch":[{"vulnerable":true,
   "criteria":"cpe:2.3:a:python:simplehttpserver:*:*:*:*:*:*:*:*","versionEndIncluding":"0.6",
   "matchCriteriaId":"00000000-0000-0000-0000-000000000600"}]}]}]}}]}
JSON

DATA=$WORK/data
"$KHIEN" vuln import --data "$DATA" "$WORK/nvd.json" >/dev/null
start_khien "$DATA" --registry "$WORK/registry"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$WORK/www"
python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$WORK/www" >/dev/null 2>&1 &
WEB_PID=$!
EXTRA_PIDS+=("$WEB_PID")
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.1; done

nmap -sV -Pn -p "$PORT" -oX "$WORK/scan1.xml" 127.0.0.1 >/dev/null
grep -q 'simplehttpserver' "$WORK/scan1.xml" || fail "nmap did not identify the web server: $(grep '<service' "$WORK/scan1.xml")"
r=$(api POST '/api/v1/scans?format=nmap&scanner=weekly' --data-binary @"$WORK/scan1.xml")
[ "$(json_get "$r" '(d["opened"], d["vulnerable"], d["unattributed"])')" = "(1, 1, 0)" ] || fail "first scan: $r"
f=$(api GET '/api/v1/findings?org=phong-thu-nghiem&state=open')
[ "$(json_get "$f" '[(x["ip"], x["port"], x["cves"]) for x in d["findings"]]')" = "[('127.0.0.1', $PORT, ['CVE-2099-0600'])]" ] || fail "findings: $f"
n=$(api GET '/api/v1/scan-notifications?org=phong-thu-nghiem')
[ "$(json_get "$n" 'd["notifications"][0]["body"]["new_findings"][0]["port"]')" = "$PORT" ] || fail "notification: $n"
pass "nmap scan: the exposed service is a finding of its organisation with its CVE, and the organisation is notified"

# The same scan again refreshes the finding: nothing new, no second notification.
r=$(api POST '/api/v1/scans?format=auto&scanner=weekly' --data-binary @"$WORK/scan1.xml")
[ "$(json_get "$r" '(d["opened"], d["updated"], d["closed"], d["notifications"])')" = "(0, 1, 0, [])" ] || fail "rescan: $r"

# The service is gone; a new scan of that host and port closes the finding.
kill "$WEB_PID"; wait "$WEB_PID" 2>/dev/null || true
sleep 1
nmap -sV -Pn -p "$PORT" -oX "$WORK/scan2.xml" 127.0.0.1 >/dev/null
r=$(api POST '/api/v1/scans?format=nmap&scanner=weekly' --data-binary @"$WORK/scan2.xml")
[ "$(json_get "$r" '(d["opened"], d["closed"])')" = "(0, 1)" ] || fail "clean scan: $r"
f=$(api GET '/api/v1/findings?org=phong-thu-nghiem')
json_get "$f" '[(x["state"], x["closed"] is not None) for x in d["findings"]]' | grep -q "('closed', True)" || fail "closed finding: $f"
json_get "$f" 'd["mean_remediation_seconds"]' | grep -Eq '^[0-9.]+$' || fail "remediation time: $f"
csv=$(api GET '/api/v1/findings.csv?org=phong-thu-nghiem')
echo "$csv" | head -1 | grep -q '^id,state,org,ip,port' || fail "csv header: $csv"
echo "$csv" | grep -q "closed,\"phong-thu-nghiem\",127.0.0.1,$PORT" || fail "csv row: $csv"
pass "a later clean scan closes the finding and records its remediation time (JSON and CSV)"

# nuclei and Shadowserver reports through the same route; bad lines reported by number.
printf '%s\n' '{"template-id":"CVE-2099-0601","info":{"name":"Test check","severity":"high","classification":{"cve-id":["cve-2099-0601"]}},"host":"http://127.0.0.9:8080","matched-at":"http://127.0.0.9:8080/x","ip":"127.0.0.9"}' \
  'not json' >"$WORK/nuclei.jsonl"
r=$(api POST '/api/v1/scans?format=nuclei' --data-binary @"$WORK/nuclei.jsonl")
[ "$(json_get "$r" '(d["opened"], d["errors"])')" = "(1, ['line 2: not a JSON object'])" ] || fail "nuclei: $r"
printf '"timestamp","ip","protocol","port","tag"\n"2026-11-20 01:02:03","127.0.0.10","tcp","443","citrix,cve-2023-4966"\n"2026-11-20 01:02:03","8.8.8.8","tcp","443","citrix,cve-2023-4966"\n' >"$WORK/ss.csv"
r=$(api POST '/api/v1/scans?format=shadowserver&scanner=shadowserver-scan_citrix' --data-binary @"$WORK/ss.csv")
[ "$(json_get "$r" '(d["opened"], d["unattributed"])')" = "(1, 1)" ] || fail "shadowserver: $r"
code=$(curl -sS -o "$WORK/bad.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" --data-binary '<report/>' "http://$HTTP/api/v1/scans?format=nmap")
[ "$code" = 400 ] && grep -q 'root element is <report>' "$WORK/bad.json" || fail "wrong tool answered $code: $(cat "$WORK/bad.json")"
pass "nuclei and Shadowserver reports; a file from another tool is refused with the reason"
