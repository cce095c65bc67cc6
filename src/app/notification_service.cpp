// Notification service: audiences under TLP, payloads, webhook and SMTP clients, retries, routes.
#include "app/notification_service.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <set>

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <spdlog/spdlog.h>

#include "api/identity.h"
#include "core/text.h"
#include "core/time.h"

namespace khien {

namespace {

using json = nlohmann::json;
constexpr TimeNs kMs = 1'000'000;

std::string tlp_label(const std::string& tlp) {
  std::string up = tlp;
  for (auto& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return "TLP:" + up;
}

// A connected TCP socket with send/receive timeouts, closed on destruction.
class Socket {
 public:
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Status connect(const std::string& host, const std::string& port, int timeout_seconds) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &res); rc != 0)
      return fail(fmt::format("cannot resolve {}: {}", host, gai_strerror(rc)));
    std::string why = "no address";
    for (addrinfo* a = res; a; a = a->ai_next) {
      int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
      if (fd < 0) continue;
      int rc = ::connect(fd, a->ai_addr, a->ai_addrlen);
      if (rc != 0 && errno == EINPROGRESS) {
        pollfd p{fd, POLLOUT, 0};
        rc = ::poll(&p, 1, timeout_seconds * 1000);
        int err = 0;
        socklen_t len = sizeof err;
        if (rc == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0) rc = 0;
        else {
          why = rc == 0 ? "connection timed out" : std::strerror(err ? err : errno);
          rc = -1;
        }
      } else if (rc != 0) {
        why = std::strerror(errno);
      }
      if (rc == 0) {
        // Back to blocking, bounded by the timeouts below.
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
        timeval tv{timeout_seconds, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        fd_ = fd;
        freeaddrinfo(res);
        return {};
      }
      ::close(fd);
    }
    freeaddrinfo(res);
    return fail(fmt::format("cannot connect to {}:{}: {}", host, port, why));
  }
  Status write_all(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return fail(fmt::format("send: {}", n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? "timed out" : std::strerror(errno)));
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
  }
  /// Appends what arrives to `buffer`; 0 at end of stream.
  Result<std::size_t> read_some(std::string& buffer) {
    char chunk[4096];
    for (;;) {
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return fail(errno == EAGAIN || errno == EWOULDBLOCK ? "no answer (timed out)" : std::string("recv: ") + std::strerror(errno));
      buffer.append(chunk, static_cast<std::size_t>(n));
      return static_cast<std::size_t>(n);
    }
  }

 private:
  int fd_ = -1;
};


struct HttpUrl {
  std::string host, port, path;
};

Result<HttpUrl> parse_http_url(const std::string& url) {
  constexpr std::string_view kScheme = "http://";
  if (url.rfind(kScheme, 0) != 0)
    return fail(fmt::format("webhook url '{}': only http:// is supported (put a TLS-terminating proxy in front for https)", url));
  std::string rest = url.substr(kScheme.size());
  auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  HttpUrl u;
  u.path = slash == std::string::npos ? "/" : rest.substr(slash);
  if (!authority.empty() && authority[0] == '[') {
    auto close = authority.find(']');
    if (close == std::string::npos) return fail(fmt::format("webhook url '{}': unclosed '[' in the host", url));
    u.host = authority.substr(1, close - 1);
    u.port = close + 1 < authority.size() && authority[close + 1] == ':' ? authority.substr(close + 2) : "80";
  } else {
    auto colon = authority.rfind(':');
    u.host = authority.substr(0, colon);
    u.port = colon == std::string::npos ? "80" : authority.substr(colon + 1);
  }
  if (u.host.empty()) return fail(fmt::format("webhook url '{}': no host", url));
  return u;
}

// Reads one SMTP reply (all its lines); returns its code and text.
Result<std::pair<int, std::string>> smtp_reply(Socket& s, std::string& buffer) {
  std::string text;
  for (;;) {
    auto eol = buffer.find("\r\n");
    if (eol == std::string::npos) {
      if (buffer.size() > 65536) return fail("reply line too long");
      auto n = s.read_some(buffer);
      if (!n) return tl::unexpected(n.error());
      if (*n == 0) return fail("the relay closed the connection");
      continue;
    }
    std::string line = buffer.substr(0, eol);
    buffer.erase(0, eol + 2);
    if (line.size() < 3) return fail(fmt::format("malformed reply '{}'", line));
    int code = 0;
    auto [end, ec] = std::from_chars(line.data(), line.data() + 3, code);
    if (ec != std::errc() || end != line.data() + 3) return fail(fmt::format("malformed reply '{}'", line));
    text += (text.empty() ? "" : " ") + (line.size() > 4 ? line.substr(4) : std::string());
    if (line.size() == 3 || line[3] == ' ') return std::pair{code, text};
  }
}

std::string base64(std::string_view in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// RFC 2047 encoded-word when the header text is not plain ASCII.
std::string header_text(const std::string& text) {
  bool ascii = std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80 && c != '\r' && c != '\n'; });
  return ascii ? text : "=?UTF-8?B?" + base64(text) + "?=";
}

std::string rfc5322_date(TimeNs t) {
  std::time_t secs = static_cast<std::time_t>(t / 1'000'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

std::string text_of(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return {};
  return it->is_string() ? it->get<std::string>() : it->dump();
}

}  // namespace

std::string webhook_signature(std::string_view body, std::string_view secret) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &len);
  std::string out = "sha256=";
  for (unsigned int i = 0; i < len; ++i) out += fmt::format("{:02x}", mac[i]);
  return out;
}

std::string smtp_dot_stuff(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 40 + 4);
  bool line_start = true;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\r') continue;  // line ends are rebuilt as CRLF below
    if (line_start && c == '.') out += '.';
    if (c == '\n') {
      out += "\r\n";
      line_start = true;
      continue;
    }
    out += c;
    line_start = false;
  }
  if (!line_start) out += "\r\n";
  return out;
}

AttemptResult post_webhook(const std::string& url, const std::string& body, const std::vector<std::pair<std::string, std::string>>& headers,
                           int timeout_seconds) {
  AttemptResult r;
  auto u = parse_http_url(url);
  if (!u) return AttemptResult{false, false, 0, u.error().message};
  Socket s;
  if (auto st = s.connect(u->host, u->port, timeout_seconds); !st) return AttemptResult{false, true, 0, st.error().message};
  std::string host = u->host.find(':') != std::string::npos ? "[" + u->host + "]" : u->host;
  std::string request = fmt::format("POST {} HTTP/1.1\r\nHost: {}:{}\r\nUser-Agent: khien\r\nContent-Type: application/json\r\n"
                                    "Content-Length: {}\r\nConnection: close\r\n",
                                    u->path, host, u->port, body.size());
  for (const auto& [name, value] : headers) request += fmt::format("{}: {}\r\n", name, value);
  request += "\r\n";
  request += body;
  if (auto st = s.write_all(request); !st) return AttemptResult{false, true, 0, st.error().message};
  std::string answer;
  while (answer.find("\r\n") == std::string::npos) {
    auto n = s.read_some(answer);
    if (!n) return AttemptResult{false, true, 0, n.error().message};
    if (*n == 0) break;
    if (answer.size() > 65536) break;
  }
  // "HTTP/1.1 204 No Content": the status is all a webhook answer has to say.
  auto sp = answer.find(' ');
  int code = 0;
  if (sp != std::string::npos && answer.size() >= sp + 4) std::from_chars(answer.data() + sp + 1, answer.data() + sp + 4, code);
  if (code == 0) return AttemptResult{false, true, 0, "no HTTP status line in the answer"};
  r.code = code;
  r.ok = code >= 200 && code < 300;
  r.retry = code >= 500 || code == 429 || code == 408;
  if (!r.ok) {
    auto eol = answer.find("\r\n");
    r.error = fmt::format("answered {}", answer.substr(sp + 1, eol == std::string::npos ? std::string::npos : eol - sp - 1));
  }
  return r;
}

AttemptResult send_mail(const SmtpOptions& smtp, const std::string& to, const std::string& message, int timeout_seconds) {
  Socket s;
  if (auto st = s.connect(smtp.host, std::to_string(smtp.port), timeout_seconds); !st) return AttemptResult{false, true, 0, st.error().message};
  std::string buffer;
  // Each step: the command (none for the greeting) and the reply codes that let it go on.
  auto step = [&](const std::string& command, std::initializer_list<int> ok) -> AttemptResult {
    if (!command.empty())
      if (auto st = s.write_all(command + "\r\n"); !st) return AttemptResult{false, true, 0, st.error().message};
    auto reply = smtp_reply(s, buffer);
    if (!reply) return AttemptResult{false, true, 0, reply.error().message};
    AttemptResult r;
    r.code = reply->first;
    r.ok = std::find(ok.begin(), ok.end(), reply->first) != ok.end();
    // 4xx is transient by RFC 5321; 5xx is the relay saying no for good.
    r.retry = reply->first < 500;
    if (!r.ok) r.error = fmt::format("{}: {} {}", command.empty() ? "greeting" : command.substr(0, command.find(' ')), reply->first, reply->second);
    return r;
  };
  AttemptResult r = step("", {220});
  if (!r.ok) return r;
  r = step("EHLO khien", {250});
  if (!r.ok && (r = step("HELO khien", {250})).ok == false) return r;
  if (!(r = step(fmt::format("MAIL FROM:<{}>", smtp.from), {250})).ok) return r;
  if (!(r = step(fmt::format("RCPT TO:<{}>", to), {250, 251})).ok) return r;
  if (!(r = step("DATA", {354})).ok) return r;
  if (auto st = s.write_all(smtp_dot_stuff(message) + ".\r\n"); !st) return AttemptResult{false, true, 0, st.error().message};
  if (!(r = step("", {250})).ok) return r;
  step("QUIT", {221});  // the message is accepted; how the relay says goodbye changes nothing
  r.ok = true;
  r.error.clear();
  return r;
}

std::string warning_tlp(const json& warning) {
  std::string t;
  if (auto it = warning.find("tlp"); it != warning.end() && it->is_string()) t = it->get<std::string>();
  else if (auto d = warning.find("details"); d != warning.end() && d->is_object())
    if (auto it2 = d->find("tlp"); it2 != d->end() && it2->is_string()) t = it2->get<std::string>();
  t = ascii_lower(t);
  if (t.rfind("tlp:", 0) == 0) t = t.substr(4);
  if (t == "white") t = "clear";  // TLP 1.0's name for CLEAR
  if (t == "red" || t == "amber+strict" || t == "amber" || t == "green" || t == "clear") return t;
  return "amber";
}

std::vector<Recipient> warning_audience(const json& warning, const std::vector<OrgRow>& registry) {
  std::map<std::string, const OrgRow*> by_id;
  for (const auto& o : registry) by_id[o.id] = &o;
  const std::string tlp = warning_tlp(warning);
  std::vector<std::string> affected;
  for (const auto& o : warning.value("organisations", json::array()))
    if (o.is_object() && o.contains("org") && o["org"].is_string()) affected.push_back(o["org"].get<std::string>());
  std::vector<Recipient> out;
  std::set<std::string> seen;
  auto add = [&](const std::string& org, bool cert) {
    if (org.empty() || !seen.insert(org).second) return;
    auto it = by_id.find(org);
    out.push_back(Recipient{org, it == by_id.end() ? std::string() : it->second->sector, cert});
  };
  if (tlp == "red") {
    json named = warning.value("recipients", json());
    if (!named.is_array())
      if (auto d = warning.find("details"); d != warning.end() && d->is_object()) named = d->value("recipients", json());
    if (named.is_array() && !named.empty()) {
      for (const auto& n : named)
        if (n.is_string()) add(n.get<std::string>(), false);
    } else {
      for (const auto& o : affected) add(o, false);
    }
    return out;
  }
  for (const auto& o : affected) add(o, false);
  if (tlp == "amber+strict") return out;
  std::set<std::string> sectors;
  for (const auto& o : affected)
    if (auto it = by_id.find(o); it != by_id.end() && !it->second->sector.empty()) sectors.insert(it->second->sector);
  for (const auto& s : warning.value("sectors", json::array()))
    if (s.is_string()) sectors.insert(s.get<std::string>());
  for (const auto& o : registry)
    if (o.type == "sector-cert" && sectors.count(o.sector)) add(o.id, true);
  return out;
}

json minimise_for(const json& warning, const Recipient& r, const std::string& tlp, const std::map<std::string, std::string>& org_sector) {
  json w = warning;
  if (tlp == "red" || tlp == "amber" || tlp == "amber+strict") {
    json kept = json::array();
    for (const auto& o : warning.value("organisations", json::array())) {
      std::string org = o.is_object() ? o.value("org", "") : "";
      auto it = org_sector.find(org);
      const bool visible = org == r.org || (r.sector_cert && it != org_sector.end() && it->second == r.sector);
      if (visible) kept.push_back(o);
    }
    w["organisations"] = kept;
    if (tlp == "red") {
      w.erase("sectors");
      w.erase("provinces");
    }
  }
  return json{{"recipient", r.org}, {"recipient_role", r.sector_cert ? "sector-cert" : "affected-organisation"}, {"tlp", tlp_label(tlp)}, {"warning", w}};
}

bool read_notification_config(std::string_view section, const toml::node& node, const std::filesystem::path& path, NotificationConfig& config,
                              std::vector<std::string>& errors) {
  auto where = [&](const toml::node& n) { return fmt::format("{}:{}", path.string(), n.source().begin.line); };
  auto want_string = [&](const toml::node& n, std::string& out, const std::string& key) {
    if (!n.is_string()) errors.push_back(fmt::format("{}: {}: expected a string", where(n), key));
    else out = n.as_string()->get();
  };
  auto want_int = [&](const toml::node& n, int& out, const std::string& key, int lo, int hi) {
    if (!n.is_integer() || n.as_integer()->get() < lo || n.as_integer()->get() > hi)
      errors.push_back(fmt::format("{}: {}: expected an integer from {} to {}", where(n), key, lo, hi));
    else out = static_cast<int>(n.as_integer()->get());
  };
  if (section == "webhooks" || section == "mail_recipients") {
    if (!node.is_array_of_tables()) {
      errors.push_back(fmt::format("{}: {} must be written as [[{}]] tables", where(node), section, section));
      return true;
    }
    for (const auto& item : *node.as_array()) {
      std::map<std::string, std::string> v;
      for (const auto& [name, value] : *item.as_table()) {
        std::string key = fmt::format("{}.{}", section, name.str());
        const bool known = section == "webhooks" ? (name == "org" || name == "url" || name == "secret") : (name == "org" || name == "to");
        if (!known) {
          errors.push_back(fmt::format("{}: unknown key '{}' ({})", where(value), key, section == "webhooks" ? "org, url, secret" : "org, to"));
          continue;
        }
        want_string(value, v[std::string(name.str())], key);
      }
      if (section == "webhooks") {
        if (v["org"].empty() || v["url"].empty() || v["secret"].empty())
          errors.push_back(fmt::format("{}: webhooks: org, url and secret are all required", where(item)));
        else if (auto u = parse_http_url(v["url"]); !u)
          errors.push_back(fmt::format("{}: {}", where(item), u.error().message));
        else
          config.webhooks.push_back(WebhookTarget{v["org"], v["url"], v["secret"]});
      } else {
        if (v["org"].empty() || v["to"].empty() || v["to"].find('@') == std::string::npos || v["to"].find_first_of("<>\r\n ") != std::string::npos)
          errors.push_back(fmt::format("{}: mail_recipients: org and to (one address, like soc@example.gov.vn) are required", where(item)));
        else
          config.mail_recipients.push_back(MailRecipient{v["org"], v["to"]});
      }
    }
    return true;
  }
  if (section == "smtp" || section == "notifications") {
    if (!node.is_table()) {
      errors.push_back(fmt::format("{}: '{}' must be a [section]", where(node), section));
      return true;
    }
    for (const auto& [name, value] : *node.as_table()) {
      std::string key = fmt::format("{}.{}", section, name.str());
      if (section == "smtp" && name == "host") want_string(value, config.smtp.host, key);
      else if (section == "smtp" && name == "port") want_int(value, config.smtp.port, key, 1, 65535);
      else if (section == "smtp" && name == "from") want_string(value, config.smtp.from, key);
      else if (section == "notifications" && name == "max_attempts") want_int(value, config.max_attempts, key, 1, 100);
      else if (section == "notifications" && name == "backoff_ms") want_int(value, config.backoff_ms, key, 1, 3'600'000);
      else if (section == "notifications" && name == "timeout_seconds") want_int(value, config.timeout_seconds, key, 1, 300);
      else
        errors.push_back(fmt::format("{}: unknown key '{}' ({})", where(value), key,
                                     section == "smtp" ? "host, port, from" : "max_attempts, backoff_ms, timeout_seconds"));
    }
    return true;
  }
  return false;
}

std::string notification_config_toml() {
  NotificationConfig d;
  return fmt::format(
      "\n# Warning notifications (docs/NOTIFICATIONS.md): retries of failed deliveries\n[notifications]\n"
      "# Attempts before a delivery is marked failed\nmax_attempts = {}\n# First retry delay in milliseconds, doubled at each retry\n"
      "backoff_ms = {}\n# Connect/read/write timeout of one attempt\ntimeout_seconds = {}\n"
      "\n# SMTP relay for warning e-mail (plain SMTP, no AUTH); empty host: no e-mail\n[smtp]\nhost = \"\"\nport = {}\nfrom = \"{}\"\n"
      "\n# Signed webhooks, one table per organisation endpoint (X-Khien-Signature: sha256=HMAC of the body):\n"
      "# [[webhooks]]\n# org = \"evn\"\n# url = \"http://soc.evn.example/khien\"\n# secret = \"...\"\n"
      "\n# E-mail recipients, one table per address:\n# [[mail_recipients]]\n# org = \"evn\"\n# to = \"soc@evn.example\"\n",
      d.max_attempts, d.backoff_ms, d.timeout_seconds, d.smtp.port, d.smtp.from);
}

namespace {

std::string mail_body(const json& envelope) {
  const json& w = envelope["warning"];
  std::string out = fmt::format("{}\n\n{}\n\n", envelope.value("tlp", ""), text_of(w, "title"));
  out += fmt::format("Warning:   #{} ({}), version {}\n", text_of(w, "id"), text_of(w, "kind"), text_of(w, "version"));
  out += fmt::format("Severity:  {}\n", text_of(w, "severity"));
  out += fmt::format("Status:    {}\n", w.value("active", true) ? "active" : "inactive (ended)");
  out += fmt::format("First seen: {}\nLast seen:  {}\n", text_of(w, "first_seen"), text_of(w, "last_seen"));
  std::string orgs;
  for (const auto& o : w.value("organisations", json::array())) orgs += (orgs.empty() ? "" : ", ") + o.value("org", "");
  out += fmt::format("Organisations: {} (of {} affected)\n", orgs.empty() ? "-" : orgs, text_of(w, "org_count"));
  if (w.contains("sectors")) out += fmt::format("Sectors:   {}\n", w["sectors"].dump());
  if (auto d = w.find("details"); d != w.end() && d->is_object())
    for (const auto& [k, v] : d->items()) out += fmt::format("{}: {}\n", k, v.is_string() ? v.get<std::string>() : v.dump());
  out += fmt::format("\nYou receive this as {} ({}). Handle it under its TLP.\n\n-- the warning as JSON\n{}\n", envelope.value("recipient", ""),
                     envelope.value("recipient_role", ""), envelope.dump(2));
  return out;
}

}  // namespace

Result<std::unique_ptr<NotificationService>> NotificationService::open(const std::filesystem::path& data_dir, NotificationConfig config,
                                                                       StateStore& registry) {
  std::unique_ptr<NotificationService> s(new NotificationService());
  auto store = DeliveryStore::open(data_dir / "state.db");
  if (!store) return tl::unexpected(store.error());
  s->store_ = std::move(*store);
  s->registry_ = &registry;
  s->refresh_registry();
  for (const auto& w : config.webhooks)
    if (!s->org_sector_.count(w.org)) return fail(fmt::format("webhooks: organisation '{}' (for {}) is not in the registry", w.org, w.url));
  for (const auto& m : config.mail_recipients)
    if (!s->org_sector_.count(m.org)) return fail(fmt::format("mail_recipients: organisation '{}' (for {}) is not in the registry", m.org, m.to));
  if (!config.mail_recipients.empty() && config.smtp.host.empty())
    return fail("mail_recipients are configured but [smtp] host is empty: set the relay to send through");
  if (auto n = s->store_->abandon_pending("khien stopped before this delivery completed"); n)
    spdlog::warn("notifications: {} deliveries left pending by the last run marked failed", n);
  s->config_ = std::move(config);
  return s;
}

NotificationService::~NotificationService() { stop(); }

void NotificationService::refresh_registry() {
  orgs_ = registry_->organisations();
  std::map<std::string, std::string> sectors;
  for (const auto& o : orgs_) sectors[o.id] = o.sector;
  // Route handlers read the map under the lock; only this thread writes it.
  std::lock_guard lock(mutex_);
  org_sector_ = std::move(sectors);
}

void NotificationService::start() {
  if (config_.webhooks.empty() && config_.mail_recipients.empty()) return;
  worker_ = std::thread([this] { run(); });
}

void NotificationService::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void NotificationService::on_warning(const std::string& document) {
  if (config_.webhooks.empty() && config_.mail_recipients.empty()) return;
  {
    std::lock_guard lock(mutex_);
    if (incoming_.size() >= 10000) {
      spdlog::error("notifications: backlog of 10000 warning changes; dropping one");
      incoming_.pop_front();
    }
    incoming_.push_back(document);
  }
  cv_.notify_all();
}

void NotificationService::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    TimeNs next = INT64_MAX;
    for (const auto& j : jobs_) next = std::min(next, j.record.next_attempt);
    const TimeNs now = now_ns();
    if (incoming_.empty() && next > now) {
      if (next == INT64_MAX) cv_.wait(lock);
      else cv_.wait_for(lock, std::chrono::nanoseconds(next - now));
      continue;
    }
    std::deque<std::string> docs;
    docs.swap(incoming_);
    lock.unlock();
    for (const auto& d : docs) plan(d);
    // Due jobs are attempted outside the lock; jobs_ belongs to this thread.
    for (auto& j : jobs_)
      if (j.record.next_attempt <= now_ns()) attempt(j);
    std::erase_if(jobs_, [](const Job& j) { return j.record.status != DeliveryStatus::pending; });
    lock.lock();
  }
}

void NotificationService::plan(const std::string& document) {
  json w = json::parse(document, nullptr, false);
  if (!w.is_object()) return;
  // A settling warning may still be merged into another: its recipients hear of the campaign once,
  // when it has settled (a merged one never, its organisations are in the warning it joined).
  if (w.value("settling", false) || w.contains("merged_into")) return;
  refresh_registry();
  const std::string tlp = warning_tlp(w);
  const std::int64_t warning_id = w.value("id", std::int64_t{0});
  const std::uint64_t version = w.value("version", std::uint64_t{0});
  const TimeNs now = now_ns();
  for (const auto& r : warning_audience(w, orgs_)) {
    auto make = [&](const std::string& channel, const std::string& target) {
      DeliveryRecord d;
      d.id = "dlv-" + random_hex(12);
      d.warning_id = warning_id;
      d.warning_version = version;
      d.warning_kind = w.value("kind", "");
      d.tlp = tlp;
      d.channel = channel;
      d.org = r.org;
      d.target = target;
      d.created = d.updated = d.next_attempt = now;
      return d;
    };
    auto enqueue = [&](Job job) {
      // A newer version of a warning replaces one still waiting for the same target: the
      // recipient wants the warning as it is now, once, not every step of its growth.
      for (auto& old : jobs_) {
        if (old.record.status != DeliveryStatus::pending || old.record.warning_id != warning_id || old.record.channel != job.record.channel ||
            old.record.target != job.record.target)
          continue;
        old.record.status = DeliveryStatus::superseded;
        old.record.last_error = fmt::format("superseded by {} (warning version {})", job.record.id, version);
        old.record.updated = now;
        if (auto st = store_->save(old.record); !st) spdlog::error("notifications: {}", st.error().message);
      }
      if (auto st = store_->save(job.record); !st) spdlog::error("notifications: {}", st.error().message);
      jobs_.push_back(std::move(job));
    };
    const json envelope = minimise_for(w, r, tlp, org_sector_);
    for (const auto& hook : config_.webhooks) {
      if (hook.org != r.org) continue;
      Job job{make("webhook", hook.url), {}, hook.secret};
      json e = envelope;
      e["delivery"] = job.record.id;
      job.payload = e.dump();
      enqueue(std::move(job));
    }
    for (const auto& m : config_.mail_recipients) {
      if (m.org != r.org) continue;
      Job job{make("mail", m.to), {}, {}};
      std::string subject = fmt::format("[khien][{}] {}{}", tlp_label(tlp), w.value("active", true) ? "" : "Ended: ", text_of(w, "title"));
      job.payload = fmt::format(
          "From: {}\nTo: {}\nSubject: {}\nDate: {}\nMessage-ID: <{}@khien>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
          "Content-Transfer-Encoding: 8bit\nX-Khien-Delivery: {}\nX-Khien-Warning: {}\nX-Khien-TLP: {}\n\n{}",
          config_.smtp.from, m.to, header_text(subject), rfc5322_date(now), job.record.id, job.record.id, warning_id, tlp_label(tlp), mail_body(envelope));
      enqueue(std::move(job));
    }
  }
}

void NotificationService::attempt(Job& job) {
  static const std::vector<std::pair<std::string, std::string>> kNone;
  AttemptResult r;
  if (job.record.channel == "webhook") {
    std::vector<std::pair<std::string, std::string>> headers{{"X-Khien-Signature", webhook_signature(job.payload, job.secret)},
                                                             {"X-Khien-Delivery", job.record.id},
                                                             {"X-Khien-Event", "warning"}};
    r = post_webhook(job.record.target, job.payload, headers, config_.timeout_seconds);
  } else {
    r = send_mail(config_.smtp, job.record.target, job.payload, config_.timeout_seconds);
  }
  DeliveryRecord& d = job.record;
  ++d.attempts;
  d.last_code = r.code;
  d.last_error = r.error;
  d.updated = now_ns();
  if (r.ok) {
    d.status = DeliveryStatus::delivered;
  } else if (!r.retry || d.attempts >= config_.max_attempts) {
    d.status = DeliveryStatus::failed;
    spdlog::warn("notifications: {} of warning {} to {} ({}) failed after {} attempts: {}", d.channel, d.warning_id, d.target, d.org, d.attempts,
                 d.last_error);
  } else {
    // Exponential backoff: backoff, 2 x backoff, 4 x backoff, ...
    d.next_attempt = d.updated + static_cast<TimeNs>(config_.backoff_ms) * kMs * (TimeNs{1} << std::min(d.attempts - 1, 20));
  }
  if (auto st = store_->save(d); !st) spdlog::error("notifications: {}", st.error().message);
}

void NotificationService::register_routes(Router& router, IdentityService& identity) {
  router.add("GET", "/api/v1/notifications/deliveries", [this, &identity](HttpRequest& req) {
    auto p = identity.authenticate(req);
    if (auto refused = check_access(p, RoleSet{Role::national_admin, Role::national_analyst, Role::auditor, Role::sector_cert, Role::org_soc}))
      return *refused;
    DeliveryQuery q;
    if (std::string w = req.param("warning"); !w.empty()) {
      auto [end, ec] = std::from_chars(w.data(), w.data() + w.size(), q.warning_id);
      if (ec != std::errc() || end != w.data() + w.size() || q.warning_id < 1) return json_error(400, "parameter 'warning': expected a warning id");
    }
    q.status = req.param("status");
    if (!q.status.empty() && q.status != "pending" && q.status != "delivered" && q.status != "failed" && q.status != "superseded")
      return json_error(400, "parameter 'status': expected pending, delivered, failed or superseded");
    q.channel = req.param("channel");
    if (!q.channel.empty() && q.channel != "webhook" && q.channel != "mail") return json_error(400, "parameter 'channel': expected webhook or mail");
    q.org = req.param("org");
    if (std::string l = req.param("limit"); !l.empty()) {
      std::size_t limit = 0;
      auto [end, ec] = std::from_chars(l.data(), l.data() + l.size(), limit);
      if (ec != std::errc() || end != l.data() + l.size() || limit < 1 || limit > 1000) return json_error(400, "parameter 'limit': expected 1..1000");
      q.limit = limit;
    }
    auto rows = store_->query(q);
    if (!rows) return json_error(500, rows.error().message);
    std::map<std::string, std::string> sectors;
    {
      std::lock_guard lock(mutex_);
      sectors = org_sector_;
    }
    json list = json::array();
    for (const auto& d : *rows) {
      auto it = sectors.find(d.org);
      if (!can_see_org(*p, d.org, it == sectors.end() ? "" : it->second)) continue;
      list.push_back({{"id", d.id}, {"warning_id", d.warning_id}, {"warning_version", d.warning_version}, {"warning_kind", d.warning_kind},
                      {"tlp", tlp_label(d.tlp)}, {"channel", d.channel}, {"org", d.org}, {"target", d.target},
                      {"status", delivery_status_name(d.status)}, {"attempts", d.attempts}, {"last_code", d.last_code},
                      {"last_error", d.last_error}, {"created", format_rfc3339(d.created, 3)}, {"updated", format_rfc3339(d.updated, 3)},
                      {"next_attempt", d.status == DeliveryStatus::pending ? json(format_rfc3339(d.next_attempt, 3)) : json(nullptr)}});
    }
    HttpResponse r;
    r.body = json{{"deliveries", list}, {"count", list.size()}}.dump();
    return r;
  });
}

}  // namespace khien
