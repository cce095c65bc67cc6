// Event storage, schema conversion and JSON output.
#include <cstdio>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "core/event.h"
#include "core/field_dictionary.h"
#include "core/json_writer.h"

namespace khien {

TEST(Event, SetGetRepeatAndRemove) {
  Arena arena;
  Event e(arena);
  e.set_string(field::message, "hello");
  e.set_string(field::message, "replaced");
  EXPECT_EQ(e.get_string(field::message), "replaced");
  e.add(field::answers_rdata, Value::of_string("1.1.1.1"));
  e.add(field::answers_rdata, Value::of_string("2.2.2.2"));
  EXPECT_EQ(e.size(), 3u);
  e.remove(field::answers_rdata);
  EXPECT_EQ(e.size(), 1u);
  EXPECT_FALSE(e.has(field::answers_rdata));
}

TEST(Event, GrowsPastInitialCapacityInsideTheArena) {
  Arena arena(4096);
  Event e(arena);
  for (int i = 0; i < 500; ++i) e.add(intern_field("f" + std::to_string(i)), Value::of_int(i));
  EXPECT_EQ(e.size(), 500u);
  EXPECT_EQ(e.get(intern_field("f499"))->i, 499);
}

TEST(Event, AppendedSlotsFollowTheFieldsAndAreIndexed) {
  Arena arena(4096);
  const Event::Slot slots[] = {{field::class_uid, Value::of_int(4001)},
                               {field::message, Value::of_string("appended")},
                               {intern_field("khien.test_appended"), Value::of_int(7)}};
  Event e(arena);
  e.add(field::message, Value::of_string("first"));
  // 70 appends pass the first block of slots and grow the event several times.
  for (int round = 0; round < 70; ++round) e.append(slots);
  ASSERT_EQ(e.size(), 1u + 70 * 3);
  EXPECT_EQ(e.get_string(field::message), "first");  // the first value of a field stays the one found
  EXPECT_EQ(e.get(field::class_uid)->i, 4001);
  EXPECT_EQ(e.get(intern_field("khien.test_appended"))->i, 7);
  EXPECT_EQ(e.begin()[2].value.s, "appended");
  EXPECT_EQ(e.end()[-1].value.i, 7);
  Event fresh(arena);
  fresh.append(slots);
  EXPECT_EQ(fresh.get_string(field::message), "appended");
}

TEST(Event, SchemaConversionRejectsWhatDoesNotFit) {
  Arena arena;
  Event e(arena);
  EXPECT_TRUE(e.set_text_as_schema(field::src_endpoint_ip, "10.0.0.1"));
  EXPECT_FALSE(e.set_text_as_schema(field::dst_endpoint_ip, "not-an-ip"));
  EXPECT_TRUE(e.set_text_as_schema(field::src_endpoint_port, "443"));
  EXPECT_FALSE(e.set_text_as_schema(field::dst_endpoint_port, "443x"));
  EXPECT_TRUE(e.set_text_as_schema(field::time, "2026-11-22T00:00:00Z"));
  EXPECT_FALSE(e.set_text_as_schema(field::khien_received, "soon"));
  EXPECT_EQ(e.get(field::src_endpoint_ip)->type, FieldType::Ip);
  EXPECT_FALSE(e.has(field::dst_endpoint_ip));
}

TEST(FieldDictionary, SchemaIdsAreStableAndOriginalsIntern) {
  EXPECT_EQ(intern_field("src_endpoint.ip"), field::src_endpoint_ip);
  EXPECT_EQ(field_name(field::time), "time");
  FieldId a = intern_field("alert.signature");
  EXPECT_EQ(intern_field("alert.signature"), a);
  EXPECT_FALSE(FieldDictionary::instance().is_schema(a));
  EXPECT_EQ(field_name(a), "alert.signature");
}

TEST(JsonWriter, EscapesControlAndInvalidUtf8) {
  std::string out;
  append_json_string(out, std::string_view("a\"b\\c\n\x01 \xc3\xa9 \xff end", 16));
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\u0001 \xc3\xa9 \\ufffd end\"");
  EXPECT_TRUE(is_valid_utf8("Tiếng Việt"));
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));        // overlong
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));    // surrogate
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80")); // past U+10FFFF
}

// The writer copies plain text a word at a time, short tails included: every string of 0 to 40
// bytes drawn from plain letters, quotes, backslashes, control bytes, UTF-8 and bytes that are not
// UTF-8 must come out as a byte-at-a-time escaper writes it.
TEST(JsonWriter, EscapesAsAByteAtATimeWriterDoes) {
  auto reference = [](std::string_view text) {
    std::string out = "\"";
    auto* p = reinterpret_cast<const unsigned char*>(text.data());
    auto* end = p + text.size();
    while (p < end) {
      const unsigned char c = *p;
      if (c >= 0x80) {
        std::size_t n = 1;
        while (n <= 4 && p + n <= end && !is_valid_utf8(std::string_view(reinterpret_cast<const char*>(p), n))) ++n;
        if (n <= 4 && p + n <= end) {
          out.append(reinterpret_cast<const char*>(p), n);
          p += n;
        } else {
          out += "\\ufffd";
          ++p;
        }
        continue;
      }
      if (c == '"') out += "\\\"";
      else if (c == '\\') out += "\\\\";
      else if (c == '\n') out += "\\n";
      else if (c == '\r') out += "\\r";
      else if (c == '\t') out += "\\t";
      else if (c < 0x20) {
        char u[8];
        std::snprintf(u, sizeof u, "\\u%04x", c);
        out += u;
      } else {
        out += static_cast<char>(c);
      }
      ++p;
    }
    return out + "\"";
  };
  const std::string_view pieces[] = {"a", "Z", "9", " ", "\"", "\\", "\n", "\x01", "\x1f", "\x7f", "\xc3\xa9", "\xe1\xba\xbf",
                                     "\xf0\x9f\x94\x92", "\xff", "\xc3", "\xed\xa0\x80", "/"};
  std::mt19937 rng(5);
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    const std::size_t len = rng() % 41;
    const bool plain = rng() % 2 == 0;  // half the strings plain ASCII, the common case
    while (text.size() < len) text += plain ? pieces[rng() % 4] : pieces[rng() % std::size(pieces)];
    std::string out;
    append_json_string(out, text);
    ASSERT_EQ(out, reference(text)) << "case " << i;
  }
}

TEST(JsonWriter, WritesSchemaFieldsArraysAndRaw) {
  Arena arena;
  Event e(arena);
  e.set_time(field::time, 1'000'000'000);
  e.set_ip(field::src_endpoint_ip, *IpAddress::parse("10.0.0.1"));
  e.set_int(field::src_endpoint_port, 53);
  e.add(field::answers_rdata, Value::of_string("a"));
  e.add(field::answers_rdata, Value::of_string("b"));
  e.add(intern_field("original.only"), Value::of_string("hidden in raw"));
  e.set_raw(R"({"original":{"only":"hidden in raw"}})", RawKind::Json);
  std::string out;
  append_event_json(out, e);
  EXPECT_EQ(out,
            R"({"time":"1970-01-01T00:00:01.000000Z","src_endpoint.ip":"10.0.0.1","src_endpoint.port":53,"answers.rdata":["a","b"],"raw":{"original":{"only":"hidden in raw"}}})");
  // Records that were not JSON keep their parsed original fields, and the raw line as a string.
  Event t(arena);
  t.add(intern_field("cef.ext.cs1"), Value::of_string("x"));
  t.set_raw("CEF:0|a|b|1|2|n|3|cs1=x", RawKind::Text);
  out.clear();
  append_event_json(out, t);
  EXPECT_EQ(out, R"({"cef.ext.cs1":"x","raw":"CEF:0|a|b|1|2|n|3|cs1=x"})");
}

// Archive frames take event lines written in place in a ByteBuffer: the bytes must equal the
// string writer's, line after line, as the buffer grows (its first block is 4 KiB) and across
// a line larger than the string writer's 1 MiB scratch.
TEST(JsonWriter, ByteBufferLinesEqualStringLines) {
  Arena arena;
  ByteBuffer frame;
  std::string expected;
  for (int i = 0; i < 300; ++i) {
    arena.reset();
    Event e(arena);
    e.set_string(field::message, std::string(static_cast<std::size_t>(i * 37), 'm') + "\"q\"\n\x01\xff");
    e.set_int(field::src_endpoint_port, i);
    e.add(field::answers_rdata, Value::of_string("1.1.1.1"));
    e.add(field::answers_rdata, Value::of_string("2.2.2.2"));
    e.add(intern_field("original.name"), Value::of_string(arena.copy("v" + std::to_string(i))));
    if (i == 150) e.set_raw(arena.copy(std::string(3u << 20, 'r')), RawKind::Text);
    else if (i % 2) e.set_raw(arena.copy(R"({"k":1})"), RawKind::Json);
    append_event_json(frame, e);
    frame.push_back('\n');
    append_event_json(expected, e);
    expected.push_back('\n');
    ASSERT_EQ(frame.size(), expected.size()) << "after line " << i;
  }
  EXPECT_TRUE(frame.view() == expected);
  frame.clear();
  EXPECT_TRUE(frame.empty());
  frame.append("abc");
  EXPECT_EQ(frame.view(), "abc");
}

TEST(Schema, MarkdownMatchesDocs) {
  // docs/SCHEMA.md embeds the table generated from the same source the code uses.
  std::string table = schema_markdown();
  FILE* f = std::fopen(KHIEN_SOURCE_DIR "/docs/SCHEMA.md", "rb");
  ASSERT_NE(f, nullptr) << "docs/SCHEMA.md is missing";
  std::string doc;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) doc.append(buf, n);
  std::fclose(f);
  EXPECT_NE(doc.find(table), std::string::npos) << "docs/SCHEMA.md is out of date: regenerate its table with `khien schema --markdown`";
}

}  // namespace khien
