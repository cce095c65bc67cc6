// nuclei JSON lines (-jsonl) → ScanReport: one finding per line, a bad line skipped with its number.
#include <charconv>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "vuln/scan_report.h"

namespace khien {

namespace {

using json = nlohmann::json;

std::string string_at(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// "https://1.2.3.4:8443/path" or "1.2.3.4:8443" → host and port (default port from the scheme).
void host_port_of(std::string_view url, std::string& host, int& port) {
  int default_port = 0;
  if (auto s = url.find("://"); s != std::string_view::npos) {
    std::string_view scheme = url.substr(0, s);
    default_port = scheme == "https" ? 443 : scheme == "http" ? 80 : 0;
    url.remove_prefix(s + 3);
  }
  url = url.substr(0, url.find_first_of("/?#"));
  std::string_view port_text;
  if (!url.empty() && url.front() == '[') {
    auto close = url.find(']');
    host = std::string(url.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1));
    if (close != std::string_view::npos && close + 1 < url.size() && url[close + 1] == ':') port_text = url.substr(close + 2);
  } else if (auto colon = url.rfind(':'); colon != std::string_view::npos && url.find(':') == colon) {
    host = std::string(url.substr(0, colon));
    port_text = url.substr(colon + 1);
  } else {
    host = std::string(url);
  }
  int p = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), p);
  port = (ec == std::errc() && end == port_text.data() + port_text.size() && p > 0 && p <= 65535) ? p : default_port;
}

}  // namespace

Result<ScanReport> read_nuclei_jsonl(std::string_view text) {
  ScanReport report;
  report.format = "nuclei";
  report.complete_snapshot = true;
  std::size_t line_no = 0, json_lines = 0;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    json j = json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      report.errors.push_back(fmt::format("line {}: not a JSON object", line_no));
      continue;
    }
    ++json_lines;
    ScanService s;
    s.service = string_at(j, "template-id");
    if (s.service.empty()) {
      report.errors.push_back(fmt::format("line {}: field 'template-id': missing (not a nuclei result?)", line_no));
      continue;
    }
    std::string matched = string_at(j, "matched-at");
    std::string host_field = string_at(j, "host");
    std::string host;
    host_port_of(!matched.empty() ? matched : host_field, host, s.port);
    std::string ip_text = string_at(j, "ip");
    if (ip_text.empty()) ip_text = host;
    auto ip = IpAddress::parse(ip_text);
    if (!ip) {
      report.errors.push_back(fmt::format("line {}: field 'ip': '{}' is not an IP address", line_no, ip_text));
      continue;
    }
    s.ip = ip->to_string();
    if (auto p = j.find("port"); p != j.end()) {
      if (p->is_number_integer()) s.port = p->get<int>();
      else if (p->is_string()) std::from_chars(p->get_ref<const std::string&>().data(), p->get_ref<const std::string&>().data() + p->get_ref<const std::string&>().size(), s.port);
    }
    s.protocol = "tcp";
    if (auto info = j.find("info"); info != j.end() && info->is_object()) {
      s.product = string_at(*info, "name");
      if (auto cls = info->find("classification"); cls != info->end() && cls->is_object()) {
        // cve-id is an array in current nuclei, a string in older releases, null when none.
        if (auto c = cls->find("cve-id"); c != cls->end()) {
          if (c->is_string()) {
            for (auto& id : cve_ids_in(c->get<std::string>())) s.cves.push_back(id);
          } else if (c->is_array()) {
            for (const auto& e : *c)
              if (e.is_string())
                for (auto& id : cve_ids_in(e.get<std::string>())) s.cves.push_back(id);
          }
        }
        if (auto cpe = cls->find("cpe"); cpe != cls->end() && cpe->is_string()) s.cpes.push_back(cpe->get<std::string>());
      }
      std::string severity = string_at(*info, "severity");
      s.evidence = fmt::format("{} [{}] {}", s.service, severity, matched.empty() ? host_field : matched);
    }
    if (s.cves.empty()) s.cves = cve_ids_in(s.service);
    report.hosts.push_back(s.ip);
    report.services.push_back(std::move(s));
  }
  if (json_lines == 0 && !report.errors.empty()) return fail("not a nuclei JSONL report: " + report.errors.front());
  return report;
}

}  // namespace khien
