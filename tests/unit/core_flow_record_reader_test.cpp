// Tests of FlowRecordReader (core/flow_record.h): for every record — the collector's layouts in turn, records of
// other layouts, every truncation and corruption — the same event and the same error as decode_flow_record().
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/field_dictionary.h"
#include "core/flow_record.h"
#include "core/netflow_information_elements.h"

namespace khien {
namespace {

using K = FlowKnownField;

bool same_value(const Value& u, const Value& v) {
  if (u.type != v.type) return false;
  switch (u.type) {
    case FieldType::String: return u.s == v.s;
    case FieldType::Ip: return u.ip == v.ip && u.ip.v4 == v.ip.v4;
    case FieldType::Float: return std::memcmp(&u.f, &v.f, sizeof u.f) == 0;
    case FieldType::Bool: return u.b == v.b;
    case FieldType::Timestamp: return u.t == v.t;
    case FieldType::Int: return u.i == v.i;
  }
  return false;
}

// The slots in order, and every schema field's first value by lookup (the event's index).
void expect_same_event(const Event& a, const Event& b, const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (std::uint32_t k = 0; k < a.size(); ++k) {
    EXPECT_EQ(a.begin()[k].field, b.begin()[k].field) << what << " slot " << k;
    EXPECT_TRUE(same_value(a.begin()[k].value, b.begin()[k].value)) << what << " slot " << k;
  }
  for (FieldId f = 1; f < field::schema_end; ++f) {
    const Value *x = a.get(f), *y = b.get(f);
    ASSERT_EQ(x == nullptr, y == nullptr) << what << " field " << field_name(f);
    if (x) {
      EXPECT_TRUE(same_value(*x, *y)) << what << " field " << field_name(f);
    }
  }
}

// Decodes `record` both ways (into events that may already hold a field) and expects the same outcome.
void expect_same_decoding(FlowRecordReader& reader, std::string_view record, bool prefilled, const std::string& what) {
  Arena arena;
  Event generic(arena), read(arena);
  if (prefilled) {
    generic.add(field::message, Value::of_string("before"));
    read.add(field::message, Value::of_string("before"));
  }
  const Status a = decode_flow_record(record, generic);
  const Status b = reader.decode(record, read);
  ASSERT_EQ(static_cast<bool>(a), static_cast<bool>(b)) << what;
  if (!a) {
    EXPECT_EQ(a.error().message, b.error().message) << what;
  }
  expect_same_event(generic, read, what);
}

// A record as the collector writes it: the class fields, then schema fields and elements whose
// values (and so varint and string lengths) vary with `seed`; `layout` picks one of six field sets.
std::string collector_record(int layout, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto any = [&](std::uint64_t below) { return static_cast<std::int64_t>(rng() % below); };
  std::string record;
  FlowRecordWriter w;
  w.begin(record);
  const FlowClassFields& c = flow_class_fields();
  w.known_bytes(c.bytes, c.slots.size());
  const bool v6 = layout % 2 == 1;
  const IpAddress src = v6 ? *IpAddress::parse("2001:db8::" + std::to_string(any(10000)))
                           : IpAddress::from_v4(static_cast<std::uint32_t>(rng()));
  w.known_time(K::time, 1'767'225'600'000'000'000LL + any(1'000'000'000'000));
  w.known_ip(K::src_ip, src);
  w.known_int(K::src_port, any(65536));
  w.known_int(K::dst_port, any(2) ? 80 : any(65536));
  w.known_int(K::bytes, any(2) ? any(100) : any(1LL << 40));
  w.known_string(K::protocol_name, any(2) ? "tcp" : "udp");
  w.add(flow_field_id(flow_field_code(0, 1)), Value::of_int(any(1LL << 50)));  // octetDeltaCount
  w.add(flow_field_id(flow_field_code(0, v6 ? 27 : 8)), Value::of_ip(src));    // source address
  if (layout >= 2) w.add(flow_field_id(flow_field_code(kReversePen, 1)), Value::of_int(-any(1000)));
  if (layout >= 2) w.add(flow_field_id(flow_field_code(9, 12235)), Value::of_string(std::string(static_cast<std::size_t>(any(40)), 'x')));
  if (layout >= 4) w.add(flow_field_id(flow_field_code(0, 2, true)), Value::of_int(any(8)));  // v9 scope
  if (layout >= 4) w.add(intern_field("khien.test_ratio"), Value::of_float(static_cast<double>(any(1000)) / 7));
  if (layout >= 4) w.add(intern_field("khien.test_flag"), Value::of_bool(any(2) == 1));
  w.known_string(K::observer_name, std::string("exp-") + std::to_string(any(1'000'000)));
  w.finish();
  return record;
}

TEST(FlowRecordReader, CollectorLayoutsInTurnDecodeAsFieldByField) {
  FlowRecordReader reader;
  // Layouts 0-3 fit the reader's four; then all six in turn, so layouts are dropped and learned again.
  for (int round = 0; round < 2; ++round) {
    const int layouts = round == 0 ? 4 : 6;
    for (std::uint64_t seed = 0; seed < 120; ++seed) {
      const int layout = static_cast<int>(seed % static_cast<std::uint64_t>(layouts));
      expect_same_decoding(reader, collector_record(layout, seed), seed % 3 == 0,
                           "layout " + std::to_string(layout) + " seed " + std::to_string(seed));
    }
  }
  // Layouts 0-3 carry no field named in the record: after the first of each, read by layout.
  FlowRecordReader fresh;
  for (std::uint64_t seed = 0; seed < 40; ++seed) expect_same_decoding(fresh, collector_record(static_cast<int>(seed % 4), seed), false, "fresh");
  EXPECT_EQ(fresh.records_by_layout(), 36u);
  // Layouts 4 and 5 name two fields in the record, too long to compare in one load: field by field.
  FlowRecordReader named;
  for (std::uint64_t seed = 0; seed < 10; ++seed) expect_same_decoding(named, collector_record(4, seed), false, "named");
  EXPECT_EQ(named.records_by_layout(), 0u);
}

TEST(FlowRecordReader, EveryTruncationAndCorruptionOfAKnownLayoutGivesTheSameErrorOrEvent) {
  FlowRecordReader reader;
  const std::string good = collector_record(2, 7);
  expect_same_decoding(reader, good, false, "learning");
  for (std::size_t n = 0; n < good.size(); ++n) {
    expect_same_decoding(reader, std::string_view(good).substr(0, n), false, "cut at " + std::to_string(n));
    expect_same_decoding(reader, good, false, "after cut at " + std::to_string(n));
  }
  std::mt19937 rng(3);
  for (std::size_t at = 0; at < good.size(); ++at) {
    for (int k = 0; k < 4; ++k) {
      std::string bad = good;
      bad[at] = static_cast<char>(k == 0 ? bad[at] ^ 0x80 : static_cast<int>(rng() % 256));
      expect_same_decoding(reader, bad, k % 2 == 0, "byte " + std::to_string(at) + " corrupted");
    }
  }
  expect_same_decoding(reader, good + "x", false, "a byte after the last field");
  EXPECT_GT(reader.records_by_layout(), good.size());
}

TEST(Event, TruncateDropsSlotsAndTheirLookups) {
  Arena arena;
  Event e(arena);
  e.set_int(field::src_endpoint_port, 1);
  e.set_int(field::dst_endpoint_port, 2);
  e.add(field::src_endpoint_port, Value::of_int(3));  // a second value of a field already indexed
  e.add(intern_field("khien.test_other"), Value::of_int(4));
  e.truncate(1);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e.get(field::src_endpoint_port)->i, 1);
  EXPECT_EQ(e.get(field::dst_endpoint_port), nullptr);
  EXPECT_EQ(e.get(intern_field("khien.test_other")), nullptr);
  e.set_int(field::dst_endpoint_port, 5);  // appended again and found again
  EXPECT_EQ(e.get(field::dst_endpoint_port)->i, 5);
  EXPECT_EQ(e.size(), 2u);
  e.truncate(7);  // past the end: nothing changes
  EXPECT_EQ(e.size(), 2u);
}

TEST(Event, AppendWithFirstSlotsGivenIndexesAsAppend) {
  Arena arena;
  const Event::Slot run[] = {{field::dst_endpoint_port, Value::of_int(1)},
                             {intern_field("khien.test_other"), Value::of_int(2)},
                             {field::dst_endpoint_port, Value::of_int(3)},
                             {field::src_endpoint_port, Value::of_int(4)}};
  const Event::FirstSlot firsts[] = {{field::src_endpoint_port, 3}, {field::dst_endpoint_port, 0}};
  Event a(arena), b(arena);
  a.set_int(field::src_endpoint_port, 9);  // already indexed: keeps its first slot
  b.set_int(field::src_endpoint_port, 9);
  Event::Slot* first_a = a.append(run);
  Event::Slot* first_b = b.append(run, firsts);
  EXPECT_EQ(first_a, a.begin() + 1);
  EXPECT_EQ(first_b, b.begin() + 1);
  first_b[2].value.i = 30;  // the returned slots are the event's
  ASSERT_EQ(b.size(), 5u);
  EXPECT_EQ(b.begin()[3].value.i, 30);
  for (FieldId f : {field::src_endpoint_port, field::dst_endpoint_port}) EXPECT_EQ(a.get(f)->i, b.get(f)->i);
  EXPECT_EQ(b.get(field::src_endpoint_port)->i, 9);
  EXPECT_EQ(b.get(field::dst_endpoint_port)->i, 1);
}

}  // namespace
}  // namespace khien
