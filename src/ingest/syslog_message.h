// Parses one syslog message (RFC 5424, RFC 3164 and the variants real senders use) into its header fields.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/time.h"

namespace khien {

/// Which header layout the message used.
enum class SyslogFormat : std::uint8_t { Rfc5424, Rfc3164 };

/// One SD-PARAM of an RFC 5424 structured-data element.
struct SyslogSdParam {
  std::string_view name;
  std::string_view value;  ///< with the \" \\ \] escapes resolved
};

/// One RFC 5424 SD-ELEMENT: `[id name="value" ...]`.
struct SyslogSdElement {
  std::string_view id;
  std::vector<SyslogSdParam> params;
};

/// A parsed syslog message.
///
/// Ownership: every view points into the line given to parse_syslog(), which must outlive the
/// message, except structured-data values that contained escapes: their unescaped text lives in
/// `unescaped`, a heap buffer owned by the message, so moving the message keeps every view valid.
/// The struct is move-only for that reason. NILVALUE (`-`) and absent fields are empty views.
struct SyslogMessage {
  SyslogFormat format = SyslogFormat::Rfc3164;
  bool has_pri = false;  ///< false when the sender omitted `<PRI>` (facility/severity are then the RFC 3164 default user.notice)
  int facility = 1;
  int severity = 5;
  std::optional<TimeNs> timestamp;  ///< absent for NILVALUE or a message without a time
  std::string_view hostname;
  std::string_view app_name;  ///< APP-NAME (RFC 5424) or TAG (RFC 3164, without `[pid]` and `:`)
  std::string_view procid;
  std::string_view msgid;
  std::vector<SyslogSdElement> structured_data;
  std::string_view msg;  ///< the MSG part, without a leading UTF-8 BOM
  std::unique_ptr<char[]> unescaped;  ///< storage for unescaped SD values (null when none needed it)

  /// The value of parameter `name` in element `sd_id`, or nullptr.
  const SyslogSdParam* find_param(std::string_view sd_id, std::string_view name) const;
};

/// Parses one syslog line (trailing LF, CR and NUL bytes are ignored). `received` is when the
/// line arrived: RFC 3164 timestamps carry no year, so the year is the one of `received`, or the
/// one before when that would put the message more than a day in the future. RFC 3164 times carry
/// no zone either: they are read as local time `local_offset_seconds` east of UTC (0: UTC).
/// Errors name the layout, the 0-based byte offset and the reason:
/// "RFC 5424: byte 6: expected SP after VERSION".
Result<SyslogMessage> parse_syslog(std::string_view line, TimeNs received, std::int64_t local_offset_seconds = 0);

/// The MSG part of a syslog line without building the whole message (no allocation), for payload
/// detection (JSON, CEF, LEEF). A line that does not parse as syslog is returned whole.
std::string_view syslog_payload(std::string_view line);

}  // namespace khien
