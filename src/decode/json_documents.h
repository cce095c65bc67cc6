// Splitting text that holds several JSON documents back to back (evtx dumps, NDJSON with blank lines).
#pragma once

#include <string_view>
#include <vector>

namespace khien {

/// Returns each top-level JSON object or array in `text`, in order, as a view into `text`.
/// Documents may be pretty-printed, concatenated without separators, or one per line with blank
/// lines between; braces inside strings (and escaped quotes) do not count. Text outside any
/// document that is not whitespace is returned up to the end of its line, and an unterminated
/// document runs to the end of `text`, so a decoder sees (and reports) them.
std::vector<std::string_view> split_json_documents(std::string_view text);

}  // namespace khien
