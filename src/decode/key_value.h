// Key=value extension parsing, device time formats and schema helpers shared by the CEF and LEEF decoders.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/arena.h"
#include "core/event.h"
#include "core/time.h"

namespace khien {

/// One extension pair. `value` points into the record, or into the arena when it had escapes.
struct KeyValue {
  std::string_view key;
  std::string_view value;
};

/// Position of `tag` ("CEF:", "LEEF:") at the start of `record` or after a space (a syslog
/// header before it), or npos. The same rule as format auto-detection, so both agree.
std::size_t find_header_tag(std::string_view record, std::string_view tag);

/// Splits a CEF-style extension: `key=value` pairs separated by spaces, where a value may itself
/// contain spaces and ends only where the next ` key=` begins. Escapes `\=`, `\\`, `\|`, `\n` and
/// `\r` are resolved (into `arena`); a backslash before anything else is kept. Text that is not a
/// `key=` where a key is expected is skipped. Pairs are appended to `out` in record order.
void parse_cef_extension(std::string_view text, Arena& arena, std::vector<KeyValue>& out);

/// Splits LEEF attributes: `key=value` pairs separated by `delimiter`; values are verbatim (LEEF
/// defines no escapes; the delimiter cannot occur in a value). Pieces without '=' are skipped.
void parse_delimited_pairs(std::string_view text, char delimiter, std::vector<KeyValue>& out);

/// Parses a device time as CEF and LEEF senders write it: epoch milliseconds (or seconds when
/// 10 digits or fewer), RFC 3339, or `MMM dd [yyyy] HH:mm:ss[.SSS] [zone]`. A zone is UTC, GMT, Z,
/// a numeric offset (+07:00, +0700, GMT+07:00); other zone names are ignored (read as UTC) since
/// resolving them needs a time-zone database. Without a year, the year of `now` is used, or the one
/// before when that puts the time more than a day after `now`.
std::optional<TimeNs> parse_device_time(std::string_view text, TimeNs now);

/// Parses `text` with a Java SimpleDateFormat `pattern` (LEEF devTimeFormat): y, M/MMM, d, H, h
/// with a, m, s, S, Z/X/z zones, E (day names, skipped), quoted literals. nullopt on mismatch.
std::optional<TimeNs> parse_java_time(std::string_view text, std::string_view pattern, TimeNs now);

/// OCSF severity_id of a 0..10 vendor severity or of the words Low/Medium/High/Very-High:
/// 0-3 low (2), 4-6 medium (3), 7-8 high (4), 9-10 critical (5). 0 (unknown) for anything else.
int severity_id_from_scale(std::string_view text);

/// Sets connection_info.protocol_name from a name ("TCP" → "tcp") or an IANA number ("6" → "tcp").
void set_protocol_name(Event& event, std::string_view text);

/// Sets a port field from decimal text in 0..65535; false (nothing set) otherwise.
bool set_port(Event& event, FieldId field, std::string_view text);

/// Sets file.hashes.md5/sha1/sha256/sha512 by the hex length of `text` (lower-cased); false if
/// the text is not a hash of one of those lengths.
bool set_file_hash(Event& event, std::string_view text);

/// Sets class_uid and friends: 2004 Detection Finding when the record reads as a detection (see
/// the .cpp for the rule), else 0 (Base Event).
void set_finding_class(Event& event, int severity_id, std::string_view category, std::string_view title);

/// Appends `label` to `out` with every byte outside [A-Za-z0-9_.-] replaced by '_', so custom
/// labels ("Policy Name") make field names a Sigma rule can address ("cef.Policy_Name").
void append_field_label(std::string& out, std::string_view label);

}  // namespace khien
