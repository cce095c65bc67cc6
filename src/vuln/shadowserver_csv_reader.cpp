// Shadowserver CSV reports → ScanReport: columns found by header name, CVE ids read from the tag.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>

#include <fmt/format.h>

#include "core/time.h"
#include "vuln/scan_report.h"

namespace khien {

namespace {

// One CSV record (RFC 4180 quoting); advances `pos`. `line_no` counts physical lines consumed.
bool next_record(std::string_view text, std::size_t& pos, std::vector<std::string>& fields, std::size_t& line_no) {
  fields.clear();
  if (pos >= text.size()) return false;
  std::string field;
  bool quoted = false;
  ++line_no;
  while (pos < text.size()) {
    char c = text[pos++];
    if (quoted) {
      if (c == '"') {
        if (pos < text.size() && text[pos] == '"') {
          field += '"';
          ++pos;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line_no;
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
    } else if (c == '\n') {
      break;
    } else if (c != '\r') {
      field += c;
    }
  }
  fields.push_back(std::move(field));
  return true;
}

}  // namespace

Result<ScanReport> read_shadowserver_csv(std::string_view text) {
  ScanReport report;
  report.format = "shadowserver";
  report.complete_snapshot = true;
  std::size_t pos = 0, line_no = 0;
  std::vector<std::string> fields;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") pos = 3;
  if (!next_record(text, pos, fields, line_no)) return fail("Shadowserver CSV: the file is empty");
  std::map<std::string, std::size_t> column;
  for (std::size_t i = 0; i < fields.size(); ++i) column[fields[i]] = i;
  for (const char* required : {"timestamp", "ip"})
    if (!column.count(required))
      return fail(fmt::format("not a Shadowserver CSV report: the header has no '{}' column (columns: {})", required,
                              fields.size() > 8 ? "..." : fmt::format("{}", fmt::join(fields, ","))));
  auto get = [&](const char* name) -> std::string {
    auto it = column.find(name);
    return it != column.end() && it->second < fields.size() ? fields[it->second] : std::string();
  };
  std::size_t rows = 0;
  while (next_record(text, pos, fields, line_no)) {
    if (fields.size() == 1 && fields[0].empty()) continue;
    ++rows;
    std::string ip_text = get("ip");
    auto ip = IpAddress::parse(ip_text);
    if (!ip) {
      report.errors.push_back(fmt::format("line {}: column 'ip': '{}' is not an IP address", line_no, ip_text));
      continue;
    }
    ScanService s;
    s.ip = ip->to_string();
    std::string port_text = get("port");
    if (!port_text.empty()) {
      auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), s.port);
      if (ec != std::errc() || end != port_text.data() + port_text.size() || s.port < 0 || s.port > 65535) {
        report.errors.push_back(fmt::format("line {}: column 'port': '{}' is not a port number", line_no, port_text));
        continue;
      }
    }
    s.protocol = get("protocol").empty() ? "tcp" : get("protocol");
    std::string tag = get("tag");
    s.service = tag.empty() ? get("type") : tag;
    s.product = get("product").empty() ? get("http_server") : get("product");
    s.version = get("version");
    s.cves = cve_ids_in(tag + ";" + get("cve"));
    s.evidence = fmt::format("{} {}:{} {}", get("timestamp"), s.ip, s.port, tag);
    if (report.started_us == 0) {
      // Shadowserver writes "2024-01-02 03:04:05" or with "Z"; no offset means UTC.
      if (auto t = parse_iso8601(get("timestamp"))) report.started_us = *t / 1000;
    }
    report.hosts.push_back(s.ip);
    report.services.push_back(std::move(s));
  }
  (void)rows;
  return report;
}

std::vector<std::string> cve_ids_in(std::string_view text) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i + 9 <= text.size(); ++i) {
    auto lower = [&](std::size_t k) { return static_cast<char>(text[k] | 0x20); };
    if (lower(i) != 'c' || lower(i + 1) != 'v' || lower(i + 2) != 'e' || (text[i + 3] != '-' && text[i + 3] != '_')) continue;
    std::size_t j = i + 4, year_digits = 0;
    while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j])) && year_digits < 5) ++j, ++year_digits;
    if (year_digits != 4 || j >= text.size() || (text[j] != '-' && text[j] != '_')) continue;
    std::size_t k = j + 1, digits = 0;
    while (k < text.size() && std::isdigit(static_cast<unsigned char>(text[k]))) ++k, ++digits;
    if (digits < 4 || digits > 8) continue;
    std::string id = fmt::format("CVE-{}-{}", text.substr(i + 4, 4), text.substr(j + 1, digits));
    if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(std::move(id));
    i = k - 1;
  }
  return out;
}

}  // namespace khien
