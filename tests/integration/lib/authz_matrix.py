"""Runs the route x role table of authz_table.py against a running khien.
Usage: authz_matrix.py HTTP ADMIN_TOKEN KEYS_JSON FIXTURES_JSON
KEYS_JSON maps role letters (and "OB" for organisation B's SOC) to API keys; FIXTURES_JSON holds
the ids that fill the path parameters ({id} etc.) and the cross-tenant objects."""
import json
import sys
import urllib.error
import urllib.request

sys.path.insert(0, __import__("os").path.dirname(__file__))
from authz_table import ROUTES  # noqa: E402

http, token, keys, fx = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), json.loads(sys.argv[4])
failures = []


def call(method, path, key=None, body=None, headers=None):
    data = None if body is None else body.encode()
    req = urllib.request.Request(f"http://{http}{path}", data=data, method=method)
    if key:
        req.add_header("Authorization", f"Bearer {key}")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=20) as r:
            return r.status, r.read().decode(errors="replace") if method != "GET" or "stream" not in path else ""
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


# 1. Every registered route is in the table, and every table row is registered.
status, body = call("GET", "/api/v1/routes", token)
assert status == 200, f"/api/v1/routes: {status} {body}"
registered = set(json.loads(body)["routes"])
listed = {f"{m} {p}" for m, p, *_ in ROUTES}
for r in sorted(registered - listed):
    failures.append(f"route {r} is registered but not in the authorization table (tests/integration/lib/authz_table.py)")
for r in sorted(listed - registered):
    failures.append(f"route {r} is in the authorization table but not registered")

# 2. Role x route status classes. Path parameters point at organisation A's objects; destructive
# writes point at ids that do not exist, so the matrix changes nothing that later checks read.
fill = {"id": None, "org": fx["org_a"], "login": "no-such-user", "sha256": "0" * 64, "cve": "CVE-2021-44228"}
ids = {"/api/v1/orgs/{id}": fx["org_a"], "/api/v1/socs/{id}": fx["soc_a"], "/api/v1/socs/{id}/revoke": "no-such-soc",
       "/api/v1/alerts/{id}": "1", "/api/v1/auth/keys/{id}": "999999", "/api/v1/systems/{id}": "no-such-system",
       "/api/v1/directives/{id}": fx["directive_a"], "/api/v1/warnings/{id}": "no-such-warning"}


def concrete(pattern):
    if pattern in ids:
        return pattern.replace("{id}", ids[pattern])
    out = pattern
    if "/incidents/{id}" in out:
        out = out.replace("{id}", fx["incident_a"])
    if "/directives/{id}" in out:
        out = out.replace("{id}", fx["directive_a"])
    for k, v in fill.items():
        if v is not None:
            out = out.replace("{" + k + "}", v)
    return out


callers = {"-": None}
callers.update({r: keys[r] for r in "ANSOIUR"})
checked = 0
for method, pattern, roles, refused, _summary in ROUTES:
    if roles.startswith("?"):
        continue
    path = concrete(pattern)
    if "stream" in path:
        continue  # a server-sent event stream never ends: its admission is the same callback as /warnings
    for who, key in callers.items():
        body = "{}" if method in ("POST", "PUT") else None
        st, text = call(method, path, key, body)
        checked += 1
        if roles == "*":
            ok = st not in (401, 403)
            want = "not 401/403"
        elif roles == "K":
            ok = st == 401
            want = "401"
        elif who == "-":
            ok = st == 401
            want = "401"
        elif who in roles:
            ok = st not in (401, 403)
            want = "admitted (not 401/403)"
        else:
            ok = st == refused
            want = str(refused)
        if not ok:
            failures.append(f"{method} {path} as {who}: {st}, expected {want}: {text[:160]}")

# 3. Cross-tenant: organisation B's SOC never sees A's objects, by id (404) or in lists and counts.
ob = keys["OB"]
for path in (f"/api/v1/incidents/{fx['incident_a']}", f"/api/v1/directives/{fx['directive_a']}",
             f"/api/v1/orgs/{fx['org_a']}", f"/api/v1/socs/{fx['soc_a']}", f"/api/v1/compliance/{fx['org_a']}"):
    st, text = call("GET", path, ob)
    if st != 404:
        failures.append(f"GET {path} as org B: {st}, expected 404: {text[:160]}")
for path in (f"/api/v1/incidents/{fx['incident_a']}/comments", f"/api/v1/incidents/{fx['incident_a']}/transition"):
    st, text = call("POST", path, ob, '{"text": "x", "to": "triage", "note": "x"}')
    if st != 404:
        failures.append(f"POST {path} as org B: {st}, expected 404: {text[:160]}")
st, text = call("POST", f"/api/v1/directives/{fx['directive_a']}/acknowledge", ob, "{}")
if st != 404:
    failures.append(f"acknowledge A's directive as org B: {st}, expected 404: {text[:160]}")
for path, key in (("/api/v1/incidents", "incidents"), ("/api/v1/directives", "directives"),
                  ("/api/v1/orgs", "orgs"), ("/api/v1/socs", "socs"), ("/api/v1/compliance/ranking", "ranking"),
                  ("/api/v1/systems", "systems"), (f"/api/v1/alerts?org={fx['org_a']}", "alerts"),
                  (f"/api/v1/events?org={fx['org_a']}", "events"), (f"/api/v1/incidents?org={fx['org_a']}", "incidents")):
    st, text = call("GET", path, ob)
    if st != 200:
        failures.append(f"GET {path} as org B: {st}")
        continue
    if fx["org_a"] in text or fx["incident_a"] in text or fx["directive_a"] in text:
        failures.append(f"GET {path} as org B leaks organisation A: {text[:200]}")
    d = json.loads(text)
    if "?" in path and d.get("total", 0) != 0:
        failures.append(f"GET {path} as org B counts A's records: total {d.get('total')}")
# Organisation A sees its own incident and directive, and acknowledges it for itself.
st, text = call("GET", "/api/v1/incidents", keys["O"])
if fx["incident_a"] not in text:
    failures.append(f"org A does not see its incident: {st} {text[:200]}")
st, text = call("GET", f"/api/v1/directives/{fx['directive_a']}", keys["O"])
if st != 200 or len(json.loads(text).get("target_progress", [])) != 1:
    failures.append(f"org A's directive view is not its own target row: {st} {text[:300]}")
st, text = call("POST", f"/api/v1/directives/{fx['directive_a']}/acknowledge", keys["O"], "{}")
# (the matrix above already acknowledged it as O: then the answer says A acknowledged it)
if not ((st == 200 and json.loads(text).get("org") == fx["org_a"]) or
        (st == 409 and f"'{fx['org_a']}' already acknowledged" in text)):
    failures.append(f"org A acknowledging for itself: {st} {text[:200]}")
# The sector CERT sees A's incident (A is in its sector) but not B's organisation.
st, text = call("GET", f"/api/v1/incidents/{fx['incident_a']}", keys["S"])
if st != 200:
    failures.append(f"sector CERT reading an incident in its sector: {st} {text[:160]}")
st, text = call("GET", f"/api/v1/orgs/{fx['org_b']}", keys["S"])
if st != 404:
    failures.append(f"sector CERT reading an organisation outside its sector: {st}, expected 404")

# Warnings: each tenant sees the warnings that touch it; others' by id are 404; lists and totals
# count only its own; other organisations are counted, never named.
wa, wb = fx["warning_a"], fx["warning_b"]
for who, hidden in (("OB", wa), ("O", wb), ("S", wb)):
    st, text = call("GET", f"/api/v1/warnings/{hidden}", keys[who])
    if st != 404:
        failures.append(f"GET /api/v1/warnings/{hidden} as {who}: {st}, expected 404: {text[:160]}")
for who, own, total in (("O", wa, 1), ("OB", wb, 1), ("S", wa, 1), ("N", None, 2), ("U", None, 2)):
    st, text = call("GET", "/api/v1/warnings?active=true", keys[who])
    d = json.loads(text) if st == 200 else {}
    ids = [w["id"] for w in d.get("warnings", [])]
    if st != 200 or d.get("total") != total or len(ids) != total or (own and ids != [int(own)]):
        failures.append(f"GET /api/v1/warnings as {who}: {st} total {d.get('total')} ids {ids}, expected {total}"
                        f"{' (' + own + ')' if own else ''}")
st, text = call("GET", f"/api/v1/warnings?sector={fx['sector_a']}", keys["OB"])
if st != 200 or json.loads(text).get("total") != 0:
    failures.append(f"org B asking for A's sector counts A's warning: {st} {text[:160]}")
st, text = call("GET", f"/api/v1/warnings/{wa}", keys["O"])
if st != 200:
    failures.append(f"org A reading its own warning {wa}: {st} {text[:160]}")
else:
    w = json.loads(text)
    if [o["org"] for o in w["organisations"]] != [fx["org_a"]] or w.get("organisations_not_shown") != 2 or w.get("org_count") != 3:
        failures.append(f"org A's view of warning {wa} is not its own row with the others counted: {text[:300]}")
    if fx["org_c"] in text:
        failures.append(f"org A's view of warning {wa} names {fx['org_c']}: {text[:300]}")
    if any(e.get("org") != fx["org_a"] for e in w.get("evidence", [])):
        failures.append(f"org A's view of warning {wa} lists other organisations' evidence")
st, text = call("GET", f"/api/v1/warnings/{wa}", keys["N"])
if st != 200 or fx["org_c"] not in text:
    failures.append(f"the national analyst does not see warning {wa} whole: {st} {text[:200]}")
st, text = call("GET", "/api/v1/picture", keys["O"])
if st != 403:
    failures.append(f"GET /api/v1/picture as org A: {st}, expected 403 (national picture)")

print(f"checked {checked} route x caller pairs over {len(registered)} registered routes")
if failures:
    print("\n".join(failures))
    sys.exit(1)
