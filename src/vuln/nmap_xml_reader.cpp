// nmap XML (-oX) → ScanReport, read with expat as a stream of start/end elements.
#include <expat.h>

#include <charconv>
#include <cstring>

#include <fmt/format.h>

#include "vuln/scan_report.h"

namespace khien {

namespace {

const char* attribute(const XML_Char** attrs, const char* name) {
  for (int i = 0; attrs[i]; i += 2)
    if (std::strcmp(attrs[i], name) == 0) return attrs[i + 1];
  return nullptr;
}

std::string attribute_or_empty(const XML_Char** attrs, const char* name) {
  const char* v = attribute(attrs, name);
  return v ? std::string(v) : std::string();
}

bool parse_int(std::string_view text, long long& out) {
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && p == text.data() + text.size();
}

// "1,3-4,6-7,9" → ranges; false on anything else.
bool parse_port_list(std::string_view text, std::vector<std::pair<int, int>>& out) {
  while (!text.empty()) {
    auto comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    auto dash = item.find('-');
    long long lo = 0, hi = 0;
    if (!parse_int(item.substr(0, dash), lo)) return false;
    hi = lo;
    if (dash != std::string_view::npos && !parse_int(item.substr(dash + 1), hi)) return false;
    if (lo < 0 || hi > 65535 || lo > hi) return false;
    out.emplace_back(static_cast<int>(lo), static_cast<int>(hi));
  }
  return true;
}

struct NmapParser {
  XML_Parser parser = nullptr;
  ScanReport report;
  bool saw_root = false;
  bool wrong_root = false;
  std::string refused_entity;  ///< where an entity declaration stopped the parse
  std::string root_name;
  int depth = 0;
  // The host being read.
  bool in_host = false;
  std::string host_ip;
  std::string host_state;
  std::vector<ScanService> host_services;
  // The port being read.
  bool in_port = false;
  bool port_open = false;
  ScanService port;
  bool in_cpe = false;
  std::string cpe_text;

  std::string where() const {
    return fmt::format("line {}", XML_GetCurrentLineNumber(parser));
  }

  void start(const char* name, const XML_Char** attrs) {
    ++depth;
    if (!saw_root) {
      saw_root = true;
      root_name = name;
      if (std::strcmp(name, "nmaprun") != 0) {
        wrong_root = true;
        XML_StopParser(parser, XML_FALSE);
        return;
      }
      long long start_s = 0;
      if (const char* s = attribute(attrs, "start"); s && parse_int(s, start_s)) report.started_us = start_s * 1000000;
      return;
    }
    if (std::strcmp(name, "scaninfo") == 0) {
      ScannedPorts sp;
      sp.protocol = attribute_or_empty(attrs, "protocol");
      if (!parse_port_list(attribute_or_empty(attrs, "services"), sp.ranges))
        report.errors.push_back(fmt::format("{}: scaninfo: attribute 'services' is not a port list", where()));
      else
        report.scanned.push_back(std::move(sp));
    } else if (std::strcmp(name, "host") == 0) {
      in_host = true;
      host_ip.clear();
      host_state.clear();
      host_services.clear();
    } else if (in_host && std::strcmp(name, "status") == 0) {
      host_state = attribute_or_empty(attrs, "state");
    } else if (in_host && std::strcmp(name, "address") == 0) {
      std::string type = attribute_or_empty(attrs, "addrtype");
      if (type == "ipv4" || type == "ipv6") {
        std::string addr = attribute_or_empty(attrs, "addr");
        if (auto ip = IpAddress::parse(addr))
          host_ip = ip->to_string();
        else
          report.errors.push_back(fmt::format("{}: address '{}': not an IP address", where(), addr));
      }
    } else if (in_host && std::strcmp(name, "port") == 0) {
      in_port = true;
      port_open = false;
      port = ScanService{};
      port.protocol = attribute_or_empty(attrs, "protocol");
      long long n = 0;
      if (!parse_int(attribute_or_empty(attrs, "portid"), n) || n < 0 || n > 65535) {
        report.errors.push_back(fmt::format("{}: port: attribute 'portid' is not a port number", where()));
        in_port = false;
      } else {
        port.port = static_cast<int>(n);
      }
    } else if (in_port && std::strcmp(name, "state") == 0) {
      port_open = attribute_or_empty(attrs, "state") == "open";
    } else if (in_port && std::strcmp(name, "service") == 0) {
      port.service = attribute_or_empty(attrs, "name");
      port.product = attribute_or_empty(attrs, "product");
      port.version = attribute_or_empty(attrs, "version");
      std::string extra = attribute_or_empty(attrs, "extrainfo");
      port.evidence = port.product + (port.version.empty() ? "" : " " + port.version) + (extra.empty() ? "" : " (" + extra + ")");
    } else if (in_port && std::strcmp(name, "cpe") == 0) {
      in_cpe = true;
      cpe_text.clear();
    }
  }

  void end(const char* name) {
    --depth;
    if (in_cpe && std::strcmp(name, "cpe") == 0) {
      in_cpe = false;
      if (!cpe_text.empty()) port.cpes.push_back(cpe_text);
    } else if (in_port && std::strcmp(name, "port") == 0) {
      in_port = false;
      if (port_open) host_services.push_back(std::move(port));
    } else if (in_host && std::strcmp(name, "host") == 0) {
      in_host = false;
      if (host_ip.empty()) {
        report.errors.push_back(fmt::format("{}: host without an IPv4 or IPv6 address skipped", where()));
        return;
      }
      report.hosts.push_back(host_ip);
      for (auto& s : host_services) {
        s.ip = host_ip;
        report.services.push_back(std::move(s));
      }
    }
  }

  void text(const XML_Char* s, int len) {
    if (in_cpe && cpe_text.size() < 1024) cpe_text.append(s, static_cast<std::size_t>(len));
  }
};

}  // namespace

Result<ScanReport> read_nmap_xml(std::string_view text) {
  NmapParser p;
  p.report.format = "nmap";
  p.parser = XML_ParserCreate("UTF-8");
  if (!p.parser) return fail("nmap XML: cannot create the XML parser");
  XML_SetUserData(p.parser, &p);
  XML_SetElementHandler(
      p.parser, [](void* u, const XML_Char* n, const XML_Char** a) { static_cast<NmapParser*>(u)->start(n, a); },
      [](void* u, const XML_Char* n) { static_cast<NmapParser*>(u)->end(n); });
  XML_SetCharacterDataHandler(p.parser, [](void* u, const XML_Char* s, int len) { static_cast<NmapParser*>(u)->text(s, len); });
  // nmap never declares entities; refusing them keeps entity expansion attacks out.
  XML_SetEntityDeclHandler(p.parser, [](void* u, const XML_Char*, int, const XML_Char*, int, const XML_Char*, const XML_Char*,
                                        const XML_Char*, const XML_Char*) {
    auto* self = static_cast<NmapParser*>(u);
    self->refused_entity = self->where();
    XML_StopParser(self->parser, XML_FALSE);
  });
  bool ok = XML_Parse(p.parser, text.data(), static_cast<int>(std::min<std::size_t>(text.size(), INT32_MAX)), XML_TRUE) == XML_STATUS_OK;
  std::string error;
  if (!ok && !p.wrong_root)
    error = fmt::format("line {} column {}: {}", XML_GetCurrentLineNumber(p.parser), XML_GetCurrentColumnNumber(p.parser),
                        XML_ErrorString(XML_GetErrorCode(p.parser)));
  XML_ParserFree(p.parser);
  if (!p.refused_entity.empty())
    return fail(fmt::format("nmap XML {}: entity declarations are not accepted (nmap never writes them)", p.refused_entity));
  if (p.wrong_root) return fail(fmt::format("not an nmap XML report: the root element is <{}>, expected <nmaprun>", p.root_name));
  if (!p.saw_root) return fail("not an nmap XML report: " + (error.empty() ? std::string("no XML element") : error));
  // A truncated file (an interrupted scan) keeps the hosts read completely before the break.
  if (!ok) p.report.errors.push_back(error + " (hosts after this point are not read)");
  return std::move(p.report);
}

}  // namespace khien
