// Notifications: every new or changed warning delivered to the affected organisations and their
// sector CERTs by signed webhook and by e-mail through an SMTP relay, within the warning's TLP.
#pragma once

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include "api/http_server.h"
#include "core/error.h"
#include "store/delivery_store.h"
#include "store/state_store.h"

namespace khien {

class IdentityService;

/// Reads the `[[webhooks]]`, `[[mail_recipients]]`, `[smtp]` and `[notifications]` sections; false
/// for any other section. Errors name the file, line and key.
bool read_notification_config(std::string_view section, const toml::node& node, const std::filesystem::path& path,
                              NotificationConfig& config, std::vector<std::string>& errors);
/// Those sections, commented, for `khien config`.
std::string notification_config_toml();

/// An organisation a warning goes to.
struct Recipient {
  std::string org;
  std::string sector;          ///< its sector ("" when none)
  bool sector_cert = false;    ///< a sector CERT receiving its sector's warnings
};

/// "red", "amber+strict", "amber", "green" or "clear" from the warning's `tlp` (or `details.tlp`);
/// amber when it names none.
std::string warning_tlp(const nlohmann::json& warning);
/// Who may receive `warning`: TLP:RED only its named recipients (`recipients` or
/// `details.recipients`, else the affected organisations); AMBER+STRICT the affected
/// organisations; AMBER, GREEN and CLEAR the affected organisations and their sectors' CERTs.
std::vector<Recipient> warning_audience(const nlohmann::json& warning, const std::vector<OrgRow>& registry);
/// What `r` is sent: under AMBER and RED the list of organisations is cut to those the recipient
/// may see (itself; a sector CERT its sector's), and under RED the sector and province lists go
/// too; counts stay. The envelope names the recipient and the TLP.
nlohmann::json minimise_for(const nlohmann::json& warning, const Recipient& r, const std::string& tlp,
                            const std::map<std::string, std::string>& org_sector);
/// "sha256=" and the hex HMAC-SHA256 of `body` keyed with `secret`.
std::string webhook_signature(std::string_view body, std::string_view secret);
/// `text` with CRLF line ends and every line starting with '.' given one more (RFC 5321 4.5.2).
std::string smtp_dot_stuff(std::string_view text);

/// Outcome of one delivery attempt.
struct AttemptResult {
  bool ok = false;
  bool retry = true;  ///< worth another attempt (network error, 5xx, 429)
  int code = 0;       ///< HTTP status or SMTP reply code
  std::string error;
};

/// POSTs `body` to an http:// URL with `headers`.
AttemptResult post_webhook(const std::string& url, const std::string& body, const std::vector<std::pair<std::string, std::string>>& headers,
                           int timeout_seconds);
/// Sends one message through the relay: EHLO (HELO if refused), MAIL FROM, RCPT TO, DATA, QUIT.
AttemptResult send_mail(const SmtpOptions& smtp, const std::string& to, const std::string& message, int timeout_seconds);

/// Threading: on_warning() may run on any thread (it only queues); one delivery thread builds,
/// sends and retries; route handlers read the delivery log.
class NotificationService {
 public:
  /// Opens the delivery log in `data_dir`/state.db; `registry` gives organisations and sector
  /// CERTs. Fails when a target names an organisation the registry lacks.
  static Result<std::unique_ptr<NotificationService>> open(const std::filesystem::path& data_dir, NotificationConfig config,
                                                           StateStore& registry);
  ~NotificationService();
  void start();
  void stop();
  /// A stored warning change (its JSON document).
  void on_warning(const std::string& document);
  /// GET /api/v1/notifications/deliveries.
  void register_routes(Router& router, IdentityService& identity);

 private:
  struct Job {
    DeliveryRecord record;
    std::string payload;  ///< body (webhook) or whole message (mail)
    std::string secret;
  };
  NotificationService() = default;
  void run();
  void plan(const std::string& document);
  void attempt(Job& job);
  void refresh_registry();

  NotificationConfig config_;
  StateStore* registry_ = nullptr;
  std::unique_ptr<DeliveryStore> store_;
  std::vector<OrgRow> orgs_;
  std::map<std::string, std::string> org_sector_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::string> incoming_;
  std::vector<Job> jobs_;  ///< pending deliveries (delivery thread only)
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace khien
