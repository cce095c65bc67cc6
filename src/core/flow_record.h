// The binary spool record of one flow (written by the NetFlow/IPFIX collector, read by the pipeline), and the
// names of the flow information elements it refers to by number.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/event.h"
#include "core/ip_address.h"

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

namespace flow_detail {
// IANA elements (pen 0, no scope) by a process-wide array read without a lock: an id, once given
// to a code, never changes, so a load sees either none (then the registry answers) or it. Read
// inline: a call per element of every record was 3 % of the flow path.
extern std::atomic<FieldId> iana_ids[65536];
FieldId flow_field_id_slow(FlowFieldCode code);
// Where a field of a decoded record sat: its head and reference from `at` to `value_at`.
struct FieldAt {
  std::uint32_t at, value_at;
  std::uint8_t type;
};
}  // namespace flow_detail

/// The interned id of flow_field_name(code). The name is interned once per process and each
/// thread caches the answer, so a record's elements cost an array or hash lookup each, not a
/// string intern. Thread-safe.
inline FieldId flow_field_id(FlowFieldCode code) {
  if (code < 65536) {
    const FieldId id = flow_detail::iana_ids[code].load(std::memory_order_acquire);
    if (id != field::none) return id;
  }
  return flow_detail::flow_field_id_slow(code);
}

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

/// The fields a flow record refers to by number (layout v1, docs/TRAFFIC.md): the first byte of a
/// known field's reference. Append only, in the order of the names in flow_record.cpp.
enum class FlowKnownField : std::uint8_t {
  class_uid, class_name, category_uid, activity_id, activity_name, type_uid, severity_id, product_name,
  device_ip, src_ip, src_port, dst_ip, dst_port, src_mac, dst_mac, protocol_name, connection_uid, app_name,
  bytes_out, bytes_in, packets_out, packets_in, bytes, packets, time, duration, observer_name,
  src_interface_uid, dst_interface_uid, tcp_flags,
};

/// The bytes of layout v1 that fast writers produce themselves (docs/TRAFFIC.md).
namespace flow_layout {
/// Field reference kinds (high nibble of a field's first byte) and value types (low nibble).
enum : std::uint8_t { kKindKnown = 1, kKindElement = 2, kKindNamed = 3 };
enum : std::uint8_t { kString = 0, kInt = 1, kFloat = 2, kBool = 3, kTime = 4, kIpv4 = 5, kIpv6 = 6 };
inline std::uint64_t zigzag(std::int64_t v) {
  return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
inline std::uint8_t* put_varint(std::uint8_t* p, std::uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<std::uint8_t>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<std::uint8_t>(v);
  return p;
}
/// An element's reference written ahead of time: its varint bytes (little end first) in `ref`;
/// returns their count, or 0 when they take more than 8 bytes (the element is then written by add()).
inline std::uint8_t encode_element_ref(FlowFieldCode code, std::uint64_t& ref) {
  std::uint8_t bytes[16];
  const auto length = static_cast<std::uint8_t>(put_varint(bytes, code) - bytes);
  if (length > 8) return 0;
  ref = 0;
  std::memcpy(&ref, bytes, length);
  return length;
}
/// Writes an element field's head (kind and `type`) and its reference encoded by
/// encode_element_ref(); returns where its value goes. Writes 9 bytes whatever the length.
inline std::uint8_t* put_element_head(std::uint8_t* p, std::uint8_t type, std::uint64_t ref, std::uint8_t ref_length) {
  *p = static_cast<std::uint8_t>(kKindElement << 4 | type);
  std::memcpy(p + 1, &ref, sizeof ref);
  return p + 1 + ref_length;
}
}  // namespace flow_layout

/// Writes one binary flow record field by field, so a producer that never builds an Event (the
/// NetFlow collector writes records straight from the packet's fields) writes the bytes
/// append_flow_record() writes for the event holding the same fields in the same order.
/// Usage: begin(out), add() or the known_*() / raw writes per field, finish(). Not thread-safe; one per thread.
///
/// Raw writes, for producers that encode a field's reference once (a NetFlow template's elements):
/// `p = cursor()`, then per field `if (full(p)) p = flush(p);` and at most kFieldRoom bytes of head,
/// reference and fixed-size value written at p (strings through put_string()), then
/// `commit(p, fields written)`. The caller keeps the field count within kMaxFields.
class FlowRecordWriter {
 public:
  /// Most fields a record holds; fields added past it are dropped.
  static constexpr std::size_t kMaxFields = 4096;
  /// Most bytes a field takes besides string bytes: head, a 10-byte varint reference, a 16-byte value.
  static constexpr std::size_t kFieldRoom = 32;
  /// Starts a record at the end of `out`, which must outlive finish().
  void begin(std::string& out);
  /// Appends one field: schema fields and elements by number, any other field by its name.
  void add(FieldId field, const Value& value);
  /// Writes the field count; returns the record's size in bytes.
  std::size_t finish();
  /// Fields written since begin().
  std::size_t fields() const { return fields_; }

  // A field of the flow schema, as add() writes it for that field's id.
  void known_int(FlowKnownField f, std::int64_t v) { known_number(f, flow_layout::kInt, flow_layout::zigzag(v)); }
  void known_time(FlowKnownField f, std::int64_t t) { known_number(f, flow_layout::kTime, flow_layout::zigzag(t)); }
  void known_string(FlowKnownField f, std::string_view s) {
    if (fields_ == kMaxFields) return;
    ++fields_;
    std::uint8_t* p = cursor();
    *p++ = std::uint8_t{flow_layout::kKindKnown << 4 | flow_layout::kString};
    *p++ = static_cast<std::uint8_t>(f);
    p_ = put_string(p, s);
  }
  void known_ip(FlowKnownField f, const IpAddress& ip);
  /// Fields written ahead of time by another writer (the bytes between its begin() and finish(),
  /// `fields` of them), copied as they are: for fields every record of a producer repeats. Dropped
  /// whole when they would pass kMaxFields.
  void known_bytes(std::string_view bytes, std::size_t fields) {
    if (fields_ + fields > kMaxFields) return;
    fields_ += fields;
    p_ = put_bytes(p_, bytes);
  }

  std::uint8_t* cursor() { return full(p_) ? flush(p_) : p_; }
  bool full(const std::uint8_t* p) const { return p > buf_ + sizeof buf_ - kFieldRoom; }
  /// Appends the buffered bytes up to p to the record; returns where to write next.
  std::uint8_t* flush(std::uint8_t* p) {
    out_->append(reinterpret_cast<const char*>(buf_), static_cast<std::size_t>(p - buf_));
    return buf_;
  }
  /// Writes a string value (length and bytes) at p; returns where to write next.
  std::uint8_t* put_string(std::uint8_t* p, std::string_view s) { return put_bytes(flow_layout::put_varint(p, s.size()), s); }
  /// Writes `s` as it is at p (into the buffer when it fits, else after it); returns where to write next.
  std::uint8_t* put_bytes(std::uint8_t* p, std::string_view s) {
    if (s.size() <= static_cast<std::size_t>(buf_ + sizeof buf_ - p)) {
      if (!s.empty()) std::memcpy(p, s.data(), s.size());  // an empty view's data may be null
      return p + s.size();
    }
    p = flush(p);
    out_->append(s);
    return p;
  }
  void commit(std::uint8_t* p, std::size_t fields) {
    p_ = p;
    fields_ += fields;
  }

 private:
  void known_number(FlowKnownField f, std::uint8_t type, std::uint64_t v) {
    if (fields_ == kMaxFields) return;
    ++fields_;
    std::uint8_t* p = cursor();
    *p++ = static_cast<std::uint8_t>(flow_layout::kKindKnown << 4 | type);
    *p++ = static_cast<std::uint8_t>(f);
    p_ = flow_layout::put_varint(p, v);
  }
  // Fields are written through a pointer into this buffer and appended in runs (byte-wise
  // push_back was a third of the encoding time); a typical flow fits whole.
  std::uint8_t buf_[512];
  std::uint8_t* p_ = buf_;
  std::string* out_ = nullptr;
  std::size_t start_ = 0;
  std::size_t fields_ = 0;
};

/// Appends the binary record of `event` (every field, in order) to `out`. Fields of the flow
/// schema and information elements (ids from flow_field_id) are written as numbers; any other
/// field by its name.
void append_flow_record(std::string& out, const Event& event);

/// The fields every flow event of the collector opens with (class_uid, class_name, category_uid,
/// activity_id, activity_name, type_uid, severity_id): their record bytes, written once and copied
/// into each record by the collector, and the slots they decode to (strings in static storage),
/// which decode_flow_record() copies whole when a record opens with these bytes.
struct FlowClassFields {
  std::string bytes;  ///< the fields' bytes, as FlowRecordWriter::known_bytes() takes them
  std::vector<Event::Slot> slots;
};
const FlowClassFields& flow_class_fields();

/// Decodes a binary flow record into `event` (which arrives empty); strings are copied into the
/// event's arena (the class fields of flow_class_fields() point into its static storage). A
/// malformed record is refused with the byte offset and the reason ("flow record byte 17: string
/// of 300 bytes runs past the end (12 left)"); the event may then hold the fields read before the
/// error and is to be discarded.
Status decode_flow_record(std::string_view record, Event& event);

/// Decodes binary flow records as decode_flow_record() does — the same events, the same errors —
/// faster for a stream of records of few layouts: the collector writes every record of a template
/// with the same fields, references and types in the same order. The reader keeps the layouts of
/// the last records it decoded (each field's head and reference bytes, and the slots the record
/// decodes to, values zeroed); a record of one of them is read by comparing each field's head and
/// reference with one load and writing only its value into a copy of those slots. Anything else
/// (another layout, a malformed record) is decoded by decode_flow_record(). Not thread-safe; one
/// per worker.
class FlowRecordReader {
 public:
  Status decode(std::string_view record, Event& event);
  /// Records read by a kept layout rather than field by field.
  std::uint64_t records_by_layout() const { return by_layout_; }

 private:
  static constexpr std::size_t kLayouts = 4;
  struct Step {
    std::uint64_t bytes = 0;  // the field's head and reference bytes, little end first
    std::uint64_t mask = 0;   // the `length` bytes compared
    std::uint8_t length = 0;
    std::uint8_t type = 0;    // the value type of the head (flow_layout)
  };
  struct Layout {
    std::size_t class_slots = 0;     // the record opens with flow_class_fields() when non-zero
    std::vector<Step> steps;         // the fields after those
    std::vector<Event::Slot> slots;  // every field's slot, values zeroed past the class fields
    std::vector<Event::FirstSlot> firsts;  // the schema fields among them, at their first slots
  };
  bool decode_as(const Layout& layout, std::string_view record, Event& event);
  void learn(std::string_view record, const Event& event, std::uint32_t base);
  std::vector<Layout> layouts_;  // most recently used first
  std::vector<flow_detail::FieldAt> where_;
  std::uint64_t by_layout_ = 0;
};

}  // namespace khien
