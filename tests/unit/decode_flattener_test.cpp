// Unit tests of the JSON flattener's key tree and of the archive line of repeated schema fields.
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <simdjson.h>

#include "core/arena.h"
#include "core/event.h"
#include "core/field_dictionary.h"
#include "core/json_writer.h"
#include "decode/json_flattener.h"

namespace khien {
namespace {

// The values of `name` in `event`, as JSON text, in slot order.
std::vector<std::string> values_of(const Event& event, std::string_view name) {
  FieldId id = intern_field(name);
  std::vector<std::string> out;
  for (const auto& slot : event) {
    if (slot.field != id) continue;
    std::string text;
    append_json_value(text, slot.value);
    out.push_back(text);
  }
  return out;
}

using Strings = std::vector<std::string>;

class Flatten {
 public:
  Event& run(std::string_view json) {
    events_.emplace_back(std::make_unique<Event>(arena_));
    simdjson::dom::object root;
    EXPECT_EQ(parser_.parse(json.data(), json.size()).get(root), simdjson::SUCCESS) << json;
    flattener_.flatten(root, *events_.back());
    return *events_.back();
  }
  JsonFlattener& flattener() { return flattener_; }

 private:
  Arena arena_;
  simdjson::dom::parser parser_;
  JsonFlattener flattener_;
  std::vector<std::unique_ptr<Event>> events_;
};

TEST(JsonFlattener, KeysInAnotherOrderOrNewKeysKeepTheirPaths) {
  Flatten f;
  Event& a = f.run(R"({"ka":1,"kb":{"kc":"x","kd":[1,2]}})");
  EXPECT_EQ(values_of(a, "ka"), Strings{"1"});
  EXPECT_EQ(values_of(a, "kb.kc"), Strings{"\"x\""});
  EXPECT_EQ(values_of(a, "kb.kd"), (Strings{"1", "2"}));
  // Same keys, other order, a new key in the middle, a null, and a key reused at another depth.
  Event& b = f.run(R"({"kb":{"kd":3,"ke":"y","kc":"z","ka":true},"ka":2,"kf":null,"kc":"top"})");
  EXPECT_EQ(values_of(b, "ka"), Strings{"2"});
  EXPECT_EQ(values_of(b, "kb.kc"), Strings{"\"z\""});
  EXPECT_EQ(values_of(b, "kb.kd"), Strings{"3"});
  EXPECT_EQ(values_of(b, "kb.ke"), Strings{"\"y\""});
  EXPECT_EQ(values_of(b, "kb.ka"), Strings{"true"});
  EXPECT_EQ(values_of(b, "kc"), Strings{"\"top\""});
  EXPECT_TRUE(values_of(b, "kf").empty());
  EXPECT_EQ(b.size(), 6u);
  // The first shape again still resolves every key.
  Event& c = f.run(R"({"ka":5,"kb":{"kc":"w","kd":[]}})");
  EXPECT_EQ(values_of(c, "ka"), Strings{"5"});
  EXPECT_EQ(values_of(c, "kb.kc"), Strings{"\"w\""});
  EXPECT_EQ(c.size(), 2u);
}

TEST(JsonFlattener, ArraysOfObjectsShareTheirPaths) {
  Flatten f;
  Event& e = f.run(R"({"list":[{"k":1},{"m":"n","k":2},{"k":[3,{"deep":4}]}]})");
  EXPECT_EQ(values_of(e, "list.k"), (Strings{"1", "2", "3"}));
  EXPECT_EQ(values_of(e, "list.m"), Strings{"\"n\""});
  EXPECT_EQ(values_of(e, "list.k.deep"), Strings{"4"});
}

TEST(JsonFlattener, ObjectsWiderThanTheTreeBoundStillFlattenWhole) {
  // More keys than one node keeps: the rest are interned by path, and a second record of the
  // same shape gives the same fields.
  const std::size_t n = JsonFlattener::kMaxChildren * 3;
  std::string json = "{\"wide\":{";
  for (std::size_t i = 0; i < n; ++i) json += (i ? "," : "") + std::string("\"w") + std::to_string(i) + "\":{\"v\":" + std::to_string(i) + "}";
  json += "}}";
  Flatten f;
  for (int round = 0; round < 2; ++round) {
    Event& e = f.run(json);
    ASSERT_EQ(e.size(), n) << round;
    for (std::size_t i = 0; i < n; i += 37)
      EXPECT_EQ(values_of(e, "wide.w" + std::to_string(i) + ".v"), Strings{std::to_string(i)}) << i;
    EXPECT_EQ(values_of(e, "wide.w" + std::to_string(n - 1) + ".v"), Strings{std::to_string(n - 1)});
  }
}

TEST(JsonFlattener, SchemaNamesFollowTheSettingAfterTheyWereSeen) {
  Flatten f;
  const std::string json = R"({"src_endpoint.ip":"10.1.2.3","time":"x","khien.soc":"forged","plain":1})";
  Event& taken = f.run(json);
  ASSERT_NE(taken.get(field::src_endpoint_ip), nullptr);
  EXPECT_EQ(taken.get(field::src_endpoint_ip)->type, FieldType::Ip);
  EXPECT_FALSE(taken.has(field::time));
  EXPECT_FALSE(taken.has(field::khien_soc));
  // The same paths, once schema names are off, stay in the raw record only.
  f.flattener().set_schema_names(false);
  Event& left = f.run(json);
  EXPECT_FALSE(left.has(field::src_endpoint_ip));
  EXPECT_EQ(values_of(left, "plain"), Strings{"1"});
  EXPECT_EQ(left.size(), 1u);
  f.flattener().set_schema_names(true);
  EXPECT_TRUE(f.run(json).has(field::src_endpoint_ip));
}

TEST(JsonWriter, RepeatedSchemaFieldsBecomeOneArrayAtTheirFirstPlace) {
  Arena arena;
  Event e(arena);
  e.add(field::answers_rdata, Value::of_string("a"));
  e.add(intern_field("orig.x"), Value::of_int(1));
  e.set_int(field::src_endpoint_port, 53);
  e.add(field::answers_rdata, Value::of_string("b"));
  e.add(intern_field("orig.x"), Value::of_int(2));
  e.add(field::answers_rdata, Value::of_string("c"));
  e.set_raw("text", RawKind::Text);
  std::string out;
  append_event_json(out, e);
  EXPECT_EQ(out, R"({"answers.rdata":["a","b","c"],"orig.x":[1,2],"src_endpoint.port":53,"raw":"text"})");
}

}  // namespace
}  // namespace khien
