// Timestamps as nanoseconds since the Unix epoch (UTC): parsing of the formats senders use, and RFC 3339 output.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace khien {

/// Nanoseconds since 1970-01-01T00:00:00Z.
using TimeNs = std::int64_t;

/// The current wall-clock time.
TimeNs now_ns();

/// The times every parser accepts: from 1700-01-01 up to 2262-01-01 (exclusive), within what
/// TimeNs holds (1677-09 to 2262-04). A time outside is refused rather than wrapped around.
inline constexpr std::int64_t kMinTimeSeconds = -8'520'336'000;  // 1700-01-01T00:00:00Z
inline constexpr std::int64_t kEndTimeSeconds = 9'214'646'400;   // 2262-01-01T00:00:00Z

/// Parses RFC 3339 / ISO 8601 ("2026-11-22T10:00:00.123456+07:00", "2026-11-22 10:00:00Z",
/// a missing offset means UTC). nullopt when the text is not such a time, names a day its
/// month does not have (2026-02-30), or lies outside the range above.
std::optional<TimeNs> parse_iso8601(std::string_view text);

/// Parses seconds since the epoch with an optional fraction ("1732262400.123456").
std::optional<TimeNs> parse_epoch_seconds(std::string_view text);

/// Parses any of: RFC 3339, epoch seconds, epoch milliseconds (13 digits), epoch microseconds (16 digits),
/// within the range above.
std::optional<TimeNs> parse_time_any(std::string_view text);

/// A UTC offset written "+07:00", "-03:30" or "Z", in seconds east of UTC (at most ±14:00);
/// nullopt for anything else.
std::optional<std::int64_t> parse_utc_offset(std::string_view text);
/// The offset as parse_utc_offset() reads it ("+07:00").
std::string format_utc_offset(std::int64_t seconds);

/// Days since the epoch of a civil date (proleptic Gregorian), and the inverse.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d);
void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d);

/// RFC 3339 UTC text with `digits` fraction digits (0, 3, 6 or 9): "2026-11-22T03:00:00.123Z".
std::size_t format_rfc3339(TimeNs t, char* out, int digits = 6);
std::string format_rfc3339(TimeNs t, int digits = 6);

/// Splits a time into its UTC hour bucket "YYYYMMDDHH", used to name archive folders.
std::string hour_bucket(TimeNs t);

}  // namespace khien
