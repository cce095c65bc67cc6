// Fuzz target: the binary flow record decoder (core/flow_record.h) as the pipeline runs it; what it accepts must
// re-encode to a record that decodes to the same event, and the layout-keeping reader must agree with it on
// every input (the same event, or the same error).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "core/arena.h"
#include "core/flow_record.h"
#include "decode/netflow_record_decoder.h"

namespace {

bool same(const khien::Event& a, const khien::Event& b) {
  if (a.size() != b.size()) return false;
  for (const khien::Event::Slot *x = a.begin(), *y = b.begin(); x != a.end(); ++x, ++y) {
    if (x->field != y->field || x->value.type != y->value.type) return false;
    const khien::Value &u = x->value, &v = y->value;
    switch (u.type) {
      case khien::FieldType::String: if (u.s != v.s) return false; break;
      case khien::FieldType::Ip: if (u.ip != v.ip) return false; break;
      // Bit patterns: NaN payloads must survive too.
      case khien::FieldType::Float: if (std::memcmp(&u.f, &v.f, sizeof u.f) != 0) return false; break;
      case khien::FieldType::Bool: if (u.b != v.b) return false; break;
      case khien::FieldType::Timestamp: if (u.t != v.t) return false; break;
      case khien::FieldType::Int: if (u.i != v.i) return false; break;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static khien::Arena arena(64 * 1024);
  static khien::NetflowRecordDecoder decoder;
  const std::string_view record(reinterpret_cast<const char*>(data), size);
  // Kept across inputs, so each input meets the layouts of the ones before it (and its own, twice).
  static khien::FlowRecordReader reader;
  arena.reset();
  khien::Event first(arena);
  const khien::Status generic = khien::decode_flow_record(record, first);
  for (int pass = 0; pass < 2; ++pass) {
    khien::Event read(arena);
    const khien::Status by_reader = reader.decode(record, read);
    if (static_cast<bool>(generic) != static_cast<bool>(by_reader) || !same(first, read)) std::abort();
    if (!generic && generic.error().message != by_reader.error().message) std::abort();
  }
  if (!generic) {
    khien::Event e(arena);
    (void)decoder.decode(record, e);  // the pipeline's entry point: an error, never a crash
    return 0;
  }
  std::string again;
  khien::append_flow_record(again, first);
  khien::Event second(arena);
  if (!khien::decode_flow_record(again, second) || !same(first, second)) std::abort();
  return 0;
}
