// Helpers shared by the JSON decoders: parse one record into the DOM, keep it as the raw JSON,
// locate syntax errors, set the OCSF class fields and the event time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <simdjson.h>

#include "core/error.h"
#include "core/event.h"

namespace khien {

/// A one-line record copied into `arena` with simdjson's padding after it, so that a parser reads
/// the copy kept as the event's raw record; nullptr for a record on several lines (kept minified).
/// With `backslash`, also says whether the record holds a backslash anywhere (found in the same
/// pass): without one, no string in it has an escape to check or unescape.
const char* padded_copy(std::string_view record, Arena& arena, bool* backslash = nullptr);

/// Parses `record` with `parser`, requires a JSON object, and keeps the record as the event's raw
/// JSON (copied into the arena; minified to one line when it spans several). The returned object
/// points into `parser` and stays valid until its next parse.
Result<simdjson::dom::object> parse_json_record(simdjson::dom::parser& parser, std::string_view record,
                                                Event& event);

/// Byte offset of the first JSON syntax error in `text`, or std::string_view::npos when a plain
/// syntax check finds none (e.g. the parser failed on nesting depth). Only used on the error path.
std::size_t json_error_offset(std::string_view text);

/// Sets class_uid, class_name, category_uid, activity_id, activity_name (when given) and type_uid,
/// unless the event already has a class_uid (the first mapping that knows the class wins).
void set_class(Event& event, std::int64_t class_uid, std::int64_t activity_id, std::string_view activity_name = {});

/// OCSF name of a class we emit ("Process Activity"), empty when unknown.
std::string_view ocsf_class_name(std::int64_t class_uid);

/// How a bare JSON number in a time field counts.
enum class EpochUnit : std::uint8_t { Seconds, Milliseconds };

/// Sets `time` from the original field `original` (named `name` in messages). Text is parsed as
/// RFC 3339 or epoch digits; numbers count in `unit`. An absent field leaves `time` unset; a present
/// one that is not a time fails with `field '<name>': not a valid time: "<value>"`.
Status set_time_from(Event& event, FieldId original, std::string_view name, EpochUnit unit);
/// The same for a value at hand (nullptr: absent).
Status set_time_from_value(Event& event, const Value* value, std::string_view name, EpochUnit unit);

/// Sets metadata.product.name and metadata.product.vendor_name when the record did not name them.
void set_product(Event& event, std::string_view product, std::string_view vendor);

/// Text of a scalar original value (strings as they are, numbers and booleans as JSON writes them),
/// copied into the event's arena when it has to be formatted.
std::string_view value_text(Event& event, const Value& value);

/// Integer of a value: Int as is, Float truncated, String as decimal or 0x-hex. False if none.
bool value_int(const Value& value, std::int64_t& out);

}  // namespace khien
