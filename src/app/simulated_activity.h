// What happened in a simulated record (a DNS query, a logon, an IDS alert...) before it is written, and the
// renderers that write each activity in a member SOC's own format.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "app/event_generator.h"
#include "app/simulated_text.h"

namespace khien::sim {

enum class Kind { Dns, Http, Tls, Conn, Proc, Logon, File, Alert, HostCheck };

struct Dns {
  IpAddress client, server;
  int sport = 0;
  std::string qname, qtype = "A", rcode = "NOERROR", host, image, user;
  std::vector<std::string> answers;
};

struct Http {
  IpAddress client, server;
  int sport = 0, dport = 80;
  std::string host, method = "GET", target = "/", agent, referrer, content_type = "text/html";
  int status = 200;
  std::int64_t request_bytes = 0, response_bytes = 0;
  bool blocked = false;
  bool inbound = false;  // toward one of the organisation's servers (an attack) rather than out to the web
  std::string cve;       // set when the request is a known exploit
};

struct Tls {
  IpAddress client, server;
  int sport = 0, dport = 443;
  std::string sni, version = "TLS 1.3", subject, issuer;
};

struct Conn {
  IpAddress src, dst;
  int sport = 0, dport = 0;
  std::string proto = "tcp", app;
  std::int64_t bytes_out = 0, bytes_in = 0, packets_out = 0, packets_in = 0;
  double duration_s = 0;
  bool allowed = true;
  bool inbound = false;
  std::string host, image, user;  // the Windows process behind an outbound connection, and its user
};

struct Proc {
  std::string host, user, image, cmd, parent_image, parent_cmd;
  IpAddress host_ip;
  std::int64_t pid = 0, ppid = 0;
  std::string sha256, md5, sha1;
  bool suspicious = false;
};

struct Logon {
  std::string host, user, domain, process = "C:\\Windows\\System32\\lsass.exe";
  IpAddress src, host_ip;
  bool success = true, ssh = false;
  int logon_type = 2;
  int sport = 0;
};

struct FileSeen {
  IpAddress server, client;
  int sport = 80, dport = 0;
  std::string name, path, sha256, md5, mime = "application/x-dosexec", http_host, url_target, host, user;
  std::int64_t size = 0;
  IpAddress host_ip;
  bool malicious = false;
};

struct Alert {
  IpAddress src, dst;
  int sport = 0, dport = 0;
  std::string proto = "tcp", app, signature, category, cve, http_host, url_target, agent, method = "GET";
  std::int64_t sid = 0;
  int severity = 3;  // Suricata scale: 1 high .. 3 low
  bool blocked = false;
  bool scan = false;
};

struct HostCheck {
  std::string host, rule_id, description, full_log, location, path;
  std::vector<std::string> groups;
  int level = 3;
  IpAddress host_ip;
  bool syscheck = false;
};

struct Ids {  // per-record identifiers drawn once so every format can use them
  std::uint64_t flow_id = 0;
  std::string zeek_uid, zeek_fuid;
  std::uint64_t record = 0;
};

// Everything a renderer needs to know about the record being written besides the activity itself.
struct Context {
  TimeNs now;
  const SimulatedSoc& soc;
  std::uint64_t record;
  std::string_view code, domain, sensor;
  Format format;
  Ids ids;
};

/// Host names of an organisation's machines: "<prefix>-<code>-<nnn>".
std::string host_name(std::string_view code, std::string_view prefix, std::int64_t n);

/// One line in the context's format for each kind of activity.
std::string render(const Context& c, const Dns& d);
std::string render(const Context& c, const Http& h);
std::string render(const Context& c, const Tls& t);
std::string render(const Context& c, const Conn& n);
std::string render(const Context& c, const Proc& p);
std::string render(const Context& c, const Logon& l);
std::string render(const Context& c, const FileSeen& f);
std::string render(const Context& c, const Alert& a);
std::string render(const Context& c, const HostCheck& h);

}  // namespace khien::sim
