// Tests of the binary flow record (core/flow_record.h): round trip of every value type and field kind, element
// names, and malformed records refused with the offset and the reason.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "core/field_dictionary.h"
#include "core/flow_record.h"
#include "core/netflow_information_elements.h"

namespace khien {
namespace {

Event sample(Arena& arena) {
  Event e(arena);
  e.set_int(field::class_uid, 4001);
  e.set_string(field::class_name, "Network Activity");
  e.set_time(field::time, 1'767'225'600'123'456'789LL);
  e.set_int(field::duration, 9000);
  e.set_ip(field::src_endpoint_ip, *IpAddress::parse("81.2.69.142"));
  e.set_ip(field::dst_endpoint_ip, *IpAddress::parse("2001:db8::7"));
  e.set_int(field::dst_endpoint_port, 445);
  e.set_string(field::observer_name, "exp-vnpt-border");
  e.add(flow_field_id(flow_field_code(0, 6)), Value::of_int(0x1B));                  // tcpControlBits
  e.add(flow_field_id(flow_field_code(0, 8)), Value::of_ip(*IpAddress::parse("81.2.69.142")));
  e.add(flow_field_id(flow_field_code(kReversePen, 1)), Value::of_int(-5));          // reverseOctetDeltaCount
  e.add(flow_field_id(flow_field_code(9, 12235)), Value::of_string("deadbeef"));    // enterprise
  e.add(flow_field_id(flow_field_code(0, 2, true)), Value::of_int(3));              // v9 scope: interface
  e.add(intern_field("src_endpoint.interface_uid"), Value::of_int(3));
  e.add(intern_field("khien.test_only_field"), Value::of_float(0.25));
  e.add(intern_field("khien.test_only_flag"), Value::of_bool(true));
  e.add(field::message, Value::of_string(""));
  return e;
}

bool same(const Event& a, const Event& b) {
  if (a.size() != b.size()) return false;
  for (const Event::Slot *x = a.begin(), *y = b.begin(); x != a.end(); ++x, ++y) {
    if (x->field != y->field || x->value.type != y->value.type) return false;
    const Value &u = x->value, &v = y->value;
    bool eq = u.type == FieldType::String ? u.s == v.s
              : u.type == FieldType::Ip   ? u.ip == v.ip
              : u.type == FieldType::Float ? u.f == v.f
              : u.type == FieldType::Bool  ? u.b == v.b
              : u.type == FieldType::Timestamp ? u.t == v.t
                                               : u.i == v.i;
    if (!eq) return false;
  }
  return true;
}

TEST(FlowRecord, RoundTripKeepsEveryFieldTypeAndOrder) {
  Arena arena;
  Event e = sample(arena);
  std::string record;
  append_flow_record(record, e);
  ASSERT_TRUE(is_binary_flow_record(record));
  EXPECT_EQ(static_cast<std::uint8_t>(record[1]), kFlowRecordVersion);
  Event back(arena);
  auto st = decode_flow_record(record, back);
  ASSERT_TRUE(st) << st.error().message;
  EXPECT_TRUE(same(e, back));
  EXPECT_EQ(back.get(field::dst_endpoint_ip)->ip.to_string(), "2001:db8::7");
  EXPECT_TRUE(back.get(field::src_endpoint_ip)->ip.v4);
  EXPECT_EQ(back.get(field::time)->t, 1'767'225'600'123'456'789LL);
  // Elements keep their names, found by name like any original field.
  EXPECT_EQ(back.get(intern_field("netflow.tcpControlBits"))->i, 0x1B);
  EXPECT_EQ(back.get(intern_field("netflow.reverseOctetDeltaCount"))->i, -5);
  EXPECT_EQ(back.get_string(intern_field("ipfix.9.12235")), "deadbeef");
  EXPECT_EQ(back.get(intern_field("netflow.scope.interface"))->i, 3);
}

// Integers of every length (1 to 10 varint bytes, both signs) read back, whether 8 bytes or more
// follow them (one load per varint) or fewer (byte by byte, at the record's end).
TEST(FlowRecord, IntegersOfEveryVarintLengthRoundTrip) {
  std::vector<std::int64_t> values{0, -1, INT64_MAX, INT64_MIN};
  for (int bit = 0; bit < 63; ++bit) {
    const std::int64_t p = std::int64_t{1} << bit;
    for (std::int64_t v : {p - 1, p, p + 1, -p, -p - 1}) values.push_back(v);
  }
  const FieldId octets = flow_field_id(flow_field_code(0, 1));
  for (std::int64_t v : values) {
    Arena arena;
    Event e(arena);
    e.add(octets, Value::of_int(v));
    e.set_time(field::time, v);
    e.add(octets, Value::of_int(v));  // the last field: fewer than 8 bytes may follow
    std::string record;
    append_flow_record(record, e);
    Event back(arena);
    auto st = decode_flow_record(record, back);
    ASSERT_TRUE(st) << v << ": " << st.error().message;
    EXPECT_TRUE(same(e, back)) << v;
  }
}

TEST(FlowRecord, ElementsAreWrittenByNumberNotByName) {
  Arena arena;
  Event e(arena);
  e.add(flow_field_id(flow_field_code(0, 1)), Value::of_int(9000));  // octetDeltaCount
  std::string record;
  append_flow_record(record, e);
  EXPECT_EQ(record.find("octetDeltaCount"), std::string::npos);
  EXPECT_LE(record.size(), 8u);
  EXPECT_EQ(flow_field_name(flow_field_code(0, 1)), "netflow.octetDeltaCount");
  EXPECT_EQ(flow_field_name(flow_field_code(0, 60000)), "netflow.ie60000");
  EXPECT_EQ(flow_field_name(flow_field_code(0, 7, true)), "netflow.scope.7");
  EXPECT_EQ(flow_field_code_of(flow_field_id(flow_field_code(kReversePen, 2))), flow_field_code(kReversePen, 2));
  EXPECT_EQ(flow_field_code_of(field::time), kNotAFlowField);
}

Status decode(std::string_view record) {
  Arena arena;
  Event e(arena);
  return decode_flow_record(record, e);
}

std::string error_of(std::string_view record) {
  auto st = decode(record);
  return st ? std::string("accepted") : st.error().message;
}

TEST(FlowRecord, MalformedRecordsAreRefusedWithOffsetAndReason) {
  using namespace std::string_literals;
  EXPECT_EQ(error_of(""), "flow record byte 0: not a binary flow record (first byte is not 0xF1)");
  EXPECT_EQ(error_of("{\"time\":1}"), "flow record byte 0: not a binary flow record (first byte is not 0xF1)");
  EXPECT_EQ(error_of("\xF1"s), "flow record byte 1: record ends before its version");
  EXPECT_EQ(error_of("\xF1\x02\x00"s), "flow record byte 1: layout version 2 is not supported (this build reads 1)");
  EXPECT_EQ(error_of("\xF1\x01\xFF\xFF\x01"s), "flow record byte 2: 32767 fields, more than the 4096 a record may hold");
  EXPECT_EQ(error_of("\xF1\x01\x01"s), "flow record byte 3: record ends after 0 of its 1 fields");
  EXPECT_EQ(error_of("\xF1\x01\x01\x71\x00\x00"s), "flow record byte 3: unknown field kind 7");
  EXPECT_EQ(error_of("\xF1\x01\x01\x19\x00\x00"s), "flow record byte 3: unknown value type 9");
  EXPECT_EQ(error_of("\xF1\x01\x01\x11\x7F\x00"s), "flow record byte 4: unknown field number 127 (this build knows 30)");
  EXPECT_EQ(error_of("\xF1\x01\x01\x10\x01\x09" "abc"s), "flow record byte 5: string of 9 bytes runs past the end (3 left)");
  EXPECT_EQ(error_of("\xF1\x01\x01\x30\x00"s), "flow record byte 4: field name of 0 bytes (1 to 255)");
  EXPECT_EQ(error_of("\xF1\x01\x01\x13\x00\x02"s), "flow record byte 5: boolean 2 (0 or 1)");
  EXPECT_EQ(error_of("\xF1\x01\x01\x15\x08\x01\x02"s), "flow record byte 5: truncated IPv4 address");
  EXPECT_EQ(error_of("\xF1\x01\x01\x11\x00\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\x01"s),
            "flow record byte 5: truncated or overlong integer");
  EXPECT_EQ(error_of("\xF1\x01\x00\x00"s), "flow record byte 3: 1 bytes after the last field");
  EXPECT_EQ(error_of("\xF1\x01\x00"s), "accepted");
}

TEST(FlowRecord, EveryTruncationAndCorruptionIsAnErrorOrAValidEvent) {
  Arena arena;
  std::string record;
  append_flow_record(record, sample(arena));
  for (std::size_t n = 0; n < record.size(); ++n) EXPECT_FALSE(decode(record.substr(0, n))) << "prefix of " << n << " bytes";
  std::mt19937 rng(7);
  std::size_t refused = 0;
  for (int i = 0; i < 5000; ++i) {
    std::string bent = record;
    bent[rng() % bent.size()] = static_cast<char>(rng());
    if (!decode(bent)) ++refused;
  }
  EXPECT_GT(refused, 0u);
}

}  // namespace
}  // namespace khien

namespace khien {
namespace {

// The writer fills in the field count at the end: past 127 fields it takes two varint bytes.
TEST(FlowRecordWriter, CountsOfOneAndTwoBytesAndTheFieldCap) {
  for (std::size_t fields : {std::size_t{127}, std::size_t{128}, std::size_t{300}, FlowRecordWriter::kMaxFields + 5}) {
    Arena arena;
    std::string out = "before";
    FlowRecordWriter writer;
    writer.begin(out);
    for (std::size_t i = 0; i < fields; ++i)
      writer.add(flow_field_id(flow_field_code(0, static_cast<std::uint16_t>(1 + i % 400))),
                 Value::of_int(static_cast<std::int64_t>(i)));
    const std::size_t size = writer.finish();
    ASSERT_EQ(out.substr(0, 6), "before");
    ASSERT_EQ(size, out.size() - 6);
    const std::string_view record = std::string_view(out).substr(6);
    EXPECT_EQ(static_cast<std::uint8_t>(record[2]) >= 0x80, fields >= 128) << fields;
    Event back(arena);
    auto st = decode_flow_record(record, back);
    ASSERT_TRUE(st) << fields << ": " << st.error().message;
    const std::size_t kept = std::min(fields, FlowRecordWriter::kMaxFields);
    ASSERT_EQ(back.size(), kept);
    EXPECT_EQ(back.begin()[kept - 1].value.i, static_cast<std::int64_t>(kept - 1));
  }
}

// The numbered writes of schema fields give the bytes add() gives for the field of that name: the
// enum's order is the record's numbering. Long strings and many fields cross the writer's buffer.
// Fields written ahead of time and copied in give the bytes of writing them in place, wherever
// the writer's buffer stands (empty, nearly full after a long string).
TEST(FlowRecordWriter, FieldsWrittenAheadEqualFieldsWrittenInPlace) {
  using K = FlowKnownField;
  auto opening = [](FlowRecordWriter& w) {
    w.known_int(K::class_uid, 4001);
    w.known_string(K::class_name, "Network Activity");
    w.known_int(K::severity_id, 1);
  };
  std::string ahead;
  FlowRecordWriter a;
  a.begin(ahead);
  opening(a);
  a.finish();
  const std::string_view fields = std::string_view(ahead).substr(3);
  for (std::size_t before : {std::size_t{0}, std::size_t{470}, std::size_t{2000}}) {
    const std::string text(before, 'y');
    std::string copied, in_place;
    FlowRecordWriter c, d;
    c.begin(copied);
    d.begin(in_place);
    if (before) {
      c.known_string(K::app_name, text);
      d.known_string(K::app_name, text);
    }
    c.known_bytes(fields, 3);
    opening(d);
    c.known_int(K::dst_port, 445);
    d.known_int(K::dst_port, 445);
    EXPECT_EQ(c.fields(), d.fields());
    c.finish();
    d.finish();
    EXPECT_EQ(copied, in_place) << before;
  }
}

TEST(FlowRecordWriter, KnownFieldWritesEqualAddByName) {
  constexpr std::string_view kNames[] = {
      "class_uid", "class_name", "category_uid", "activity_id", "activity_name", "type_uid", "severity_id",
      "metadata.product.name", "device.ip", "src_endpoint.ip", "src_endpoint.port", "dst_endpoint.ip",
      "dst_endpoint.port", "src_endpoint.mac", "dst_endpoint.mac", "connection_info.protocol_name",
      "connection_info.uid", "app_name", "traffic.bytes_out", "traffic.bytes_in", "traffic.packets_out",
      "traffic.packets_in", "traffic.bytes", "traffic.packets", "time", "duration", "observer.name",
      "src_endpoint.interface_uid", "dst_endpoint.interface_uid", "connection_info.tcp_flags"};
  static_assert(std::size(kNames) == static_cast<std::size_t>(FlowKnownField::tcp_flags) + 1);
  const IpAddress v4 = *IpAddress::parse("81.2.69.142"), v6 = *IpAddress::parse("2001:db8::7");
  const std::string long_text(1500, 'x');
  std::string by_number = "x", by_name = "x";
  FlowRecordWriter a, b;
  a.begin(by_number);
  b.begin(by_name);
  for (int round = 0; round < 3; ++round) {
    for (std::size_t i = 0; i < std::size(kNames); ++i) {
      const auto k = static_cast<FlowKnownField>(i);
      const FieldId id = intern_field(kNames[i]);
      const std::int64_t n = (static_cast<std::int64_t>(i) - 7) << (round * 20);
      const std::string_view text = round == 2 && i % 5 == 0 ? std::string_view(long_text) : kNames[i];
      a.known_int(k, n);
      b.add(id, Value::of_int(n));
      a.known_time(k, n * 1000);
      b.add(id, Value::of_time(n * 1000));
      a.known_string(k, text);
      b.add(id, Value::of_string(text));
      a.known_ip(k, i % 2 ? v4 : v6);
      b.add(id, Value::of_ip(i % 2 ? v4 : v6));
    }
  }
  EXPECT_EQ(a.fields(), 3 * 4 * std::size(kNames));
  EXPECT_EQ(a.finish(), b.finish());
  EXPECT_EQ(by_number, by_name);
  Arena arena;
  Event back(arena);
  ASSERT_TRUE(decode_flow_record(std::string_view(by_number).substr(1), back));
  EXPECT_EQ(back.size(), 3 * 4 * std::size(kNames));
}

}  // namespace
TEST(FlowRecord, ClassFieldsOpeningARecordAreCopiedWholeAndEqualTheirDecoding) {
  using K = FlowKnownField;
  const FlowClassFields& c = flow_class_fields();
  ASSERT_EQ(c.slots.size(), 7u);
  EXPECT_EQ(c.bytes.size(), 47u);  // as docs/TRAFFIC.md gives it
  auto record_with = [](auto&& opening) {
    std::string record;
    FlowRecordWriter w;
    w.begin(record);
    opening(w);
    w.known_int(K::dst_port, 445);
    w.known_string(K::observer_name, "exp-1");
    w.finish();
    return record;
  };
  // The class fields written one by one, with a given severity.
  auto one_by_one = [](FlowRecordWriter& w, std::int64_t severity) {
    w.known_int(K::class_uid, 4001);
    w.known_string(K::class_name, "Network Activity");
    w.known_int(K::category_uid, 4);
    w.known_int(K::activity_id, 6);
    w.known_string(K::activity_name, "Traffic");
    w.known_int(K::type_uid, 400106);
    w.known_int(K::severity_id, severity);
  };
  auto copied = record_with([&](FlowRecordWriter& w) { w.known_bytes(c.bytes, c.slots.size()); });
  auto in_place = record_with([&](FlowRecordWriter& w) { one_by_one(w, 1); });
  EXPECT_EQ(copied, in_place);  // the collector's copied bytes are the fields written one by one

  Arena arena;
  Event fast(arena);
  fast.add(field::message, Value::of_string("before"));  // slots already in the event stay first
  ASSERT_TRUE(decode_flow_record(copied, fast));
  ASSERT_EQ(fast.size(), 10u);
  EXPECT_EQ(fast.get_string(field::message), "before");
  EXPECT_EQ(fast.get(field::class_uid)->i, 4001);
  EXPECT_EQ(fast.get(field::type_uid)->i, 400106);
  EXPECT_EQ(fast.get(field::severity_id)->i, 1);
  EXPECT_EQ(fast.get(field::dst_endpoint_port)->i, 445);
  EXPECT_EQ(fast.get_string(field::observer_name), "exp-1");
  // The class strings are the static ones (copied slots), not copies in the arena.
  EXPECT_EQ(fast.get_string(field::class_name).data(), c.slots[1].value.s.data());
  EXPECT_EQ(fast.get_string(field::activity_name), "Traffic");

  // The same fields with another severity are decoded one by one, to the same layout.
  auto other = record_with([&](FlowRecordWriter& w) { one_by_one(w, 4); });
  Event slow(arena);
  ASSERT_TRUE(decode_flow_record(other, slow));
  ASSERT_EQ(slow.size(), 9u);
  EXPECT_EQ(slow.get(field::severity_id)->i, 4);
  EXPECT_EQ(slow.get_string(field::class_name), "Network Activity");
  EXPECT_NE(slow.get_string(field::class_name).data(), c.slots[1].value.s.data());
  for (std::size_t k = 0; k < 6; ++k) {
    EXPECT_EQ(fast.begin()[k + 1].field, slow.begin()[k].field);
    EXPECT_EQ(fast.begin()[k + 1].value.type, slow.begin()[k].value.type);
  }

  // A count smaller than the class fields: the copy is not taken, and the bytes left over are an error.
  auto short_count = copied;
  short_count[2] = 3;
  Event cut(arena);
  auto st = decode_flow_record(short_count, cut);
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("bytes after the last field"), std::string::npos) << st.error().message;
}

}  // namespace khien
