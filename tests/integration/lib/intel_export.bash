# Helpers for the export and TAXII client end-to-end tests (sourced after common.bash): free
# loopback ports, STIX indicators posted through TAXII, RPZ fetches, the test.vn zone.

TAXII_MEDIA='application/taxii+json;version=2.1'

# free_port: a port free for both UDP and TCP on 127.0.0.1 at the time of asking.
free_port() {
  python3 - <<'PY'
import socket
while True:
    t = socket.socket(); t.bind(("127.0.0.1", 0)); port = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", port)); print(port); break
    except OSError:
        pass
    finally:
        u.close(); t.close()
PY
}

# indicators_envelope FILE NAME:TLP:VALIDITY...: writes a TAXII envelope of domain indicators.
# TLP is clear|green|amber|red; VALIDITY is "live" (valid since an hour ago) or "expired"
# (valid until yesterday). Ids derive from the names, so re-posting a name is a no-op.
indicators_envelope() {
  local file=$1; shift
  python3 - "$file" "$@" <<'PY'
import datetime, hashlib, json, sys, uuid
marks = {"clear": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
         "green": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
         "amber": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
         "red": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"}
now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
ts = lambda t: t.strftime("%Y-%m-%dT%H:%M:%S.000Z")
objs = []
for spec in sys.argv[2:]:
    name, tlp, validity = spec.split(":")
    ind = {"type": "indicator", "spec_version": "2.1",
           "id": "indicator--" + str(uuid.UUID(hashlib.sha256(name.encode()).hexdigest()[:32], version=4)),
           "created": ts(now - datetime.timedelta(minutes=5)), "modified": ts(now - datetime.timedelta(minutes=5)),
           "name": "test " + name, "pattern_type": "stix", "pattern": f"[domain-name:value = '{name}']",
           "indicator_types": ["malicious-activity"], "confidence": 80,
           "object_marking_refs": [marks[tlp]]}
    if validity == "expired":
        ind["created"] = ind["modified"] = ts(now - datetime.timedelta(days=3))
        ind["valid_from"] = ts(now - datetime.timedelta(days=3))
        ind["valid_until"] = ts(now - datetime.timedelta(days=1))
    else:
        ind["valid_from"] = ts(now - datetime.timedelta(hours=1))
    objs.append(ind)
json.dump({"objects": objs}, open(sys.argv[1], "w"))
PY
}

# taxii_objects_path: the objects URL path of the server's first writable collection.
taxii_objects_path() {
  local root collections
  root=$(curl -sS -H "Authorization: Bearer $TOKEN" -H "Accept: $TAXII_MEDIA" "http://$HTTP/taxii2/")
  root=$(json_get "$root" 'd["api_roots"][0].split("/taxii2/")[1]')
  collections=$(curl -sS -H "Authorization: Bearer $TOKEN" -H "Accept: $TAXII_MEDIA" "http://$HTTP/taxii2/${root}collections/")
  echo "/taxii2/${root}collections/$(json_get "$collections" '[c["id"] for c in d["collections"] if c["can_write"]][0]')/objects/"
}

# post_envelope FILE: POSTs an envelope to the server's collection; fails unless 202 and all stored.
post_envelope() {
  local out code
  code=$(curl -sS -o "$WORK/post.out" -w '%{http_code}' -X POST -H "Authorization: Bearer $TOKEN" -H "Accept: $TAXII_MEDIA" \
    -H "Content-Type: $TAXII_MEDIA" --data-binary @"$1" "http://$HTTP$(taxii_objects_path)")
  out=$(cat "$WORK/post.out")
  [ "$code" = 202 ] || fail "TAXII POST of $1: HTTP $code $out"
  [ "$(json_get "$out" 'd["failure_count"]')" = 0 ] || fail "TAXII POST of $1: $out"
}

# fetch_rpz FILE [QUERY]: GET /api/v1/export/rpz into FILE (replaced in one rename, as a
# resolver must see it); sets SERIAL from the X-Khien-Rpz-Serial header and checks the SOA.
fetch_rpz() {
  local file=$1 query=${2:-}
  local code
  code=$(curl -sS -D "$WORK/rpz.headers" -o "$file.tmp" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
    "http://$HTTP/api/v1/export/rpz?$query")
  [ "$code" = 200 ] || fail "GET /api/v1/export/rpz?$query: HTTP $code $(cat "$file.tmp")"
  mv "$file.tmp" "$file"
  SERIAL=$(grep -i '^X-Khien-Rpz-Serial:' "$WORK/rpz.headers" | tr -d '\r' | cut -d' ' -f2)
  [ -n "$SERIAL" ] || fail "no X-Khien-Rpz-Serial header"
  grep -q "^@ IN SOA localhost. hostmaster.localhost. $SERIAL " "$file" || fail "SOA serial $SERIAL not in the zone: $(head -5 "$file")"
  named-checkzone -q rpz.khien "$file" || { named-checkzone rpz.khien "$file"; fail "named-checkzone refused the RPZ zone"; }
}

# write_test_zone FILE: the authoritative test.vn zone the resolvers answer from without network.
write_test_zone() {
  cat >"$1" <<'Z'
$TTL 60
@ IN SOA ns.test.vn. hostmaster.test.vn. 1 60 60 600 60
@ IN NS ns.test.vn.
ns IN A 127.0.0.1
evil IN A 192.0.2.10
www.evil IN A 192.0.2.11
good IN A 192.0.2.20
red IN A 192.0.2.30
expired IN A 192.0.2.40
later IN A 192.0.2.50
Z
}

# dns_status PORT NAME: the RCODE a resolver on 127.0.0.1:PORT answers for NAME/A.
dns_status() {
  dig @127.0.0.1 -p "$1" "$2" A +tries=2 +time=2 | sed -n 's/.*status: \([A-Z]*\),.*/\1/p'
}

# dns_a PORT NAME: the A records of the answer.
dns_a() { dig @127.0.0.1 -p "$1" "$2" A +short +tries=2 +time=2 | grep -E '^[0-9.]+$' || true; }

# expect_dns PORT NAME STATUS [ADDRESS]: fails unless the answer has STATUS (and ADDRESS).
expect_dns() {
  local got
  got=$(dns_status "$1" "$2")
  [ "$got" = "$3" ] || fail "$2: expected $3, the resolver answered '${got:-nothing}'"
  if [ -n "${4:-}" ]; then
    dns_a "$1" "$2" | grep -qx "$4" || fail "$2: expected address $4, got '$(dns_a "$1" "$2")'"
  fi
}

# wait_dns PORT NAME STATUS: like expect_dns, waiting up to 10 s for a reload to take effect
# (named applies a reloaded policy zone after the zone itself reports the new serial).
wait_dns() {
  for _ in $(seq 1 50); do
    [ "$(dns_status "$1" "$2")" = "$3" ] && return 0
    sleep 0.2
  done
  expect_dns "$@"
}
