// Notification deliveries: where warnings go (webhook and mail targets from the config) and the log
// of every delivery with its attempts, status and last error.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/time.h"

struct sqlite3;

namespace khien {

/// `[[webhooks]]`: warnings for organisation `org` are POSTed to `url`, signed with `secret`.
struct WebhookTarget {
  std::string org, url, secret;
};

/// `[[mail_recipients]]`: warnings for organisation `org` are mailed to `to`.
struct MailRecipient {
  std::string org, to;
};

/// `[smtp]`: the relay mail goes through (plain SMTP; no STARTTLS, no AUTH).
struct SmtpOptions {
  std::string host;  ///< empty: no mail
  int port = 25;
  std::string from = "khien@localhost";
};

/// Everything the notification service is configured with.
struct NotificationConfig {
  std::vector<WebhookTarget> webhooks;
  std::vector<MailRecipient> mail_recipients;
  SmtpOptions smtp;
  int max_attempts = 6;      ///< `[notifications] max_attempts`: attempts before a delivery is failed
  int backoff_ms = 2000;     ///< `[notifications] backoff_ms`: first retry delay, doubled each time
  int timeout_seconds = 10;  ///< `[notifications] timeout_seconds`: connect/read/write timeout per attempt
};

enum class DeliveryStatus : std::uint8_t { pending, delivered, failed, superseded };
/// "pending", "delivered", "failed", "superseded" (a newer version of the warning replaced it before it went out).
std::string_view delivery_status_name(DeliveryStatus status);

/// One delivery of one warning version to one target.
struct DeliveryRecord {
  std::string id;             ///< sent as X-Khien-Delivery / Message-ID
  std::int64_t warning_id = 0;
  std::uint64_t warning_version = 0;
  std::string warning_kind;
  std::string tlp;
  std::string channel;        ///< "webhook" or "mail"
  std::string org;            ///< recipient organisation
  std::string target;         ///< URL or mail address
  DeliveryStatus status = DeliveryStatus::pending;
  int attempts = 0;
  int last_code = 0;          ///< HTTP status or SMTP reply code of the last attempt (0: no answer)
  std::string last_error;
  TimeNs created = 0, updated = 0, next_attempt = 0;
};

struct DeliveryQuery {
  std::int64_t warning_id = 0;  ///< 0: all
  std::string status, channel, org;
  std::size_t limit = 100;
};

/// Threading: any thread; one connection serialised by a mutex.
class DeliveryStore {
 public:
  static Result<std::unique_ptr<DeliveryStore>> open(const std::filesystem::path& db_path);
  ~DeliveryStore();
  /// Inserts or replaces the row with `d.id`.
  Status save(const DeliveryRecord& d);
  /// Newest first.
  Result<std::vector<DeliveryRecord>> query(const DeliveryQuery& q);
  /// Marks deliveries left pending by an earlier run as failed with `reason` (their bodies lived in
  /// memory only); returns how many.
  std::uint64_t abandon_pending(const std::string& reason);

 private:
  explicit DeliveryStore(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::mutex mutex_;
};

}  // namespace khien
