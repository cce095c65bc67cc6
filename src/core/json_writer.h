// Appends JSON text to a growing buffer: escaped strings, numbers, and whole events.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/byte_buffer.h"
#include "core/event.h"

namespace khien {

/// Appends `text` as a JSON string literal (with quotes). Control characters are escaped and
/// bytes that are not valid UTF-8 become U+FFFD, so the output is always valid JSON.
void append_json_string(std::string& out, std::string_view text);

/// Appends a value as JSON (strings quoted, IPs and times as strings, numbers bare).
void append_json_value(std::string& out, const Value& value);

/// Appends the event as one JSON object (no newline): schema fields under their dotted names,
/// then, for records that were not JSON, the original fields under their own names, then the
/// original record under "raw" (verbatim JSON object, or a string). Repeated fields become arrays.
void append_event_json(std::string& out, const Event& event);
/// The same, written in place at the end of `out`.
void append_event_json(ByteBuffer& out, const Event& event);

/// True if `text` is valid UTF-8.
bool is_valid_utf8(std::string_view text);

}  // namespace khien
