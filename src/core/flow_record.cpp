// Binary flow records: layout v1 (docs/TRAFFIC.md), the element naming rules and the code <-> field id registry.
#include "core/flow_record.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cctype>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "core/field_dictionary.h"
#include "core/netflow_information_elements.h"

namespace khien {

namespace {

// The fields a flow event carries besides its elements, by number. Append only: the numbers are
// in spooled records, so a name never changes place.
constexpr std::string_view kKnownNames[] = {
    "class_uid",          "class_name",           "category_uid",          "activity_id",
    "activity_name",      "type_uid",             "severity_id",           "metadata.product.name",
    "device.ip",          "src_endpoint.ip",      "src_endpoint.port",     "dst_endpoint.ip",
    "dst_endpoint.port",  "src_endpoint.mac",     "dst_endpoint.mac",      "connection_info.protocol_name",
    "connection_info.uid", "app_name",            "traffic.bytes_out",     "traffic.bytes_in",
    "traffic.packets_out", "traffic.packets_in",  "traffic.bytes",         "traffic.packets",
    "time",               "duration",             "observer.name",         "src_endpoint.interface_uid",
    "dst_endpoint.interface_uid", "connection_info.tcp_flags",
};
constexpr std::size_t kKnownCount = std::size(kKnownNames);

const std::array<FieldId, kKnownCount>& known_ids() {
  static const auto ids = [] {
    std::array<FieldId, kKnownCount> a{};
    for (std::size_t i = 0; i < kKnownCount; ++i) a[i] = intern_field(kKnownNames[i]);
    return a;
  }();
  return ids;
}

using namespace flow_layout;
static_assert(static_cast<std::size_t>(FlowKnownField::tcp_flags) + 1 == std::size(kKnownNames));
constexpr std::size_t kMaxFields = FlowRecordWriter::kMaxFields;
constexpr std::size_t kMaxNameBytes = 255;
constexpr FlowFieldCode kMaxCode = (FlowFieldCode{1} << 49) - 1;

// code <-> id, shared by all threads; each thread caches in front of it.
struct Registry {
  std::mutex mutex;
  std::unordered_map<FlowFieldCode, FieldId> ids;
  std::unordered_map<FieldId, FlowFieldCode> codes;
};
Registry& registry() {
  static Registry r;
  return r;
}

std::int64_t unzigzag(std::uint64_t v) { return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1); }

// How the encoder refers to a field: kind << 56 | number; 0 until looked up.
std::uint64_t field_ref(FieldId id) {
  thread_local std::vector<std::uint64_t> cache;
  if (id < cache.size() && cache[id] != 0) return cache[id];
  std::uint64_t ref = std::uint64_t{kKindNamed} << 56;
  const auto& known = known_ids();
  bool found = false;
  for (std::size_t i = 0; i < kKnownCount; ++i) {
    if (known[i] == id) {
      ref = std::uint64_t{kKindKnown} << 56 | i;
      found = true;
      break;
    }
  }
  if (!found) {
    FlowFieldCode code = flow_field_code_of(id);
    if (code != kNotAFlowField) ref = std::uint64_t{kKindElement} << 56 | code;
  }
  // A field registered as an element later is still written correctly by name.
  if (id < FieldDictionary::kMaxFields) {
    if (id >= cache.size()) cache.resize(std::max<std::size_t>(id + 1, cache.size() * 2), 0);
    cache[id] = ref;
  }
  return ref;
}

// An 8-byte load as the little-endian number it holds.
inline std::uint64_t le64(std::uint64_t loaded) {
  if constexpr (std::endian::native == std::endian::big) return __builtin_bswap64(loaded);
  return loaded;
}

class Reader {
 public:
  explicit Reader(std::string_view s) : p_(reinterpret_cast<const std::uint8_t*>(s.data())), n_(s.size()) {}
  std::size_t pos() const { return pos_; }
  std::size_t left() const { return n_ - pos_; }
  bool byte(std::uint8_t& v) {
    if (pos_ >= n_) return false;
    v = p_[pos_++];
    return true;
  }
  bool varint(std::uint64_t& v) {
    // Most varints of a flow record (field numbers, element ids below 128, ports, small counters) are one byte.
    if (pos_ < n_ && p_[pos_] < 0x80) {
      v = p_[pos_++];
      return true;
    }
    // Counters, addresses' neighbours and times take 2 to 9 bytes: with 8 bytes left, one load
    // finds the last byte (the first without its high bit) and the 7-bit groups are packed by
    // three masks and shifts instead of a test and a shift per byte.
    if (n_ - pos_ >= 8) {
      std::uint64_t word;
      std::memcpy(&word, p_ + pos_, 8);
      word = le64(word);
      const std::uint64_t ends = ~word & 0x8080808080808080ULL;
      if (ends != 0) {
        const int bytes = std::countr_zero(ends) / 8 + 1;  // 2 to 8
        std::uint64_t x = bytes == 8 ? word : word & ((std::uint64_t{1} << (8 * bytes)) - 1);
        x = (x & 0x007F007F007F007FULL) | (x & 0x7F007F007F007F00ULL) >> 1;
        x = (x & 0x00003FFF00003FFFULL) | (x & 0x3FFF00003FFF0000ULL) >> 2;
        x = (x & 0x000000000FFFFFFFULL) | (x & 0x0FFFFFFF00000000ULL) >> 4;
        v = x;
        pos_ += static_cast<std::size_t>(bytes);
        return true;
      }
    }
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= n_) return false;
      std::uint8_t b = p_[pos_++];
      if (shift == 63 && b > 1) return false;
      v |= std::uint64_t{b & 0x7Fu} << shift;
      if (!(b & 0x80)) return true;
    }
    return false;
  }
  /// The next 8 bytes as a little-endian number, zero past the end.
  std::uint64_t peek_le64() const {
    std::uint64_t word = 0;
    if (left() >= 8) {
      std::memcpy(&word, p_ + pos_, 8);
      return le64(word);
    }
    // The last fields of every record: a byte loop, where a memcpy of a variable length was a
    // library call (and its register spills) twice a record.
    for (std::size_t i = 0, n = left(); i < n; ++i) word |= std::uint64_t{p_[pos_ + i]} << (8 * i);
    return word;
  }
  void skip(std::size_t count) { pos_ += count; }
  /// Steps over `s` when the bytes at the position are `s`.
  bool starts_with(std::string_view s) {
    if (s.size() > left() || std::memcmp(p_ + pos_, s.data(), s.size()) != 0) return false;
    pos_ += s.size();
    return true;
  }
  bool bytes(std::size_t count, const std::uint8_t*& out) {
    if (count > left()) return false;
    out = p_ + pos_;
    pos_ += count;
    return true;
  }

 private:
  const std::uint8_t* p_;
  std::size_t n_;
  std::size_t pos_ = 0;
};

Status bad(std::size_t at, std::string_view reason) { return fail(fmt::format("flow record byte {}: {}", at, reason)); }

}  // namespace

std::string flow_field_name(FlowFieldCode code) {
  const auto id = static_cast<std::uint16_t>(code & 0xFFFF);
  const auto pen = static_cast<std::uint32_t>(code >> 16 & 0xFFFFFFFF);
  if (code >> 48 & 1) {
    // NetFlow v9 scope field types have their own numbering (RFC 3954 §6.1).
    static constexpr std::string_view kScopes[] = {"system", "interface", "line_card", "cache", "template"};
    return id >= 1 && id <= 5 ? fmt::format("netflow.scope.{}", kScopes[id - 1]) : fmt::format("netflow.scope.{}", id);
  }
  const IeInfo* info = pen == 0 || pen == kReversePen ? find_information_element(id) : nullptr;
  if (info && pen == 0) return fmt::format("netflow.{}", info->name);
  if (info) {
    std::string name(info->name);
    name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
    return fmt::format("netflow.reverse{}", name);
  }
  return pen == 0 ? fmt::format("netflow.ie{}", id) : fmt::format("ipfix.{}.{}", pen, id);
}

namespace {

// Every other code (enterprise, reverse, scope) by a per-thread map in front of the registry.
std::unordered_map<FlowFieldCode, FieldId>& other_ids() {
  thread_local std::unordered_map<FlowFieldCode, FieldId> others;
  return others;
}

}  // namespace

std::atomic<FieldId> flow_detail::iana_ids[65536];

FieldId flow_detail::flow_field_id_slow(FlowFieldCode code) {
  if (code >= 65536)
    if (auto it = other_ids().find(code); it != other_ids().end()) return it->second;
  Registry& r = registry();
  FieldId id;
  {
    std::lock_guard lock(r.mutex);
    auto it = r.ids.find(code);
    if (it != r.ids.end()) {
      id = it->second;
    } else {
      id = intern_field(flow_field_name(code));
      r.ids.emplace(code, id);
      r.codes.emplace(id, code);
    }
  }
  if (code < 65536) {
    flow_detail::iana_ids[code].store(id, std::memory_order_release);
  } else {
    other_ids().emplace(code, id);
  }
  return id;
}

FlowFieldCode flow_field_code_of(FieldId id) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  auto it = r.codes.find(id);
  return it == r.codes.end() ? kNotAFlowField : it->second;
}

void FlowRecordWriter::begin(std::string& out) {
  out_ = &out;
  start_ = out.size();
  fields_ = 0;
  p_ = buf_;
  *p_++ = kFlowRecordMagic;
  *p_++ = kFlowRecordVersion;
  *p_++ = 0;  // the field count, patched by finish()
}

void FlowRecordWriter::known_ip(FlowKnownField f, const IpAddress& ip) {
  if (fields_ == kMaxFields) return;
  ++fields_;
  std::uint8_t* p = cursor();
  *p++ = static_cast<std::uint8_t>(kKindKnown << 4 | (ip.v4 ? kIpv4 : kIpv6));
  *p++ = static_cast<std::uint8_t>(f);
  if (ip.v4) {
    std::memcpy(p, ip.bytes.data() + 12, 4);
    p_ = p + 4;
  } else {
    std::memcpy(p, ip.bytes.data(), 16);
    p_ = p + 16;
  }
}

void FlowRecordWriter::add(FieldId field, const Value& v) {
  if (fields_ == kMaxFields) return;  // a record holds at most kMaxFields: the rest are dropped
  ++fields_;
  const std::uint64_t ref = field_ref(field);
  const auto kind = static_cast<std::uint8_t>(ref >> 56);
  std::uint8_t type = kString;
  switch (v.type) {
    case FieldType::Int: type = kInt; break;
    case FieldType::Float: type = kFloat; break;
    case FieldType::Bool: type = kBool; break;
    case FieldType::Timestamp: type = kTime; break;
    case FieldType::Ip: type = v.ip.v4 ? kIpv4 : kIpv6; break;
    default: type = kString; break;
  }
  // A local pointer: byte stores through the member could alias it, and every one would reload it.
  std::uint8_t* p = cursor();
  *p++ = static_cast<std::uint8_t>(kind << 4 | type);
  if (kind == kKindNamed) {
    std::string_view name = field_name(field).substr(0, kMaxNameBytes);
    if (name.empty()) name = "khien.unnamed_field";
    p = put_string(p, name);
    if (full(p)) p = flush(p);
  } else {
    p = put_varint(p, ref & ((std::uint64_t{1} << 56) - 1));
  }
  switch (type) {
    case kInt: p = put_varint(p, zigzag(v.i)); break;
    case kTime: p = put_varint(p, zigzag(v.t)); break;
    case kFloat: {
      const auto bits = std::bit_cast<std::uint64_t>(v.f);
      for (int i = 0; i < 8; ++i) *p++ = static_cast<std::uint8_t>(bits >> (8 * i));
      break;
    }
    case kBool: *p++ = v.b ? 1 : 0; break;
    case kIpv4:
      std::memcpy(p, v.ip.bytes.data() + 12, 4);
      p += 4;
      break;
    case kIpv6:
      std::memcpy(p, v.ip.bytes.data(), 16);
      p += 16;
      break;
    default:
      p = put_string(p, v.s);
      break;
  }
  p_ = p;
}

std::size_t FlowRecordWriter::finish() {
  p_ = flush(p_);
  // The count is a varint of one byte below 128 fields and two up to kMaxFields; a record of
  // more than 127 fields is rare, so its count is widened in place then.
  std::string& out = *out_;
  if (fields_ < 0x80) {
    out[start_ + 2] = static_cast<char>(fields_);
  } else {
    out[start_ + 2] = static_cast<char>(fields_ | 0x80);
    out.insert(start_ + 3, 1, static_cast<char>(fields_ >> 7));
  }
  return out.size() - start_;
}

const FlowClassFields& flow_class_fields() {
  static const FlowClassFields fields = [] {
    using K = FlowKnownField;
    const std::pair<K, Value> values[] = {
        {K::class_uid, Value::of_int(4001)},          {K::class_name, Value::of_string("Network Activity")},
        {K::category_uid, Value::of_int(4)},          {K::activity_id, Value::of_int(6)},
        {K::activity_name, Value::of_string("Traffic")}, {K::type_uid, Value::of_int(400106)},
        {K::severity_id, Value::of_int(1)},
    };
    FlowClassFields c;
    std::string record;
    FlowRecordWriter w;
    w.begin(record);
    for (const auto& [known, value] : values) {
      if (value.type == FieldType::Int)
        w.known_int(known, value.i);
      else
        w.known_string(known, value.s);
      c.slots.push_back(Event::Slot{known_ids()[static_cast<std::size_t>(known)], value});
    }
    w.finish();
    c.bytes = record.substr(3);  // past the magic, the version and the one-byte field count
    return c;
  }();
  return fields;
}

void append_flow_record(std::string& out, const Event& event) {
  FlowRecordWriter writer;
  out.reserve(out.size() + 16 + std::min<std::size_t>(event.size(), kMaxFields) * 12);
  writer.begin(out);
  for (const Event::Slot& slot : event) writer.add(slot.field, slot.value);
  writer.finish();
}

namespace {

using flow_detail::FieldAt;

// Why a value could not be read (value_error() words it).
enum class ValueFault : std::uint8_t { none, string_length, string_bytes, integer, float_bytes, bool_byte, bool_value, ipv4, ipv6, type };

// Reads a value of `type` at the reader's position into `v`, member by member: a Value built here
// and copied stalls on store forwarding, and this runs for every field of every flow (inlined: a
// call per field kept the reader in memory). `v` is a zeroed slot value, or with `kLaidOut` one of
// FlowRecordReader's slots, whose type (and IPv4-mapped prefix) its layout has set already.
// `u` keeps the string length or boolean byte.
template <bool kLaidOut>
[[gnu::always_inline]] inline ValueFault read_value(Reader& r, std::uint8_t type, Value& v, Arena& arena, std::uint64_t& u) {
  const std::uint8_t* bytes = nullptr;
  switch (type) {
    case kString:
      if (!r.varint(u)) return ValueFault::string_length;
      if (!r.bytes(u, bytes)) return ValueFault::string_bytes;
      if constexpr (!kLaidOut) v.type = FieldType::String;
      v.s = arena.copy(std::string_view(reinterpret_cast<const char*>(bytes), u));
      return ValueFault::none;
    case kInt:
    case kTime:
      if (!r.varint(u)) return ValueFault::integer;
      if constexpr (!kLaidOut) v.type = type == kInt ? FieldType::Int : FieldType::Timestamp;
      v.i = unzigzag(u);
      return ValueFault::none;
    case kFloat: {
      if (!r.bytes(8, bytes)) return ValueFault::float_bytes;
      std::uint64_t bits = 0;
      for (int b = 7; b >= 0; --b) bits = bits << 8 | bytes[b];
      if constexpr (!kLaidOut) v.type = FieldType::Float;
      v.f = std::bit_cast<double>(bits);
      return ValueFault::none;
    }
    case kBool:
      if (!r.bytes(1, bytes)) return ValueFault::bool_byte;
      u = bytes[0];
      if (u > 1) return ValueFault::bool_value;
      if constexpr (!kLaidOut) v.type = FieldType::Bool;
      v.b = u == 1;
      return ValueFault::none;
    case kIpv4:
      if (!r.bytes(4, bytes)) return ValueFault::ipv4;
      // IPv4 is held IPv4-mapped (::ffff:a.b.c.d), as IpAddress::from_v4 makes it.
      if constexpr (!kLaidOut) {
        v.type = FieldType::Ip;
        v.ip.bytes[10] = v.ip.bytes[11] = 0xFF;
        v.ip.v4 = true;
      }
      std::memcpy(v.ip.bytes.data() + 12, bytes, 4);
      return ValueFault::none;
    case kIpv6:
      if (!r.bytes(16, bytes)) return ValueFault::ipv6;
      if constexpr (!kLaidOut) v.type = FieldType::Ip;
      std::memcpy(v.ip.bytes.data(), bytes, 16);
      return ValueFault::none;
    default:
      return ValueFault::type;
  }
}

// The error of a field whose head is at `at` and value at `value_at`; `left` is what the record had left.
Status value_error(ValueFault fault, std::size_t at, std::size_t value_at, std::uint8_t type, std::uint64_t u, std::size_t left) {
  switch (fault) {
    case ValueFault::string_length: return bad(value_at, "truncated string length");
    case ValueFault::string_bytes: return bad(value_at, fmt::format("string of {} bytes runs past the end ({} left)", u, left));
    case ValueFault::integer: return bad(value_at, "truncated or overlong integer");
    case ValueFault::float_bytes: return bad(value_at, "truncated float");
    case ValueFault::bool_byte: return bad(value_at, "truncated boolean");
    case ValueFault::bool_value: return bad(value_at, fmt::format("boolean {} (0 or 1)", u));
    case ValueFault::ipv4: return bad(value_at, "truncated IPv4 address");
    case ValueFault::ipv6: return bad(value_at, "truncated IPv6 address");
    case ValueFault::type:
    case ValueFault::none: break;
  }
  return bad(at, fmt::format("unknown value type {}", type));
}

// decode_flow_record(), noting in `where` (when given) each field's place for FlowRecordReader.
Status decode_fields(std::string_view record, Event& event, std::vector<FieldAt>* where) {
  Reader r(record);
  std::uint8_t magic = 0, version = 0;
  if (!r.byte(magic) || magic != kFlowRecordMagic) return bad(0, "not a binary flow record (first byte is not 0xF1)");
  if (!r.byte(version)) return bad(1, "record ends before its version");
  if (version != kFlowRecordVersion)
    return bad(1, fmt::format("layout version {} is not supported (this build reads {})", version, kFlowRecordVersion));
  std::uint64_t count = 0;
  if (!r.varint(count)) return bad(2, "truncated or overlong field count");
  if (count > kMaxFields) return bad(2, fmt::format("{} fields, more than the {} a record may hold", count, kMaxFields));
  // Slots for the record's fields and the dozen the pipeline adds after (SOC, organisation,
  // victim): a flow's ~35 slots instead of the default first block of 64, so a batch's events
  // span less memory.
  event.reserve(static_cast<std::uint32_t>(event.size() + count + 12));
  const auto& known = known_ids();
  Arena& arena = event.arena();
  std::uint64_t i = 0;
  // Every record of the collector opens with the same class fields: their slots are copied whole.
  const FlowClassFields& class_fields = flow_class_fields();
  if (count >= class_fields.slots.size() && r.starts_with(class_fields.bytes)) {
    event.append(class_fields.slots);
    i = class_fields.slots.size();
  }
  for (; i < count; ++i) {
    const std::size_t at = r.pos();
    std::uint8_t head = 0;
    if (!r.byte(head)) return bad(at, fmt::format("record ends after {} of its {} fields", i, count));
    const std::uint8_t kind = head >> 4, type = head & 15;
    FieldId id = field::none;
    std::uint64_t number = 0;
    switch (kind) {
      case kKindKnown:
        if (!r.varint(number)) return bad(at + 1, "truncated field number");
        if (number >= kKnownCount) return bad(at + 1, fmt::format("unknown field number {} (this build knows {})", number, kKnownCount));
        id = known[number];
        break;
      case kKindElement:
        if (!r.varint(number)) return bad(at + 1, "truncated element code");
        if (number > kMaxCode) return bad(at + 1, fmt::format("element code {:#x} out of range", number));
        id = flow_field_id(number);
        break;
      case kKindNamed: {
        const std::uint8_t* name = nullptr;
        if (!r.varint(number)) return bad(at + 1, "truncated name length");
        if (number == 0 || number > kMaxNameBytes) return bad(at + 1, fmt::format("field name of {} bytes (1 to {})", number, kMaxNameBytes));
        if (!r.bytes(number, name))
          return bad(at + 1, fmt::format("field name of {} bytes runs past the end ({} left)", number, r.left()));
        id = intern_field(std::string_view(reinterpret_cast<const char*>(name), number));
        break;
      }
      default:
        return bad(at, fmt::format("unknown field kind {}", kind));
    }
    const std::size_t value_at = r.pos();
    if (where) where->push_back(FieldAt{static_cast<std::uint32_t>(at), static_cast<std::uint32_t>(value_at), type});
    std::uint64_t u = 0;
    if (const ValueFault fault = read_value<false>(r, type, event.emplace(id), arena, u); fault != ValueFault::none)
      return value_error(fault, at, value_at, type, u, r.left());
  }
  if (r.left() != 0) return bad(r.pos(), fmt::format("{} bytes after the last field", r.left()));
  return {};
}

}  // namespace

Status decode_flow_record(std::string_view record, Event& event) { return decode_fields(record, event, nullptr); }

Status FlowRecordReader::decode(std::string_view record, Event& event) {
  const std::uint32_t base = event.size();
  for (std::size_t k = 0; k < layouts_.size(); ++k) {
    if (!decode_as(layouts_[k], record, event)) {
      event.truncate(base);
      continue;
    }
    if (k != 0) std::rotate(layouts_.begin(), layouts_.begin() + static_cast<std::ptrdiff_t>(k), layouts_.begin() + static_cast<std::ptrdiff_t>(k) + 1);
    ++by_layout_;
    return {};
  }
  // A layout not seen lately, or a malformed record: read field by field, and keep the layout.
  where_.clear();
  Status st = decode_fields(record, event, &where_);
  if (st) learn(record, event, base);
  return st;
}

bool FlowRecordReader::decode_as(const Layout& layout, std::string_view record, Event& event) {
  Reader r(record);
  std::uint8_t magic = 0, version = 0;
  std::uint64_t count = 0;
  if (!r.byte(magic) || magic != kFlowRecordMagic || !r.byte(version) || version != kFlowRecordVersion || !r.varint(count) ||
      count != layout.slots.size())
    return false;
  if (layout.class_slots != 0 && !r.starts_with(flow_class_fields().bytes)) return false;
  event.reserve(static_cast<std::uint32_t>(event.size() + count + 12));
  Event::Slot* slots = event.append(layout.slots, layout.firsts) + layout.class_slots;
  Arena& arena = event.arena();
  for (const Step& step : layout.steps) {
    if (r.left() < step.length || (r.peek_le64() & step.mask) != step.bytes) return false;
    r.skip(step.length);
    std::uint64_t u = 0;
    if (read_value<true>(r, step.type, (slots++)->value, arena, u) != ValueFault::none) return false;
  }
  return r.left() == 0;
}

void FlowRecordReader::learn(std::string_view record, const Event& event, std::uint32_t base) {
  using flow_detail::FieldAt;
  const std::size_t fields = event.size() - base;
  const std::size_t class_slots = fields - where_.size();
  for (const FieldAt& f : where_)
    if (f.value_at - f.at > 8) return;  // a field named in the record, or a long enterprise code: not kept
  if (layouts_.size() < kLayouts) layouts_.emplace_back();
  // The least recently used layout (now last) is overwritten and moved to the front.
  std::rotate(layouts_.begin(), layouts_.end() - 1, layouts_.end());
  Layout& layout = layouts_.front();
  layout.class_slots = class_slots;
  layout.steps.clear();
  layout.slots.assign(event.begin() + base, event.end());
  layout.firsts.clear();
  for (std::size_t k = 0; k < layout.slots.size(); ++k) {
    const FieldId id = layout.slots[k].field;
    const auto seen = [&](const Event::FirstSlot& f) { return f.field == id; };
    if (id < field::schema_end && std::none_of(layout.firsts.begin(), layout.firsts.end(), seen))
      layout.firsts.push_back(Event::FirstSlot{id, static_cast<std::uint32_t>(k)});
  }
  for (std::size_t k = 0; k < where_.size(); ++k) {
    const FieldAt& f = where_[k];
    Step step;
    step.length = static_cast<std::uint8_t>(f.value_at - f.at);
    step.type = f.type;
    step.mask = step.length == 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * step.length)) - 1;
    std::uint64_t bytes = 0;
    std::memcpy(&bytes, record.data() + f.at, step.length);
    step.bytes = le64(bytes);
    layout.steps.push_back(step);
    // The slot as decode_as() fills it: its field and type, the value's bytes zero (an IPv4
    // address IPv4-mapped, as decode_flow_record writes it).
    Value& v = layout.slots[class_slots + k].value;
    const FieldType type = v.type;
    v = Value();
    v.type = type;
    if (f.type == kIpv4) {
      v.ip.bytes[10] = v.ip.bytes[11] = 0xFF;
      v.ip.v4 = true;
    }
  }
}

}  // namespace khien
