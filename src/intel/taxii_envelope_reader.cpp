// TAXII envelope reading: size and depth bounds first, then the shape of each property.
#include "intel/taxii_envelope_reader.h"

#include <fmt/format.h>

#include "core/json_guard.h"

namespace khien {

namespace {

// Nesting is measured before parsing so a hostile body cannot exhaust the parser's stack.
constexpr int kMaxDepth = 128;

}  // namespace

Result<TaxiiEnvelope> read_taxii_envelope(std::string_view body, std::size_t max_bytes) {
  if (body.size() > max_bytes) return fail(fmt::format("envelope: {} bytes, above the limit of {}", body.size(), max_bytes));
  if (auto st = check_json_depth(body, kMaxDepth); !st) return fail("envelope: " + st.error().message);
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded()) return fail("envelope: not valid JSON");
  if (!doc.is_object()) return fail("envelope: expected a JSON object (a TAXII 2.1 envelope)");
  TaxiiEnvelope env;
  if (auto m = doc.find("more"); m != doc.end()) {
    if (!m->is_boolean()) return fail("envelope: property 'more' must be true or false");
    env.more = m->get<bool>();
  }
  if (auto n = doc.find("next"); n != doc.end()) {
    if (!n->is_string()) return fail("envelope: property 'next' must be a string");
    const auto& s = n->get_ref<const std::string&>();
    if (s.size() > 1024) return fail("envelope: property 'next' is longer than 1024 bytes");
    for (char c : s)
      if (c <= 0x20 || c >= 0x7f) return fail("envelope: property 'next' holds a byte that is not printable ASCII");
    env.next = s;
  }
  if (auto o = doc.find("objects"); o != doc.end()) {
    if (!o->is_array()) return fail("envelope: property 'objects' must be a list");
    for (std::size_t i = 0; i < o->size(); ++i)
      if (!(*o)[i].is_object()) return fail(fmt::format("envelope: objects[{}] is not a JSON object", i));
    env.objects = std::move(*o);
  }
  return env;
}

}  // namespace khien
