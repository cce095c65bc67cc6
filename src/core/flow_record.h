// The binary spool record of one flow (written by the NetFlow/IPFIX collector, read by the pipeline), and the
// names of the flow information elements it refers to by number.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/event.h"

namespace khien {

/// An information element as a flow record refers to it: (enterprise number, element id, NetFlow v9
/// scope flag) packed as `scope << 48 | pen << 16 | id`.
using FlowFieldCode = std::uint64_t;
inline constexpr FlowFieldCode kNotAFlowField = ~FlowFieldCode{0};

constexpr FlowFieldCode flow_field_code(std::uint32_t pen, std::uint16_t id, bool v9_scope = false) {
  return (v9_scope ? FlowFieldCode{1} << 48 : 0) | FlowFieldCode{pen} << 16 | id;
}

/// The event field name of an element: `netflow.<IANA name>`, `netflow.reverse<Name>` (RFC 5103),
/// `netflow.ie<id>` (unknown IANA id), `ipfix.<pen>.<id>` (enterprise), `netflow.scope.<name>` (v9 scope).
std::string flow_field_name(FlowFieldCode code);

/// The interned id of flow_field_name(code). The name is interned once per process and each
/// thread caches the answer, so a record's elements cost an array or hash lookup each, not a
/// string intern. Thread-safe.
FieldId flow_field_id(FlowFieldCode code);

/// The code of an id obtained from flow_field_id(), or kNotAFlowField. Thread-safe.
FlowFieldCode flow_field_code_of(FieldId id);

/// First byte of a binary flow record; a JSON record starts with '{', so the two never mix up.
inline constexpr std::uint8_t kFlowRecordMagic = 0xF1;
/// Layout version written by this build (docs/TRAFFIC.md, "The binary flow record").
inline constexpr std::uint8_t kFlowRecordVersion = 1;

/// True when `record` starts like a binary flow record (it may still be malformed).
inline bool is_binary_flow_record(std::string_view record) {
  return !record.empty() && static_cast<std::uint8_t>(record.front()) == kFlowRecordMagic;
}

/// Writes one binary flow record field by field, so a producer that never builds an Event (the
/// NetFlow collector writes records straight from the packet's fields) writes the bytes
/// append_flow_record() writes for the event holding the same fields in the same order.
/// Usage: begin(out), add() per field, finish(). Not thread-safe; one per thread.
class FlowRecordWriter {
 public:
  /// Most fields a record holds; fields added past it are dropped.
  static constexpr std::size_t kMaxFields = 4096;
  /// Starts a record at the end of `out`, which must outlive finish().
  void begin(std::string& out);
  /// Appends one field: schema fields and elements by number, any other field by its name.
  void add(FieldId field, const Value& value);
  /// Writes the field count; returns the record's size in bytes.
  std::size_t finish();

 private:
  void flush();
  // Each field's fixed part is written through a pointer into this buffer and appended in runs;
  // byte-wise push_back was a third of the encoding time.
  std::uint8_t buf_[64];
  std::uint8_t* p_ = buf_;
  std::string* out_ = nullptr;
  std::size_t start_ = 0;
  std::size_t fields_ = 0;
};

/// Appends the binary record of `event` (every field, in order) to `out`. Fields of the flow
/// schema and information elements (ids from flow_field_id) are written as numbers; any other
/// field by its name.
void append_flow_record(std::string& out, const Event& event);

/// Decodes a binary flow record into `event` (which arrives empty); strings are copied into the
/// event's arena. A malformed record is refused with the byte offset and the reason
/// ("flow record byte 17: string of 300 bytes runs past the end (12 left)"); the event may then
/// hold the fields read before the error and is to be discarded.
Status decode_flow_record(std::string_view record, Event& event);

}  // namespace khien
