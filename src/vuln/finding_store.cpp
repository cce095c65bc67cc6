// FindingStore: tables scans, findings and scan_notifications in state.db.
#include "vuln/finding_store.h"

#include <sqlite3.h>

#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/time.h"
#include "store/sql_database.h"
#include "store/sql_statement.h"

namespace khien {

namespace {

using json = nlohmann::json;

std::string join_cves(const std::vector<std::string>& cves) { return json(cves).dump(); }

std::vector<std::string> split_cves(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  std::vector<std::string> out;
  if (j.is_array())
    for (const auto& e : j)
      if (e.is_string()) out.push_back(e.get<std::string>());
  return out;
}

constexpr const char* kFindingColumns =
    "id, scanner, ip, port, protocol, org, service, product, version, evidence, cves, first_seen_us, last_seen_us, "
    "closed_us, first_scan, last_scan";

Finding read_finding(SqlStatement& s) {
  Finding f;
  f.id = s.integer(0);
  f.scanner = s.text(1);
  f.ip = s.text(2);
  f.port = static_cast<int>(s.integer(3));
  f.protocol = s.text(4);
  f.org = s.text(5);
  f.service = s.text(6);
  f.product = s.text(7);
  f.version = s.text(8);
  f.evidence = s.text(9);
  f.cves = split_cves(s.text(10));
  f.first_seen_us = s.integer(11);
  f.last_seen_us = s.integer(12);
  f.closed_us = s.integer(13);
  f.first_scan = s.integer(14);
  f.last_scan = s.integer(15);
  return f;
}

}  // namespace

Result<std::unique_ptr<FindingStore>> FindingStore::open(const std::filesystem::path& db_path) {
  auto db = open_sqlite(db_path, "finding store", "");
  if (!db) return tl::unexpected(db.error());
  std::unique_ptr<FindingStore> s(new FindingStore(*db));
  if (auto st = s->exec(R"sql(
    CREATE TABLE IF NOT EXISTS scans (
      id INTEGER PRIMARY KEY, scanner TEXT NOT NULL, format TEXT NOT NULL, scan_time_us INTEGER NOT NULL,
      imported_us INTEGER NOT NULL, hosts INTEGER NOT NULL, services INTEGER NOT NULL, unattributed INTEGER NOT NULL,
      opened INTEGER NOT NULL, closed INTEGER NOT NULL, errors TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS findings (
      id INTEGER PRIMARY KEY, scanner TEXT NOT NULL, ip TEXT NOT NULL, port INTEGER NOT NULL, protocol TEXT NOT NULL,
      org TEXT NOT NULL, service TEXT NOT NULL, product TEXT NOT NULL, version TEXT NOT NULL, evidence TEXT NOT NULL,
      cves TEXT NOT NULL, first_seen_us INTEGER NOT NULL, last_seen_us INTEGER NOT NULL, closed_us INTEGER NOT NULL,
      first_scan INTEGER NOT NULL, last_scan INTEGER NOT NULL);
    CREATE UNIQUE INDEX IF NOT EXISTS findings_open ON findings(scanner, ip, port, protocol) WHERE closed_us = 0;
    CREATE INDEX IF NOT EXISTS findings_org ON findings(org, closed_us);
    CREATE TABLE IF NOT EXISTS scan_notifications (
      id INTEGER PRIMARY KEY, org TEXT NOT NULL, scan_id INTEGER NOT NULL, created_us INTEGER NOT NULL, body TEXT NOT NULL);
  )sql"); !st)
    return tl::unexpected(st.error());
  return s;
}

FindingStore::~FindingStore() { sqlite3_close(db_); }

Status FindingStore::exec(const char* sql) {
  return exec_sql(db_, sql, "findings store");
}

Result<ScanOutcome> FindingStore::record_scan(const std::string& scanner, const ScanReport& report,
                                              const std::vector<AttributedService>& services, std::int64_t scan_time_us,
                                              std::size_t unattributed) {
  if (auto st = exec("BEGIN IMMEDIATE"); !st) return tl::unexpected(st.error());
  auto rollback = [&](const std::string& why) -> Result<ScanOutcome> {
    exec("ROLLBACK");
    return fail(fmt::format("findings store: {}: {}", why, sqlite3_errmsg(db_)));
  };
  ScanOutcome out;
  {
    SqlStatement ins(db_,
                     "INSERT INTO scans(scanner, format, scan_time_us, imported_us, hosts, services, unattributed, opened, closed, errors) "
                     "VALUES (?,?,?,?,?,?,?,0,0,?)");
    ins.bind(1, scanner).bind(2, report.format).bind(3, scan_time_us).bind(4, now_ns() / 1000)
        .bind(5, static_cast<std::int64_t>(report.hosts.size())).bind(6, static_cast<std::int64_t>(report.services.size()))
        .bind(7, static_cast<std::int64_t>(unattributed)).bind(8, json(report.errors).dump());
    if (!ins.run()) return rollback("recording the scan");
  }
  out.scan_id = sqlite3_last_insert_rowid(db_);

  // Open or refresh a finding for every vulnerable service; remember which keys this scan showed.
  std::set<std::tuple<std::string, int, std::string>> shown;
  std::map<std::string, json> new_hosts_by_org;
  for (const auto& a : services) {
    if (a.cves.empty()) continue;
    const auto& s = a.service;
    shown.emplace(s.ip, s.port, s.protocol);
    SqlStatement find(db_, "SELECT id FROM findings WHERE scanner=? AND ip=? AND port=? AND protocol=? AND closed_us=0");
    find.bind(1, scanner).bind(2, s.ip).bind(3, s.port).bind(4, s.protocol);
    if (find.step() == SQLITE_ROW) {
      std::int64_t id = find.integer(0);
      SqlStatement up(db_, "UPDATE findings SET last_seen_us=?, last_scan=?, cves=?, product=?, version=?, evidence=?, org=? WHERE id=?");
      up.bind(1, scan_time_us).bind(2, out.scan_id).bind(3, join_cves(a.cves)).bind(4, s.product).bind(5, s.version)
          .bind(6, s.evidence).bind(7, a.org).bind(8, id);
      if (!up.run()) return rollback("updating a finding");
      ++out.updated;
      continue;
    }
    SqlStatement ins(db_, fmt::format("INSERT INTO findings({}) VALUES (NULL,?,?,?,?,?,?,?,?,?,?,?,?,0,?,?)", kFindingColumns));
    ins.bind(1, scanner).bind(2, s.ip).bind(3, s.port).bind(4, s.protocol).bind(5, a.org).bind(6, s.service)
        .bind(7, s.product).bind(8, s.version).bind(9, s.evidence).bind(10, join_cves(a.cves)).bind(11, scan_time_us)
        .bind(12, scan_time_us).bind(13, out.scan_id).bind(14, out.scan_id);
    if (!ins.run()) return rollback("opening a finding");
    ++out.opened;
    new_hosts_by_org[a.org].push_back(json{{"finding", sqlite3_last_insert_rowid(db_)}, {"ip", s.ip}, {"port", s.port},
                                            {"protocol", s.protocol}, {"service", s.service}, {"product", s.product},
                                            {"version", s.version}, {"cves", a.cves}});
  }

  // Close what this scan covered and no longer shows.
  std::set<std::string> hosts(report.hosts.begin(), report.hosts.end());
  std::vector<std::int64_t> to_close;
  {
    SqlStatement open(db_, "SELECT id, ip, port, protocol FROM findings WHERE scanner=? AND closed_us=0 AND last_scan<>?");
    open.bind(1, scanner).bind(2, out.scan_id);
    while (open.step() == SQLITE_ROW) {
      std::string ip = open.text(1), protocol = open.text(3);
      int port = static_cast<int>(open.integer(2));
      bool covered = report.complete_snapshot;
      if (!covered && hosts.count(ip)) {
        for (const auto& sp : report.scanned)
          if (sp.protocol == protocol && sp.contains(port)) covered = true;
      }
      if (covered && !shown.count({ip, port, protocol})) to_close.push_back(open.integer(0));
    }
  }
  for (auto id : to_close) {
    SqlStatement close(db_, "UPDATE findings SET closed_us=? WHERE id=?");
    close.bind(1, std::max<std::int64_t>(scan_time_us, 1)).bind(2, id);
    if (!close.run()) return rollback("closing a finding");
    ++out.closed;
  }

  for (auto& [org, hosts_json] : new_hosts_by_org) {
    json body{{"org", org}, {"scanner", scanner}, {"scan", out.scan_id}, {"new_findings", hosts_json}};
    SqlStatement ins(db_, "INSERT INTO scan_notifications(org, scan_id, created_us, body) VALUES (?,?,?,?)");
    ins.bind(1, org).bind(2, out.scan_id).bind(3, now_ns() / 1000).bind(4, body.dump());
    if (!ins.run()) return rollback("writing a notification");
    out.notifications.push_back(sqlite3_last_insert_rowid(db_));
  }
  {
    SqlStatement up(db_, "UPDATE scans SET opened=?, closed=? WHERE id=?");
    up.bind(1, static_cast<std::int64_t>(out.opened)).bind(2, static_cast<std::int64_t>(out.closed)).bind(3, out.scan_id);
    if (!up.run()) return rollback("recording the scan");
  }
  if (auto st = exec("COMMIT"); !st) return rollback("commit");
  return out;
}

std::vector<Finding> FindingStore::findings(const FindingQuery& q) {
  std::string sql = fmt::format("SELECT {} FROM findings WHERE id > ?", kFindingColumns);
  if (!q.org.empty()) sql += " AND org = ?2";
  if (q.state == "open") sql += " AND closed_us = 0";
  if (q.state == "closed") sql += " AND closed_us <> 0";
  if (!q.cve.empty()) sql += " AND cves LIKE ?3";
  sql += " ORDER BY id LIMIT ?4";
  SqlStatement s(db_, sql);
  s.bind(1, q.after_id);
  if (!q.org.empty()) s.bind(2, q.org);
  if (!q.cve.empty()) s.bind(3, "%\"" + q.cve + "\"%");
  s.bind(4, static_cast<std::int64_t>(q.limit));
  std::vector<Finding> out;
  while (s.step() == SQLITE_ROW) out.push_back(read_finding(s));
  return out;
}

std::vector<ScanNotification> FindingStore::notifications(const std::string& org, std::size_t limit) {
  SqlStatement s(db_, org.empty() ? "SELECT id, org, scan_id, created_us, body FROM scan_notifications ORDER BY id DESC LIMIT ?2"
                                  : "SELECT id, org, scan_id, created_us, body FROM scan_notifications WHERE org = ?1 ORDER BY id DESC LIMIT ?2");
  if (!org.empty()) s.bind(1, org);
  s.bind(2, static_cast<std::int64_t>(limit));
  std::vector<ScanNotification> out;
  while (s.step() == SQLITE_ROW)
    out.push_back(ScanNotification{s.integer(0), s.integer(2), s.integer(3), s.text(1), s.text(4)});
  return out;
}

double FindingStore::mean_remediation_seconds(const std::string& org) {
  SqlStatement s(db_, "SELECT AVG(closed_us - first_seen_us), COUNT(*) FROM findings WHERE org = ? AND closed_us <> 0");
  s.bind(1, org);
  if (s.step() != SQLITE_ROW || s.integer(1) == 0) return -1;
  return s.real(0) / 1e6;
}

}  // namespace khien
