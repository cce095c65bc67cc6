// Originals the EVE and ECS decoders leave in the raw record read back equal to what flattening every leaf gives.
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <simdjson.h>

#include "core/arena.h"
#include "core/event.h"
#include "core/field_dictionary.h"
#include "core/wanted_originals.h"
#include "decode/decoder.h"
#include "decode/json_flattener.h"
#include "decode/original_values.h"
#include "same_value.h"

namespace khien {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> golden_records(const std::string& format) {
  std::vector<std::string> out;
  for (const auto& file : fs::directory_iterator(fs::path(KHIEN_SOURCE_DIR) / "tests" / "golden" / format)) {
    if (file.path().extension() != ".input") continue;
    std::ifstream in(file.path());
    for (std::string line; std::getline(in, line);)
      if (!line.empty() && line.front() == '{') out.push_back(line);
  }
  return out;
}

// Every original of every golden record of `format`, as a flattener keeping all leaves adds it,
// equals original_values() of the decoded event; returns how many originals the decoder left out.
std::size_t check_format(const std::string& format) {
  auto decoder = std::move(*make_decoder(format));
  JsonFlattener everything;
  simdjson::dom::parser parser;
  std::size_t left_out = 0, records = 0;
  for (const auto& line : golden_records(format)) {
    Arena arena(1 << 16);
    Event decoded(arena);
    if (!decoder->decode(line, decoded)) continue;
    ++records;
    Event flat(arena);
    simdjson::dom::object root;
    EXPECT_FALSE(parser.parse(line).get_object().get(root)) << line;
    everything.flatten(root, flat);
    std::map<FieldId, std::vector<Value>> originals;
    for (const auto& slot : flat)
      if (!FieldDictionary::instance().is_schema(slot.field)) originals[slot.field].push_back(slot.value);
    for (const auto& [id, values] : originals) {
      std::size_t in_slots = 0;
      for (const auto& slot : decoded) in_slots += slot.field == id;
      left_out += in_slots == 0;
      const std::vector<Value> lazy = original_values(decoded, field_name(id));
      EXPECT_EQ(lazy.size(), values.size()) << format << " " << field_name(id) << " in " << line;
      for (std::size_t i = 0; i < values.size() && i < lazy.size(); ++i)
        EXPECT_TRUE(same_value(lazy[i], values[i])) << format << " " << field_name(id) << " #" << i;
    }
  }
  EXPECT_GT(records, 0u) << format;
  return left_out;
}

TEST(OriginalValues, EveOriginalsLeftInTheRawRecordReadBackAsFlattened) {
  EXPECT_GT(check_format("eve"), 0u) << "the EVE decoder should leave unread originals in the raw record";
}

TEST(OriginalValues, EcsOriginalsLeftInTheRawRecordReadBackAsFlattened) {
  EXPECT_GT(check_format("ecs"), 0u) << "the ECS decoder should leave unread originals in the raw record";
}

TEST(OriginalValues, PathsThroughDottedKeysAndArraysOfObjects) {
  Arena arena(1 << 12);
  Event event(arena);
  const std::string raw = R"({"a.b":{"c":1},"a":{"b.c":"x","b":{"c":true}},"list":[{"v":"p"},{"v":["q","r"]},{"w":1}],"n":null})";
  event.set_raw(raw, RawKind::Json);
  const auto abc = original_values(event, "a.b.c");
  ASSERT_EQ(abc.size(), 3u);
  EXPECT_EQ(abc[0].i, 1);
  EXPECT_EQ(abc[1].s, "x");
  EXPECT_TRUE(abc[2].b);
  const auto v = original_values(event, "list.v");
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[2].s, "r");
  EXPECT_TRUE(original_values(event, "n").empty());
  EXPECT_TRUE(original_values(event, "list").empty());
  event.set_raw("plain text", RawKind::Text);
  EXPECT_TRUE(original_values(event, "a.b.c").empty());
}

TEST(OriginalValues, RegisteredOriginalsBecomeSlots) {
  // A field only this test reads, so registering it changes nothing elsewhere in the process.
  const std::string line =
      R"({"timestamp":"2026-11-23T01:02:03Z","event_type":"alert","src_ip":"10.0.0.1","alert":{"signature":"s","wanted_by_test_only":"yes"}})";
  auto decoder = std::move(*make_decoder("eve"));
  const FieldId id = intern_field("alert.wanted_by_test_only");
  Arena arena(1 << 14);
  Event before(arena);
  ASSERT_TRUE(decoder->decode(line, before));
  EXPECT_FALSE(before.has(id));
  ASSERT_EQ(original_values(before, "alert.wanted_by_test_only").size(), 1u);
  WantedOriginals::instance().want(id);
  EXPECT_TRUE(WantedOriginals::instance().wants(id));
  Event after(arena);
  ASSERT_TRUE(decoder->decode(line, after));
  EXPECT_EQ(after.get_string(id), "yes");
  // Originals the decoder reads itself are slots; those it only maps reach the schema field
  // without becoming slots, and still read back by path.
  EXPECT_EQ(after.get_string(intern_field("event_type")), "alert");
  EXPECT_FALSE(after.has(intern_field("alert.signature")));
  EXPECT_EQ(after.get_string(field::finding_info_title), "s");
  ASSERT_EQ(original_values(after, "alert.signature").size(), 1u);
  EXPECT_EQ(original_values(after, "alert.signature")[0].s, "s");
}

}  // namespace
}  // namespace khien
