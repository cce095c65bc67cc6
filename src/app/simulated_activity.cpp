// The renderers: each simulated activity written as OCSF, ECS, EVE, Zeek, Wazuh, Windows, CEF or LEEF would carry it.
#include "app/simulated_activity.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "app/simulated_record_heads.h"

namespace khien::sim {

std::string host_name(std::string_view code, std::string_view prefix, std::int64_t n) {
  return fmt::format("{}-{}-{:03}", prefix, code, n);
}


std::string render(const Context& c, const Dns& d) {
  const std::string answer = d.answers.empty() ? std::string() : d.answers.front();
  switch (c.format) {
    case Format::ocsf: {
      JsonLine j = ocsf_base(c, 4003, 1, 1, "Zeek", "Zeek");
      ocsf_endpoints(j, d.client, d.sport, d.server, 53, "udp");
      j.obj("query").str("hostname", d.qname).str("type", d.qtype).close();
      j.arr("answers");
      for (const auto& a : d.answers) j.item_obj().str("rdata", a).str("type", d.qtype).num("ttl", 300).close();
      j.close().str("rcode", d.rcode);
      return j.done();
    }
    case Format::ecs: {
      JsonLine j = ecs_base(c, {{"network"}, {"protocol"}, "network_traffic.dns", "packetbeat"});
      ecs_endpoints(j, d.client, d.sport, d.server, 53);
      j.obj("network").str("transport", "udp").str("protocol", "dns").str("direction", "internal").close();
      j.obj("dns").str("type", "answer").obj("question").str("name", d.qname).str("type", d.qtype).close();
      j.str("response_code", d.rcode).arr("answers");
      for (const auto& a : d.answers) j.item_obj().str("name", d.qname).str("type", d.qtype).str("data", a).close();
      j.close().close();
      return j.done();
    }
    case Format::eve: {
      JsonLine j = eve_base(c, "dns", d.client, d.sport, d.server, 53, "udp");
      if (c.ids.record % 2 == 0 || d.answers.empty()) {
        j.obj("dns").str("type", "query").num("id", static_cast<std::int64_t>(c.ids.flow_id % 65536));
        j.str("rrname", d.qname).str("rrtype", d.qtype).num("tx_id", 0).close();
      } else {
        j.obj("dns")
            .num("version", 2)
            .str("type", "answer")
            .num("id", static_cast<std::int64_t>(c.ids.flow_id % 65536));
        j.str("flags", "8180").boolean("qr", true).boolean("rd", true).boolean("ra", true);
        j.str("rrname", d.qname).str("rrtype", d.qtype).str("rcode", d.rcode).arr("answers");
        for (const auto& a : d.answers)
          j.item_obj().str("rrname", d.qname).str("rrtype", d.qtype).num("ttl", 300).str("rdata", a).close();
        j.close().close();
      }
      return j.done();
    }
    case Format::zeek: {
      JsonLine j = zeek_base(c, "dns", d.client, d.sport, d.server, 53);
      j.str("proto", "udp").num("trans_id", static_cast<std::int64_t>(c.ids.flow_id % 65536)).real("rtt", 0.0125, 6);
      j.str("query", d.qname).num("qclass", 1).str("qclass_name", "C_INTERNET");
      j.num("qtype", d.qtype == "AAAA" ? 28 : 1).str("qtype_name", d.qtype);
      j.num("rcode", d.rcode == "NOERROR" ? 0 : 3).str("rcode_name", d.rcode);
      j.boolean("AA", false).boolean("TC", false).boolean("RD", true).boolean("RA", true).num("Z", 0);
      j.arr("answers");
      for (const auto& a : d.answers) j.item(a);
      j.close().boolean("rejected", false);
      return j.done();
    }
    case Format::winlog: {
      JsonLine j = winlog_base(c, 22, true, d.host, "INFO");
      j.str("UtcTime", windows_time(c.now, 3))
          .str("ProcessGuid", guid(fmt::format("{}{}", d.host, d.image)))
          .num("ProcessId", static_cast<std::int64_t>(2000 + fnv1a(d.image) % 9000))
          .str("QueryName", d.qname)
          .str("QueryStatus", "0")
          .str("QueryResults", answer.empty() ? "-" : fmt::format("::ffff:{};", answer))
          .str("Image", d.image)
          .str("User", fmt::format("{}\\{}", c.code, d.user));
      return j.done();
    }
    default:
      return {};
  }
}

// --- HTTP ---

std::string render(const Context& c, const Http& h) {
  const std::string scheme = h.dport == 443 ? "https" : "http";
  const std::string url = url_of(scheme, h.host, h.target);
  switch (c.format) {
    case Format::ocsf: {
      static constexpr std::string_view kMethods[] = {"CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"};
      int activity = 99;
      for (std::size_t i = 0; i < std::size(kMethods); ++i)
        if (kMethods[i] == h.method) activity = static_cast<int>(i) + 1;
      JsonLine j = ocsf_base(c, 4002, activity, h.cve.empty() ? 1 : 3, "Zeek", "Zeek");
      ocsf_endpoints(j, h.client, h.sport, h.server, h.dport, "tcp");
      std::size_t q = h.target.find('?');
      j.obj("url")
          .str("url_string", url)
          .str("scheme", scheme)
          .str("hostname", h.host)
          .str("path", h.target.substr(0, q));
      if (q != std::string::npos) j.str("query_string", h.target.substr(q + 1));
      j.num("port", h.dport).close();
      j.obj("http_request").str("http_method", h.method).str("user_agent", h.agent);
      if (!h.referrer.empty()) j.str("referrer", h.referrer);
      j.close().obj("http_response").num("code", h.status).close();
      j.obj("traffic").num("bytes_out", h.request_bytes).num("bytes_in", h.response_bytes).close();
      return j.done();
    }
    case Format::ecs: {
      JsonLine j = ecs_base(c, {{"network", "web"}, {"access", "protocol"}, "network_traffic.http", "packetbeat"});
      ecs_endpoints(j, h.client, h.sport, h.server, h.dport);
      j.obj("network")
          .str("transport", "tcp")
          .str("protocol", "http")
          .str("direction", h.inbound ? "ingress" : "egress")
          .close();
      std::size_t q = h.target.find('?');
      j.obj("url").str("full", url).str("domain", h.host).str("path", h.target.substr(0, q));
      if (q != std::string::npos) j.str("query", h.target.substr(q + 1));
      j.str("scheme", scheme).close();
      j.obj("http").obj("request").str("method", h.method);
      if (!h.referrer.empty()) j.str("referrer", h.referrer);
      j.close().obj("response").num("status_code", h.status).close().close();
      j.obj("user_agent").str("original", h.agent).close();
      return j.done();
    }
    case Format::eve: {
      JsonLine j = eve_base(c, "http", h.client, h.sport, h.server, h.dport, "tcp");
      j.num("tx_id", 0).obj("http").str("hostname", h.host).str("url", h.target).str("http_user_agent", h.agent);
      j.str("http_content_type", h.content_type).str("http_method", h.method).str("protocol", "HTTP/1.1");
      j.num("status", h.status).num("length", h.response_bytes);
      if (!h.referrer.empty()) j.str("http_refer", h.referrer);
      j.close();
      return j.done();
    }
    case Format::zeek: {
      JsonLine j = zeek_base(c, "http", h.client, h.sport, h.server, h.dport);
      j.num("trans_depth", 1).str("method", h.method).str("host", h.host).str("uri", h.target).str("version", "1.1");
      j.str("user_agent", h.agent).num("request_body_len", 0).num("response_body_len", h.response_bytes);
      j.num("status_code", h.status)
          .str("status_msg", h.status == 200   ? "OK"
                             : h.status == 404 ? "Not Found"
                                               : "Bad Request");
      if (!h.referrer.empty()) j.str("referrer", h.referrer);
      j.strs("tags", {}).strs("resp_mime_types", {h.content_type});
      return j.done();
    }
    case Format::wazuh: {
      // A web server (inbound) or the proxy (outbound) access log, as Wazuh alerts on it.
      const std::string line =
          fmt::format("{} - - [{}] \"{} {} HTTP/1.1\" {} {} \"-\" \"{}\"", h.client.to_string(), windows_time(c.now, 0),
                      h.method, h.inbound ? h.target : url, h.status, h.response_bytes, h.agent);
      std::string agent =
          h.inbound ? host_name(c.code, "web", 1 + static_cast<int>(fnv1a(h.host) % 4)) : host_name(c.code, "proxy", 1);
      JsonLine j = h.inbound ? (h.cve.empty() ? wazuh_base(c, "31101", 5, "Web server 400 error code.",
                                                           {"web", "accesslog", "attack"}, agent, h.server)
                                              : wazuh_base(c, "31104", 6, "Common web attack.",
                                                           {"web", "accesslog", "attack"}, agent, h.server))
                             : wazuh_base(c, "35002", 3, "Squid: Accessed URL.", {"squid"}, agent, h.client);
      j.str("full_log", line);
      j.obj("decoder").str("name", h.inbound ? "web-accesslog" : "squid-accesslog").close();
      j.obj("data").str("srcip", h.client.to_string()).str("protocol", h.method).str("url", h.inbound ? h.target : url);
      j.str("id", std::to_string(h.status)).close();
      j.str("location", h.inbound ? "/var/log/nginx/access.log" : "/var/log/squid/access.log");
      return j.done();
    }
    case Format::cef: {
      CefLine l = cef_base(c, "webfilter", h.blocked ? "utm:webfilter blocked" : "utm:webfilter passthrough",
                           h.blocked ? 5 : 3);
      l.kv("src", h.client.to_string()).kv("spt", h.sport).kv("dst", h.server.to_string()).kv("dpt", h.dport);
      l.kv("proto", "6").kv("app", scheme == "https" ? "HTTPS" : "HTTP").kv("dhost", h.host).kv("request", url);
      l.kv("requestMethod", h.method).kv("requestClientApplication", h.agent);
      l.kv("act", h.blocked ? "blocked" : "passthrough").kv("cat", h.blocked ? "Phishing" : "News and Media");
      return l.done();
    }
    case Format::leef: {
      LeefLine l = leef_base(c, h.blocked ? "url-block" : "url", "URL");
      l.kv("src", h.client.to_string()).kv("dst", h.server.to_string()).kv("srcPort", h.sport).kv("dstPort", h.dport);
      l.kv("proto", "tcp").kv("url", url).kv("action", h.blocked ? "block-url" : "alert").kv("UserAgent", h.agent);
      l.kv("Method", h.method).kv("sev", h.blocked ? 4 : 1);
      return l.done();
    }
    default:
      return {};
  }
}

// --- TLS ---

std::string render(const Context& c, const Tls& t) {
  switch (c.format) {
    case Format::ocsf: {
      JsonLine j = ocsf_base(c, 4001, 6, 1, "Zeek", "Zeek");
      ocsf_endpoints(j, t.client, t.sport, t.server, t.dport, "tcp");
      j.str("app_name", "tls").obj("tls").str("sni", t.sni).str("version", t.version);
      j.obj("certificate").str("subject", t.subject).str("issuer", t.issuer).close().close();
      return j.done();
    }
    case Format::ecs: {
      JsonLine j = ecs_base(c, {{"network"}, {"connection", "protocol"}, "network_traffic.tls", "packetbeat"});
      ecs_endpoints(j, t.client, t.sport, t.server, t.dport);
      j.obj("network").str("transport", "tcp").str("protocol", "tls").str("direction", "egress").close();
      j.obj("tls").str("version", t.version.substr(4)).str("version_protocol", "tls");
      j.obj("client").str("server_name", t.sni).close();
      j.obj("server").str("subject", t.subject).str("issuer", t.issuer).close().close();
      return j.done();
    }
    case Format::eve: {
      JsonLine j = eve_base(c, "tls", t.client, t.sport, t.server, t.dport, "tcp");
      j.obj("tls").str("subject", t.subject).str("issuerdn", t.issuer).str("sni", t.sni).str("version", t.version);
      j.str("fingerprint", stable_hex(t.sni, 40)).obj("ja3").str("hash", stable_hex("ja3:chrome", 32)).close().close();
      return j.done();
    }
    case Format::zeek: {
      JsonLine j = zeek_base(c, "ssl", t.client, t.sport, t.server, t.dport);
      j.str("version", zeek_version(t.version)).str("cipher", "TLS_AES_128_GCM_SHA256").str("curve", "x25519");
      j.str("server_name", t.sni).boolean("resumed", false).boolean("established", true);
      j.str("ja3", stable_hex("ja3:chrome", 32));
      return j.done();
    }
    default:
      return {};
  }
}

// --- Connections (flows, firewall decisions) ---

std::string render(const Context& c, const Conn& n) {
  const bool tcp = n.proto == "tcp";
  switch (c.format) {
    case Format::ocsf: {
      JsonLine j =
          ocsf_base(c, 4001, 6, n.allowed ? 1 : 2, n.allowed ? "Zeek" : "FortiGate", n.allowed ? "Zeek" : "Fortinet");
      ocsf_endpoints(j, n.src, n.sport, n.dst, n.dport, n.proto, n.inbound ? "inbound" : "outbound");
      if (!n.app.empty()) j.str("app_name", n.app);
      j.str("action", n.allowed ? "Allowed" : "Denied").str("disposition", n.allowed ? "Allowed" : "Blocked");
      j.obj("traffic").num("bytes_out", n.bytes_out).num("bytes_in", n.bytes_in).num("packets_out", n.packets_out);
      j.num("packets_in", n.packets_in).close().num("duration", std::llround(n.duration_s * 1000));
      return j.done();
    }
    case Format::ecs: {
      JsonLine j = ecs_base(c, {{"network"},
                                {n.allowed ? "connection" : "denied", n.allowed ? "end" : "connection"},
                                n.allowed ? "network_traffic.flow" : "panw.panos",
                                n.allowed ? "packetbeat" : "filebeat",
                                "event",
                                n.allowed ? "network_flow" : "flow_dropped",
                                n.allowed ? "success" : "failure"});
      j.obj("source").str("ip", n.src.to_string()).num("port", n.sport).num("bytes", n.bytes_out);
      j.num("packets", n.packets_out).close();
      j.obj("destination").str("ip", n.dst.to_string()).num("port", n.dport).num("bytes", n.bytes_in);
      j.num("packets", n.packets_in).close();
      j.obj("network").str("transport", n.proto).str("direction", n.inbound ? "ingress" : "egress");
      if (!n.app.empty()) j.str("protocol", n.app);
      j.num("bytes", n.bytes_in + n.bytes_out).num("packets", n.packets_in + n.packets_out).close();
      return j.done();
    }
    case Format::eve: {
      JsonLine j = eve_base(c, "flow", n.src, n.sport, n.dst, n.dport, n.proto);
      if (!n.app.empty()) j.str("app_proto", n.app);
      j.obj("flow").num("pkts_toserver", n.packets_out).num("pkts_toclient", n.packets_in);
      j.num("bytes_toserver", n.bytes_out).num("bytes_toclient", n.bytes_in);
      j.str("start", iso_with_offset(c.now - static_cast<TimeNs>(n.duration_s * 1e9), 6))
          .str("end", iso_with_offset(c.now, 6));
      j.num("age", std::llround(n.duration_s)).str("state", n.packets_in == 0 ? "new" : tcp ? "closed" : "established");
      j.str("reason", "timeout").boolean("alerted", false).close();
      return j.done();
    }
    case Format::zeek: {
      JsonLine j = zeek_base(c, "conn", n.src, n.sport, n.dst, n.dport);
      j.str("proto", n.proto);
      if (!n.app.empty()) j.str("service", n.app);
      if (n.packets_in > 0) {
        j.real("duration", n.duration_s, 6).num("orig_bytes", n.bytes_out).num("resp_bytes", n.bytes_in);
        j.str("conn_state", "SF").boolean("local_orig", !n.inbound).boolean("local_resp", n.inbound);
        j.num("missed_bytes", 0).str("history", tcp ? "ShADadFf" : "Dd");
      } else {
        j.str("conn_state", n.allowed ? "S0" : "REJ")
            .boolean("local_orig", !n.inbound)
            .boolean("local_resp", n.inbound);
        j.num("missed_bytes", 0).str("history", n.allowed ? "S" : "Sr");
      }
      j.num("orig_pkts", n.packets_out).num("orig_ip_bytes", n.bytes_out + 40 * n.packets_out);
      j.num("resp_pkts", n.packets_in).num("resp_ip_bytes", n.bytes_in + 40 * n.packets_in);
      return j.done();
    }
    case Format::wazuh: {
      // Wazuh sees firewall drops (iptables on a Linux server) rather than every flow.
      std::string agent = host_name(c.code, "srv", 1 + static_cast<int>(fnv1a(n.dst.to_string()) % 8));
      JsonLine j = wazuh_base(c, "4101", 5, "Firewall drop event.", {"firewall", "firewall_drop"}, agent, n.dst);
      j.str("full_log",
            fmt::format("kernel: [UFW BLOCK] IN=ens160 OUT= SRC={} DST={} PROTO={} SPT={} DPT={} WINDOW=1024 SYN",
                        n.src.to_string(), n.dst.to_string(), tcp ? "TCP" : "UDP", n.sport, n.dport));
      j.obj("decoder").str("name", "iptables").close();
      j.obj("data")
          .str("srcip", n.src.to_string())
          .str("dstip", n.dst.to_string())
          .str("srcport", std::to_string(n.sport));
      j.str("dstport", std::to_string(n.dport)).str("protocol", tcp ? "TCP" : "UDP").str("action", "DROP").close();
      j.str("location", "/var/log/kern.log");
      return j.done();
    }
    case Format::winlog: {
      JsonLine j = winlog_base(c, 3, true, n.host, "INFO");
      j.str("UtcTime", windows_time(c.now, 3))
          .num("ProcessId", static_cast<std::int64_t>(2000 + fnv1a(n.image) % 9000));
      j.str("Image", n.image).str("User", fmt::format("{}\\{}", c.code, n.user)).str("Protocol", n.proto);
      j.boolean("Initiated", true).boolean("SourceIsIpv6", false).str("SourceIp", n.src.to_string());
      j.str("SourceHostname", fmt::format("{}.{}", n.host, c.domain)).num("SourcePort", n.sport);
      j.boolean("DestinationIsIpv6", false).str("DestinationIp", n.dst.to_string()).num("DestinationPort", n.dport);
      return j.done();
    }
    case Format::cef: {
      CefLine l =
          cef_base(c, "traffic", n.allowed ? "traffic:forward accept" : "traffic:forward deny", n.allowed ? 3 : 5);
      l.kv("src", n.src.to_string()).kv("spt", n.sport).kv("dst", n.dst.to_string()).kv("dpt", n.dport);
      l.kv("proto", tcp ? "6" : "17").kv("deviceDirection", n.inbound ? "0" : "1");
      if (!n.app.empty()) l.kv("app", n.app);
      l.kv("act", n.allowed ? "accept" : "deny").kv("in", n.bytes_out).kv("out", n.bytes_in);
      l.kv("cs1Label", "policyid").kv("cs1", n.allowed ? "12" : "1");
      return l.done();
    }
    case Format::leef: {
      LeefLine l = leef_base(c, n.allowed ? "allow" : "deny", "TRAFFIC");
      l.kv("src", n.src.to_string()).kv("dst", n.dst.to_string()).kv("srcPort", n.sport).kv("dstPort", n.dport);
      l.kv("proto", n.proto).kv("action", n.allowed ? "allow" : "deny").kv("srcBytes", n.bytes_out);
      l.kv("dstBytes", n.bytes_in).kv("srcPackets", n.packets_out).kv("dstPackets", n.packets_in);
      l.kv("RuleName", n.allowed ? "allow-outbound-web" : "deny-inbound-default");
      if (!n.app.empty()) l.kv("Application", n.app);
      return l.done();
    }
  }
  return {};
}

// --- Process creation ---

std::string render(const Context& c, const Proc& p) {
  switch (c.format) {
    case Format::ocsf: {
      JsonLine j = ocsf_base(c, 1007, 1, p.suspicious ? 3 : 1, "Sysmon", "Microsoft");
      j.obj("device").str("hostname", p.host).str("ip", p.host_ip.to_string()).close();
      j.obj("process").num("pid", p.pid).str("name", basename_of(p.image)).str("cmd_line", p.cmd);
      j.obj("file").str("path", p.image).close().obj("user").str("name", p.user).close().close();
      j.obj("actor").obj("process").num("pid", p.ppid).str("name", basename_of(p.parent_image));
      j.str("cmd_line", p.parent_cmd).obj("file").str("path", p.parent_image).close().close();
      j.obj("user").str("name", p.user).str("domain", c.code).close().close();
      j.obj("file").str("name", basename_of(p.image)).str("path", p.image).obj("hashes").str("sha256", p.sha256);
      if (!p.md5.empty()) j.str("md5", p.md5);
      if (!p.sha1.empty()) j.str("sha1", p.sha1);
      j.close().close();
      return j.done();
    }
    case Format::ecs: {
      JsonLine j = ecs_base(c, {{"process"}, {"start"}, "endpoint.events.process", "endpoint"});
      j.obj("host")
          .str("hostname", p.host)
          .strs("ip", {p.host_ip.to_string()})
          .obj("os")
          .str("name", "Windows 10")
          .close()
          .close();
      j.obj("user").str("name", p.user).str("domain", c.code).close();
      j.obj("process").num("pid", p.pid).str("name", basename_of(p.image)).str("executable", p.image);
      j.str("command_line", p.cmd).obj("hash").str("sha256", p.sha256);
      if (!p.md5.empty()) j.str("md5", p.md5);
      if (!p.sha1.empty()) j.str("sha1", p.sha1);
      j.close().obj("parent").num("pid", p.ppid).str("executable", p.parent_image).str("command_line", p.parent_cmd);
      j.close().close();
      return j.done();
    }
    case Format::winlog: {
      JsonLine j = winlog_base(c, 1, true, p.host, "INFO");
      const std::string image = basename_of(p.image);
      j.str("UtcTime", windows_time(c.now, 3))
          .str("ProcessGuid", guid(fmt::format("{}{}{}", p.host, p.pid, c.record)))
          .num("ProcessId", p.pid)
          .str("Image", p.image)
          .str("OriginalFileName", image)
          .str("CommandLine", p.cmd)
          .str("CurrentDirectory", fmt::format("C:\\Users\\{}\\", p.user))
          .str("User", fmt::format("{}\\{}", c.code, p.user))
          .str("LogonId", fmt::format("0x{}", stable_hex(p.user, 6)))
          .str("IntegrityLevel", "Medium")
          .str("Hashes", sysmon_hashes(p.sha1, p.md5, p.sha256, p.image))
          .num("ParentProcessId", p.ppid)
          .str("ParentImage", p.parent_image)
          .str("ParentCommandLine", p.parent_cmd)
          .str("ParentUser", fmt::format("{}\\{}", c.code, p.user));
      return j.done();
    }
    default:
      return {};
  }
}

// --- Logons ---

std::string render(const Context& c, const Logon& l) {
  switch (c.format) {
    case Format::ocsf: {
      JsonLine j = ocsf_base(c, 3002, 1, l.success ? 1 : 3, "Windows", "Microsoft");
      j.str("status", l.success ? "Success" : "Failure").obj("actor").obj("user").str("name", l.user);
      j.str("domain", l.domain).close().close();
      j.obj("src_endpoint").str("ip", l.src.to_string()).close();
      j.obj("device").str("hostname", l.host).str("ip", l.host_ip.to_string()).close();
      j.num("logon_type_id", l.logon_type).str("auth_protocol", "Kerberos");
      return j.done();
    }
    case Format::ecs: {
      JsonLine j = ecs_base(c, {{"authentication"},
                                {"start"},
                                "system.security",
                                "winlogbeat",
                                "event",
                                l.success ? "logged-in" : "logon-failed",
                                l.success ? "success" : "failure",
                                l.success ? "4624" : "4625"});
      j.obj("user").str("name", l.user).str("domain", l.domain).close();
      j.obj("source").str("ip", l.src.to_string()).close();
      j.obj("host").str("hostname", l.host).strs("ip", {l.host_ip.to_string()}).close();
      j.obj("winlog").str("channel", "Security").num("event_id", l.success ? 4624 : 4625);
      j.str("provider_name", "Microsoft-Windows-Security-Auditing")
          .num("record_id", static_cast<std::int64_t>(c.record));
      j.obj("event_data").str("TargetUserName", l.user).str("TargetDomainName", l.domain);
      j.str("LogonType", std::to_string(l.logon_type)).str("IpAddress", l.src.to_string()).close().close();
      return j.done();
    }
    case Format::wazuh: {
      if (l.ssh) {
        const std::string log = l.success ? fmt::format("sshd[{}]: Accepted publickey for {} from {} port {} ssh2",
                                                        1000 + c.record % 30000, l.user, l.src.to_string(), l.sport)
                                          : fmt::format("sshd[{}]: Invalid user {} from {} port {}",
                                                        1000 + c.record % 30000, l.user, l.src.to_string(), l.sport);
        JsonLine j = l.success
                         ? wazuh_base(c, "5715", 3, "sshd: authentication success.",
                                      {"syslog", "sshd", "authentication_success"}, l.host, l.host_ip)
                         : wazuh_base(c, "5710", 5, "sshd: Attempt to login using a non-existent user",
                                      {"syslog", "sshd", "authentication_failed", "invalid_login"}, l.host, l.host_ip);
        j.str("full_log", fmt::format("{} {} {}", leef_time(c.now).substr(0, 6), l.host, log));
        j.obj("predecoder").str("program_name", "sshd").str("hostname", l.host).close();
        j.obj("decoder").str("parent", "sshd").str("name", "sshd").close();
        j.obj("data").str("srcip", l.src.to_string()).str("srcport", std::to_string(l.sport));
        j.str(l.success ? "dstuser" : "srcuser", l.user).close();
        j.str("location", "/var/log/auth.log");
        return j.done();
      }
      JsonLine j = l.success ? wazuh_base(c, "60106", 3, "Windows Logon Success",
                                          {"windows", "windows_security", "authentication_success"}, l.host, l.host_ip)
                             : wazuh_base(c, "60122", 5, "Logon Failure - Unknown user or bad password",
                                          {"windows", "windows_security", "authentication_failed"}, l.host, l.host_ip);
      j.obj("decoder").str("name", "windows_eventchannel").close();
      j.obj("data").obj("win").obj("system").str("providerName", "Microsoft-Windows-Security-Auditing");
      j.str("eventID", l.success ? "4624" : "4625")
          .str("channel", "Security")
          .str("eventRecordID", std::to_string(c.record));
      j.str("computer", fmt::format("{}.{}", l.host, c.domain)).close();
      j.obj("eventdata").str("targetUserName", l.user).str("targetDomainName", l.domain);
      j.str("logonType", std::to_string(l.logon_type)).str("ipAddress", l.src.to_string()).close().close().close();
      j.str("location", "EventChannel");
      return j.done();
    }
    case Format::winlog: {
      JsonLine j =
          winlog_base(c, l.success ? 4624 : 4625, false, l.host, l.success ? "AUDIT_SUCCESS" : "AUDIT_FAILURE");
      j.num("Task", 12544).str("Category", "Logon").str("SubjectUserSid", "S-1-5-18");
      j.str("SubjectUserName", fmt::format("{}$", l.host)).str("SubjectDomainName", l.domain);
      j.str("TargetUserName", l.user).str("TargetDomainName", l.domain).num("LogonType", l.logon_type);
      j.str("LogonProcessName", l.logon_type == 3 ? "NtLmSsp" : "User32").str("AuthenticationPackageName", "Negotiate");
      j.str("WorkstationName", l.host).str("ProcessId", "0x30c").str("ProcessName", l.process);
      j.str("IpAddress", l.src.to_string()).str("IpPort", std::to_string(l.sport));
      if (!l.success) j.str("Status", "0xc000006d").str("SubStatus", "0xc000006a").str("FailureReason", "%%2313");
      return j.done();
    }
    case Format::cef: {
      CefLine x =
          cef_base(c, "event", l.success ? "event:vpn tunnel-up" : "event:vpn ssl-login-fail", l.success ? 2 : 4);
      x.kv("src", l.src.to_string())
          .kv("suser", l.user)
          .kv("sntdom", l.domain)
          .kv("act", l.success ? "tunnel-up" : "ssl-login-fail");
      x.kv("outcome", l.success ? "success" : "failure").kv("cat", "vpn");
      return x.done();
    }
    case Format::leef: {
      LeefLine x = leef_base(c, l.success ? "globalprotect-login" : "globalprotect-login-fail", "GLOBALPROTECT");
      x.kv("src", l.src.to_string())
          .kv("usrName", l.user)
          .kv("domain", l.domain)
          .kv("action", l.success ? "allow" : "deny");
      x.kv("sev", l.success ? 1 : 3);
      return x.done();
    }
    default:
      return {};
  }
}

// --- Files seen (network transfers, integrity monitoring) ---

std::string render(const Context& c, const FileSeen& f) {
  switch (c.format) {
    case Format::ocsf: {
      JsonLine j = ocsf_base(c, 1001, 1, f.malicious ? 3 : 1, "Sysmon", "Microsoft");
      j.obj("device").str("hostname", f.host).str("ip", f.host_ip.to_string()).close();
      j.obj("actor").obj("user").str("name", f.user).close().close();
      j.obj("file").str("name", f.name).str("path", f.path).num("size", f.size).obj("hashes").str("sha256", f.sha256);
      if (!f.md5.empty()) j.str("md5", f.md5);
      j.close().close();
      return j.done();
    }
    case Format::ecs: {
      JsonLine j = ecs_base(c, {{"file"}, {"creation"}, "endpoint.events.file", "endpoint"});
      j.obj("host").str("hostname", f.host).strs("ip", {f.host_ip.to_string()}).close();
      j.obj("user").str("name", f.user).close();
      j.obj("file").str("path", f.path).str("name", f.name).num("size", f.size).obj("hash").str("sha256", f.sha256);
      if (!f.md5.empty()) j.str("md5", f.md5);
      j.close().close();
      return j.done();
    }
    case Format::eve: {
      JsonLine j = eve_base(c, "fileinfo", f.server, f.sport, f.client, f.dport, "tcp");
      j.str("app_proto", "http").obj("http").str("hostname", f.http_host).str("url", f.url_target);
      j.str("http_user_agent", kBrowserAgents[0]).str("http_content_type", f.mime).str("http_method", "GET");
      j.str("protocol", "HTTP/1.1").num("status", 200).num("length", f.size).close();
      j.obj("fileinfo").str("filename", f.url_target.substr(0, f.url_target.find('?')));
      j.str("magic", f.mime == "application/pdf" ? "PDF document, version 1.7"
                                                 : "PE32+ executable (GUI) x86-64, for MS Windows");
      j.boolean("gaps", false).str("state", "CLOSED").str("sha256", f.sha256);
      if (!f.md5.empty()) j.str("md5", f.md5);
      j.boolean("stored", false).num("size", f.size).num("tx_id", 0).close();
      return j.done();
    }
    case Format::zeek: {
      JsonLine j;
      j.str("_path", "files")
          .str("_system_name", c.sensor)
          .literal("ts", zeek_time(c.now))
          .str("fuid", c.ids.zeek_fuid);
      j.strs("tx_hosts", {f.server.to_string()}).strs("rx_hosts", {f.client.to_string()});
      j.strs("conn_uids", {c.ids.zeek_uid}).str("source", "HTTP").num("depth", 0);
      j.strs("analyzers", {"MD5", "SHA256", "PE"}).str("mime_type", f.mime).str("filename", f.name);
      j.real("duration", 0.215, 6).boolean("is_orig", false).num("seen_bytes", f.size).num("total_bytes", f.size);
      j.num("missing_bytes", 0).num("overflow_bytes", 0).boolean("timedout", false);
      if (!f.md5.empty()) j.str("md5", f.md5);
      j.str("sha256", f.sha256);
      return j.done();
    }
    case Format::wazuh: {
      JsonLine j =
          f.malicious
              ? wazuh_base(c, "554", 5, "File added to the system.",
                           {"ossec", "syscheck", "syscheck_entry_added", "syscheck_file"}, f.host, f.host_ip)
              : wazuh_base(c, "550", 7, "Integrity checksum changed.",
                           {"ossec", "syscheck", "syscheck_entry_modified", "syscheck_file"}, f.host, f.host_ip);
      j.str("full_log", fmt::format("File '{}' {}", f.path, f.malicious ? "added" : "modified"));
      j.obj("syscheck").str("path", f.path).str("mode", "realtime").str("size_after", std::to_string(f.size));
      j.str("uname_after", f.user).str("md5_after", f.md5.empty() ? stable_hex(f.sha256, 32) : f.md5);
      j.str("sha1_after", stable_hex(fmt::format("sha1:{}", f.sha256), 40)).str("sha256_after", f.sha256);
      j.str("event", f.malicious ? "added" : "modified").close();
      j.obj("decoder").str("name", "syscheck_new_entry").close().str("location", "syscheck");
      return j.done();
    }
    case Format::cef: {
      CefLine l = cef_base(c, "virus", "utm:virus analytics", f.malicious ? 6 : 3);
      l.kv("src", f.server.to_string()).kv("spt", f.sport).kv("dst", f.client.to_string()).kv("dpt", f.dport);
      l.kv("proto", "6").kv("request", url_of("http", f.http_host, f.url_target)).kv("fname", f.name);
      l.kv("fsize", f.size).kv("fileHash", f.sha256).kv("act", "monitored").kv("cat", "Sandbox submission");
      l.kv("cs1Label", "analyticssubmit").kv("cs1", "true");
      return l.done();
    }
    default:
      return {};
  }
}

// --- IDS alerts ---

std::string render(const Context& c, const Alert& a) {
  const std::string url =
      a.url_target.empty() ? std::string() : url_of(a.dport == 443 ? "https" : "http", a.http_host, a.url_target);
  switch (c.format) {
    case Format::ocsf: {
      const int sev = a.severity == 1 ? 4 : a.severity == 2 ? 3 : 2;
      JsonLine j = ocsf_base(c, 2004, 1, sev, "Suricata", "OISF");
      ocsf_endpoints(j, a.src, a.sport, a.dst, a.dport, a.proto);
      j.obj("finding_info").str("title", a.signature).str("uid", std::to_string(a.sid)).strs("types", {a.category});
      j.obj("analytic").str("name", "Suricata").close().close();
      j.str("action", a.blocked ? "Denied" : "Allowed");
      if (!url.empty()) {
        j.obj("url").str("url_string", url).str("hostname", a.http_host).close();
        j.obj("http_request").str("http_method", a.method).str("user_agent", a.agent).close();
      }
      if (!a.cve.empty()) j.arr("vulnerabilities").item_obj().obj("cve").str("uid", a.cve).close().close().close();
      return j.done();
    }
    case Format::ecs: {
      JsonLine j = ecs_base(c, {{"network", "intrusion_detection"},
                                {a.blocked ? "denied" : "allowed"},
                                "suricata.eve",
                                "filebeat",
                                "alert",
                                "alert",
                                {},
                                {},
                                a.severity});
      ecs_endpoints(j, a.src, a.sport, a.dst, a.dport);
      j.obj("network").str("transport", a.proto).close();
      j.obj("rule").str("name", a.signature).str("id", std::to_string(a.sid)).str("category", a.category).close();
      if (!url.empty()) {
        j.obj("url").str("original", a.url_target).str("domain", a.http_host).str("full", url).close();
        j.obj("user_agent").str("original", a.agent).close();
        j.obj("http").obj("request").str("method", a.method).close().close();
      }
      if (!a.cve.empty()) j.obj("vulnerability").str("id", a.cve).obj("scanner").str("vendor", "OISF").close().close();
      return j.done();
    }
    case Format::eve: {
      JsonLine j = eve_base(c, "alert", a.src, a.sport, a.dst, a.dport, a.proto);
      if (!a.app.empty()) j.str("app_proto", a.app);
      j.obj("alert")
          .str("action", a.blocked ? "blocked" : "allowed")
          .num("gid", 1)
          .num("signature_id", a.sid)
          .num("rev", 3);
      j.str("signature", a.signature).str("category", a.category).num("severity", a.severity);
      j.obj("metadata");
      if (!a.cve.empty()) j.strs("cve", {a.cve});
      j.strs("signature_severity", {a.severity == 1 ? "Major" : a.severity == 2 ? "Minor" : "Informational"});
      j.strs("updated_at", {"2024_03_12"}).close().close();
      if (!url.empty()) {
        j.obj("http").str("hostname", a.http_host).str("url", a.url_target).str("http_user_agent", a.agent);
        j.str("http_method", a.method).str("protocol", "HTTP/1.1").num("status", 404).num("length", 162).close();
      }
      return j.done();
    }
    case Format::zeek: {
      JsonLine j = zeek_base(c, "notice", a.src, a.sport, a.dst, a.dport);
      j.str("proto", a.proto);
      if (a.scan) {
        j.str("note", "Scan::Port_Scan")
            .str("msg", fmt::format("{} scanned at least 15 unique ports of host {} in 0m4s", a.src.to_string(),
                                    a.dst.to_string()));
      } else if (!a.cve.empty()) {
        j.str("note", "Exploit::Attempt").str("msg", a.signature).str("sub", a.url_target);
      } else {
        j.str("note", "SSL::Invalid_Server_Cert")
            .str("msg", "SSL certificate validation failed with (unable to get local issuer certificate)");
        j.str("sub", fmt::format("CN={}", a.http_host));
      }
      j.str("src", a.src.to_string()).str("dst", a.dst.to_string()).num("p", a.dport);
      j.strs("actions", {"Notice::ACTION_LOG"}).real("suppress_for", 3600.0, 1);
      return j.done();
    }
    case Format::wazuh: {
      std::string agent = host_name(c.code, "web", 1 + static_cast<int>(fnv1a(a.http_host) % 4));
      JsonLine j = wazuh_base(c, a.cve.empty() ? "86601" : "100210", a.cve.empty() ? 3 : 12, a.signature,
                              {"ids", "suricata"}, agent, a.dst);
      j.str("full_log",
            fmt::format("{} {} -> {}:{} {}", a.signature, a.src.to_string(), a.dst.to_string(), a.dport, a.url_target));
      j.obj("decoder").str("name", "json").close();
      j.obj("data").str("src_ip", a.src.to_string()).str("dest_ip", a.dst.to_string());
      j.str("srcip", a.src.to_string()).str("dstip", a.dst.to_string()).str("dstport", std::to_string(a.dport));
      if (!url.empty()) j.str("url", url);
      j.obj("alert")
          .str("signature", a.signature)
          .str("signature_id", std::to_string(a.sid))
          .str("category", a.category);
      if (!a.cve.empty()) j.obj("metadata").strs("cve", {a.cve}).close();
      j.close().close().str("location", "/var/log/suricata/eve.json");
      return j.done();
    }
    case Format::cef: {
      CefLine l = cef_base(c, "ips", a.signature, a.severity == 1 ? 9 : a.severity == 2 ? 6 : 3);
      l.kv("src", a.src.to_string()).kv("spt", a.sport).kv("dst", a.dst.to_string()).kv("dpt", a.dport);
      l.kv("proto", a.proto == "udp" ? "17" : "6").kv("act", a.blocked ? "dropped" : "detected").kv("cat", a.category);
      if (!url.empty()) l.kv("request", url).kv("requestMethod", a.method).kv("requestClientApplication", a.agent);
      l.kv("externalId", std::to_string(a.sid));
      if (!a.cve.empty()) l.kv("cs2Label", "cve").kv("cs2", a.cve);
      l.kv("msg", a.signature);
      return l.done();
    }
    case Format::leef: {
      LeefLine l = leef_base(c, "threat", "THREAT");
      l.kv("src", a.src.to_string()).kv("dst", a.dst.to_string()).kv("srcPort", a.sport).kv("dstPort", a.dport);
      l.kv("proto", a.proto).kv("action", a.blocked ? "reset-both" : "alert").kv("msg", a.signature);
      l.kv("ThreatID", std::to_string(a.sid)).kv("sev", a.severity == 1 ? 8 : a.severity == 2 ? 5 : 2);
      if (!url.empty()) l.kv("url", url).kv("UserAgent", a.agent);
      if (!a.cve.empty()) l.kv("CVE", a.cve);
      return l.done();
    }
    default:
      return {};
  }
}

// --- Wazuh host checks (rootcheck, package installs) ---

std::string render(const Context& c, const HostCheck& h) {
  JsonLine j = wazuh_base(c, h.rule_id, h.level, h.description, h.groups, h.host, h.host_ip);
  j.str("full_log", h.full_log)
      .obj("decoder")
      .str("name", h.syscheck ? "syscheck_integrity_changed" : "rootcheck")
      .close();
  if (h.syscheck) {
    // The file changes now and then (a configuration push), not on every scan.
    j.obj("syscheck").str("path", h.path).str("mode", "scheduled");
    j.str("sha256_after", stable_hex(fmt::format("{}{}", h.path, c.record / 50), 64));
    j.str("md5_after", stable_hex(fmt::format("md5{}{}", h.path, c.record / 50), 32)).str("event", "modified").close();
  }
  j.str("location", h.location);
  return j.done();
}

}  // namespace khien::sim
