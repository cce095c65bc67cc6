// Reads a TAXII 2.1 envelope (section 3.7: `more`, `next`, `objects`) as a client receives it
// from a server's objects endpoint, checking its shape before any object is looked at.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/error.h"

namespace khien {

struct TaxiiEnvelope {
  nlohmann::json objects = nlohmann::json::array();  ///< the STIX objects, each a JSON object
  bool more = false;                                 ///< the server has more pages
  std::string next;                                  ///< the token for the next page; may be empty with `more`
};

/// Parses an envelope. The body must be a JSON object nested at most 128 levels deep; `objects`,
/// when present, a list of JSON objects; `more` a boolean; `next` a string of at most 1024
/// printable ASCII bytes (it goes back into a URL). Errors say which property is wrong.
Result<TaxiiEnvelope> read_taxii_envelope(std::string_view body, std::size_t max_bytes = 256u << 20);

}  // namespace khien
