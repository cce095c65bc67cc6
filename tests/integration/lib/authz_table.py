"""The route x role authorization table of docs/ACCESS.md, shared by tests/integration/authz_matrix.sh
and by the generator of data/openapi/openapi.json (`python3 authz_table.py --openapi`).

Roles: A national-admin, N national-analyst, S sector-cert, O org-soc, I isp-consumer, U auditor,
R reporter. `*` admits anyone (no credential needed). `K` admits SOC ingest keys only (every user
credential gets 401). `?` marks routes owned by other components whose role sets this table
lists for completeness but does not assert (the route must still be listed here)."""
import json
import sys

# (method, pattern, admitted roles, refused status for a role outside the set, summary)
ROUTES = [
    ("GET", "/healthz", "*", 403, "Liveness and pipeline progress"),
    ("GET", "/metrics", "*", 403, "Prometheus metrics (loopback: anyone; elsewhere national roles and auditors)"),
    ("GET", "/api/v1/routes", "AU", 403, "Every registered route"),
    ("GET", "/api/v1/openapi.json", "*", 403, "This OpenAPI document"),
    ("POST", "/api/v1/ingest", "K", 401, "Bulk event ingest with a SOC key"),
    ("GET", "/api/v1/events", "ANSOU", 403, "Event search (S: sector, O: organisation)"),
    ("GET", "/api/v1/orgs", "ANSOU", 403, "Organisations (S: sector, O: own)"),
    ("GET", "/api/v1/orgs/{id}", "ANSOU", 403, "One organisation; another tenant's is 404"),
    ("GET", "/api/v1/sectors", "ANSOU", 403, "Critical sectors"),
    ("GET", "/api/v1/provinces", "ANSOU", 403, "Provinces"),
    ("GET", "/api/v1/schema", "ANSOU", 403, "Common event schema fields"),
    ("GET", "/api/v1/socs", "ANSOU", 403, "Member SOCs (S: sector, O: own)"),
    ("GET", "/api/v1/socs/{id}", "ANSOU", 403, "One SOC; another tenant's is 404"),
    ("POST", "/api/v1/socs", "A", 403, "Register a SOC and issue its key"),
    ("POST", "/api/v1/socs/{id}/revoke", "A", 403, "Revoke a SOC key"),
    ("GET", "/api/v1/alerts", "ANSOU", 403, "Alerts (S: sector, O: organisation)"),
    ("GET", "/api/v1/alerts/{id}", "ANSOU", 403, "One alert; another tenant's is 404"),
    ("POST", "/api/v1/auth/login", "*", 403, "Log in (session cookie + CSRF token)"),
    ("POST", "/api/v1/auth/logout", "ANSOIUR", 403, "End the session"),
    ("GET", "/api/v1/auth/me", "ANSOIUR", 403, "The caller"),
    ("GET", "/api/v1/auth/keys", "ANSOIUR", 403, "The caller's API keys (A: all)"),
    ("POST", "/api/v1/auth/keys", "ANSOIUR", 403, "Issue an API key"),
    ("DELETE", "/api/v1/auth/keys/{id}", "ANSOIUR", 403, "Revoke an API key; another user's is 404"),
    ("GET", "/api/v1/users", "AU", 403, "Users"),
    ("POST", "/api/v1/users", "A", 403, "Create a user"),
    ("POST", "/api/v1/users/{login}/disable", "A", 403, "Disable a user"),
    ("POST", "/api/v1/users/{login}/enable", "A", 403, "Enable a user"),
    ("GET", "/api/v1/systems", "ANSOU", 403, "Information systems (S: sector, O: organisation)"),
    ("GET", "/api/v1/systems/{id}", "ANSOU", 403, "One information system; another tenant's is 404"),
    ("POST", "/api/v1/systems", "AN", 403, "Create an information system"),
    ("POST", "/api/v1/systems/import", "AN", 403, "Import information systems"),
    ("PUT", "/api/v1/systems/{id}", "AN", 403, "Update an information system"),
    ("DELETE", "/api/v1/systems/{id}", "AN", 403, "Delete an information system"),
    ("GET", "/api/v1/audit", "AU", 403, "Audit log"),
    ("GET", "/api/v1/audit/verify", "AU", 403, "Verify the audit hash chain"),
    ("GET", "/api/v1/incidents/taxonomy", "ANSOU", 403, "Incident categories"),
    ("GET", "/api/v1/incidents", "ANSOU", 403, "Incidents (S: sector, O: victim or assignee)"),
    ("GET", "/api/v1/incidents/{id}", "ANSOU", 403, "One incident; another tenant's is 404"),
    ("POST", "/api/v1/incidents", "ANS", 403, "Open an incident (S: in its sector)"),
    ("POST", "/api/v1/incidents/sla-check", "A", 403, "Run the SLA checks now"),
    ("POST", "/api/v1/incidents/{id}/transition", "ANSO", 403, "Move an incident through its lifecycle"),
    ("POST", "/api/v1/incidents/{id}/assign", "ANS", 403, "Assign an incident"),
    ("POST", "/api/v1/incidents/{id}/comments", "ANSO", 403, "Comment on an incident"),
    ("POST", "/api/v1/incidents/{id}/evidence", "ANSO", 403, "Attach evidence"),
    ("GET", "/api/v1/incidents/{id}/evidence/{sha256}", "ANSOU", 403, "Download evidence"),
    ("POST", "/api/v1/incidents/{id}/links", "ANS", 403, "Link an alert or warning"),
    ("GET", "/api/v1/directives", "ANSOU", 403, "Directives (S: targets in sector, O: targeted at it)"),
    ("GET", "/api/v1/directives/{id}", "ANSOU", 403, "One directive; O sees only its own target row"),
    ("POST", "/api/v1/directives", "ANS", 403, "Issue a directive (S: to its sector)"),
    ("POST", "/api/v1/directives/targets", "ANS", 403, "Preview a selector's targets"),
    ("POST", "/api/v1/directives/overdue-check", "A", 403, "Run the deadline checks now"),
    ("POST", "/api/v1/directives/{id}/acknowledge", "AO", 403, "Acknowledge (O: for its organisation)"),
    ("POST", "/api/v1/directives/{id}/complete", "AO", 403, "Report completion (O: for its organisation)"),
    ("GET", "/api/v1/compliance/ranking", "ANSOU", 403, "Compliance ranking (O: its own row)"),
    ("GET", "/api/v1/compliance/model", "ANSOU", 403, "Compliance weights"),
    ("GET", "/api/v1/compliance/{org}", "ANSOU", 403, "One organisation's score; another tenant's is 404"),
    ("POST", "/api/v1/compliance/snapshot", "A", 403, "Snapshot this period's scores"),
    ("GET", "/api/v1/reports/situation", "ANU", 403, "Situation report"),
    ("GET", "/api/v1/reports/incidents.csv", "ANU", 403, "Incident report (CSV)"),
    ("GET", "/api/v1/reports/incidents.json", "ANU", 403, "Incident report (JSON)"),
    ("GET", "/api/v1/reports/directives.csv", "ANU", 403, "Directive report (CSV)"),
    ("GET", "/api/v1/reports/directives.json", "ANU", 403, "Directive report (JSON)"),
    ("GET", "/api/v1/warnings", "ANSOU", 403, "Warnings (S: touching its sector, O: its organisation; others counted, not named)"),
    ("GET", "/api/v1/warnings/{id}", "ANSOU", 403, "One warning; another tenant's is 404"),
    ("GET", "/api/v1/warnings/stream", "ANSOU", 403, "Warnings as server-sent events (S, O: their own)"),
    ("GET", "/api/v1/picture", "ANU", 403, "National picture"),
    ("GET", "/api/v1/vulns/{cve}", "ANSOU", 403, "One CVE (exposure for national roles only)"),
    ("GET", "/api/v1/exposure", "ANSU", 403, "Exposure by organisation (S: sector)"),
    ("POST", "/api/v1/scans", "AN", 403, "Import a scan"),
    ("GET", "/api/v1/findings", "ANOU", 403, "Scan findings (O: organisation)"),
    ("GET", "/api/v1/findings.csv", "ANOU", 403, "Scan findings (CSV)"),
    ("GET", "/api/v1/scan-notifications", "ANOU", 403, "Finding notifications (O: organisation)"),
    ("GET", "/api/v1/intel/status", "ANSOU", 403, "Indicator set status"),
    ("GET", "/api/v1/intel/sightings", "ANU", 403, "Indicator sightings"),
    ("POST", "/api/v1/intel/import", "AN", 403, "Import intelligence"),
    ("POST", "/api/v1/intel/reload", "AN", 403, "Rebuild the indicator set"),
    ("GET", "/api/v1/export/rpz", "ANISO", 403, "RPZ zone (I, S, O: up to GREEN)"),
    ("GET", "/api/v1/export/blocklist", "ANISO", 403, "Blocklist (I, S, O: up to GREEN)"),
    ("GET", "/api/v1/export/stix", "ANISO", 403, "STIX bundle (I, S, O: up to GREEN)"),
    # Routes of other components: listed, not asserted here.
    ("GET", "/api/v1/directive-drafts", "?", 0, "Directive drafts from vulnerability warnings"),
    ("GET", "/api/v1/directive-drafts/{id}", "?", 0, "One directive draft"),
    ("POST", "/api/v1/directive-drafts/{id}/approve", "?", 0, "Approve a draft into a directive"),
    ("POST", "/api/v1/directive-drafts/{id}/discard", "?", 0, "Discard a draft"),
    ("GET", "/api/v1/health/socs", "?", 0, "SOC connection health"),
    ("GET", "/api/v1/notifications/deliveries", "?", 0, "Notification deliveries"),
    ("GET", "/api/v1/rules/status", "?", 0, "Sigma rule set status"),
    ("POST", "/api/v1/rules/reload", "?", 0, "Reload Sigma rules"),
    ("POST", "/api/v1/vulns/import", "?", 0, "Import vulnerability data"),
    ("GET", "/api/v1/intel/feeds", "AN", 403, "TAXII feed poller status"),
    ("GET", "/", "*", 0, "The web console"),
    ("GET", "/assets/{file}", "*", 0, "Console assets"),
    ("GET", "/{page}", "*", 0, "Console page"),
    ("GET", "/{page}/{id}", "*", 0, "Console page"),
    ("GET", "/{page}/{id}/{part}", "*", 0, "Console page"),
]

# TAXII 2.1 (each path is registered with and without the trailing slash).
TAXII_READ = "ANISOU"
for pattern, summary in [
    ("/taxii2", "TAXII discovery"),
    ("/taxii2/{root}", "API root"),
    ("/taxii2/{root}/collections", "Collections"),
    ("/taxii2/{root}/collections/{collection}", "One collection"),
    ("/taxii2/{root}/collections/{collection}/manifest", "Manifest"),
    ("/taxii2/{root}/collections/{collection}/objects", "Objects"),
    ("/taxii2/{root}/collections/{collection}/objects/{object}", "One object"),
    ("/taxii2/{root}/collections/{collection}/objects/{object}/versions", "Versions of an object"),
    ("/taxii2/{root}/status/{status}", "Status of an add request"),
]:
    for p in (pattern, pattern + "/"):
        ROUTES.append(("GET", p, "?T", 0, summary))
for p in ("/taxii2/{root}/collections/{collection}/objects", "/taxii2/{root}/collections/{collection}/objects/"):
    ROUTES.append(("POST", p, "?T", 0, "Add objects (national roles)"))
for p in ("/taxii2/{root}/collections/{collection}/objects/{object}",
          "/taxii2/{root}/collections/{collection}/objects/{object}/"):
    ROUTES.append(("DELETE", p, "?T", 0, "Delete an object (national roles)"))

ROLE_NAMES = {"A": "national-admin", "N": "national-analyst", "S": "sector-cert", "O": "org-soc",
              "I": "isp-consumer", "U": "auditor", "R": "reporter"}


def openapi():
    paths = {}
    for method, pattern, roles, _refused, summary in ROUTES:
        if not pattern.startswith("/api/v1/") and pattern not in ("/healthz", "/metrics"):
            continue  # the REST API only: the console and TAXII have their own descriptions
        op = {"summary": summary, "operationId": (method.lower() + pattern).replace("/", "_").replace("{", "").replace("}", ""),
              "responses": {"200": {"description": "OK"}}}
        if roles == "*":
            op["security"] = []
        elif roles == "K":
            op["x-khien-roles"] = ["soc-key"]
        elif not roles.startswith("?"):
            op["x-khien-roles"] = [ROLE_NAMES[r] for r in roles]
            op["responses"]["401"] = {"description": "no valid credential"}
            op["responses"]["403"] = {"description": "role not admitted, or missing CSRF token"}
        params = [seg[1:-1] for seg in pattern.split("/") if seg.startswith("{")]
        if params:
            op["parameters"] = [{"name": p, "in": "path", "required": True, "schema": {"type": "string"}} for p in params]
            op["responses"]["404"] = {"description": "unknown, or another tenant's"}
        paths.setdefault(pattern, {})[method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "khien REST API", "version": "1",
                 "description": "National cyber-security operations platform. Roles and tenant filters: docs/ACCESS.md; "
                                "x-khien-roles lists the roles each operation admits."},
        "components": {"securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer", "description": "administrator token or API key (khk_...)"},
            "session": {"type": "apiKey", "in": "cookie", "name": "khien_session",
                        "description": "state-changing requests also need X-CSRF-Token"}}},
        "security": [{"bearer": []}, {"session": []}],
        "paths": dict(sorted(paths.items())),
    }


if __name__ == "__main__" and sys.argv[1:] == ["--openapi"]:
    json.dump(openapi(), sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")
