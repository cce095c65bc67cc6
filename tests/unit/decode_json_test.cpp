// Unit tests of the JSON decoding helpers: document splitting, detection, flattening, errors, registry.
#include <map>
#include <string>

#include <fmt/format.h>
#include <simdjson.h>

#include <gtest/gtest.h>

#include "core/arena.h"
#include "core/event.h"
#include "core/field_dictionary.h"
#include "core/json_writer.h"
#include "decode/auto_decoder.h"
#include "decode/decoder.h"
#include "decode/json_documents.h"
#include "decode/json_record.h"
#include "decode/original_values.h"

namespace khien {
namespace {

using Docs = std::vector<std::string_view>;

TEST(SplitJsonDocuments, NdjsonWithBlankLines) {
  EXPECT_EQ(split_json_documents("{\"a\":1}\n\n{\"b\":2}\r\n\n"), (Docs{"{\"a\":1}", "{\"b\":2}"}));
}

TEST(SplitJsonDocuments, PrettyPrintedBackToBack) {
  std::string_view text = "{\n  \"a\": {\"x\": [1, {\"y\": 2}]}\n}{\"b\":\n 2}\n";
  EXPECT_EQ(split_json_documents(text), (Docs{"{\n  \"a\": {\"x\": [1, {\"y\": 2}]}\n}", "{\"b\":\n 2}"}));
}

TEST(SplitJsonDocuments, BracesAndEscapesInsideStrings) {
  std::string_view text = R"({"s":"}{ \" ]["}{"t":"\\"})";
  EXPECT_EQ(split_json_documents(text), (Docs{R"({"s":"}{ \" ]["})", R"({"t":"\\"})"}));
}

TEST(SplitJsonDocuments, StrayTextAndTruncatedTail) {
  EXPECT_EQ(split_json_documents("garbage line\r\n{\"a\":1}\n{\"b\":"), (Docs{"garbage line", "{\"a\":1}", "{\"b\":"}));
  EXPECT_TRUE(split_json_documents(" \n\t ").empty());
  EXPECT_EQ(split_json_documents("[1,2]"), (Docs{"[1,2]"}));
}

TEST(DetectFormat, EachFormat) {
  EXPECT_EQ(detect_format(R"({"class_uid":4001,"time":1})"), "ocsf");
  EXPECT_EQ(detect_format(R"({"timestamp":"2021-03-19T11:50:53+0100","event_type":"alert","src_ip":"1.2.3.4"})"), "eve");
  EXPECT_EQ(detect_format(R"({"timestamp":"x","rule":{"id":"1"},"agent":{"id":"001"},"manager":{"name":"m"}})"), "wazuh");
  EXPECT_EQ(detect_format(R"({"Event":{"System":{"EventID":1}}})"), "winlog");
  EXPECT_EQ(detect_format(R"({"EventID":4624,"Channel":"Security"})"), "winlog");
  EXPECT_EQ(detect_format(R"({"@timestamp":"2023-01-01T00:00:00Z","event":{"category":["process"]}})"), "ecs");
  EXPECT_EQ(detect_format(R"({"@timestamp":"x","rule":{"name":"r"},"agent":{"type":"filebeat"}})"), "ecs");
  EXPECT_EQ(detect_format(R"({"winlog":{"event_id":"1"}})"), "ecs");
  EXPECT_EQ(detect_format(R"({"_path":"conn","ts":1.5})"), "zeek");
  EXPECT_EQ(detect_format(R"({"ts":1.5,"uid":"C1","id.orig_h":"1.2.3.4"})"), "zeek");
  EXPECT_EQ(detect_format(R"({"ts":1.5,"fuid":"F1"})"), "zeek");
  EXPECT_EQ(detect_format("CEF:0|Vendor|Product|1.0|100|name|5|src=10.0.0.1"), "cef");
  EXPECT_EQ(detect_format("<134>Nov 22 10:00:00 fw01 CEF:0|V|P|1|1|n|5|"), "cef");
  EXPECT_EQ(detect_format("LEEF:2.0|Vendor|Product|1.0|id|^|src=10.0.0.1"), "leef");
  EXPECT_EQ(detect_format("<13>1 2023-01-01T00:00:00Z host app - - - LEEF:1.0|V|P|1|id|src=1.2.3.4"), "leef");
  EXPECT_EQ(detect_format("hello world"), "");
  EXPECT_EQ(detect_format("XCEF:0|not a header"), "");
  EXPECT_EQ(detect_format(R"({"unrelated":true})"), "");
  EXPECT_EQ(detect_format(R"({"truncated":)"), "");
}

Result<std::string> decode_with(std::string_view format, std::string_view record) {
  auto decoder = make_decoder(format);
  if (!decoder) return tl::unexpected(decoder.error());
  Arena arena;
  Event event(arena);
  auto status = (*decoder)->decode(record, event);
  if (!status) return tl::unexpected(status.error());
  std::string out;
  append_event_json(out, event);
  return out;
}

TEST(Registry, ListsEveryFormatAndRejectsUnknown) {
  std::vector<std::string_view> names;
  for (const auto& info : registered_decoders()) names.push_back(info.name);
  EXPECT_EQ(names, (std::vector<std::string_view>{"auto", "ocsf", "ecs", "eve", "zeek", "wazuh", "winlog", "cef", "leef", "netflow"}));
  for (const auto& info : registered_decoders()) {
    auto d = make_decoder(info.name);
    ASSERT_TRUE(d) << info.name;
    EXPECT_EQ((*d)->name(), info.name);
  }
  auto bad = make_decoder("syslog-json");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message,
            "unknown format 'syslog-json'; known: auto, ocsf, ecs, eve, zeek, wazuh, winlog, cef, leef, netflow");
}

TEST(JsonErrors, NamesTheByte) {
  auto r = decode_with("eve", R"({"event_type":"alert","src_ip":1.2.3})");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message.rfind("invalid JSON at byte 34: ", 0), 0u) << r.error().message;
  EXPECT_EQ(json_error_offset(R"({"a":1,})"), 7u);
  EXPECT_EQ(json_error_offset(R"({"a":tru})"), 5u);
  EXPECT_EQ(json_error_offset(R"({"a":"x)"), 7u);
  EXPECT_EQ(json_error_offset(R"({"a":1} x)"), 8u);
  EXPECT_EQ(json_error_offset(R"({"a":[1,2,{"b":null}],"c":"\u00e9"})"), std::string_view::npos);
  EXPECT_EQ(json_error_offset(std::string_view("{\"a\":\"\xff\"}")), 6u);
}

// format=auto says why a line is not read: the byte where JSON breaks, or what a tab-separated
// Zeek log needs.
TEST(JsonErrors, AutoDetectionSaysWhy) {
  auto broken = decode_with("auto", R"({"timestamp":"2026-11-22T10:00:00Z","alert":{"signature":"trunc)");
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().message.find("invalid JSON"), std::string::npos) << broken.error().message;
  auto tsv = decode_with("auto", "1732269602.5\tCAbc123\t10.20.0.7\t5555\t9.9.9.9\t80\ttcp");
  ASSERT_FALSE(tsv);
  EXPECT_NE(tsv.error().message.find("LogAscii::use_json=T"), std::string::npos) << tsv.error().message;
  auto header = decode_with("auto", "#separator \\x09");
  ASSERT_FALSE(header);
  EXPECT_NE(header.error().message.find("LogAscii::use_json=T"), std::string::npos) << header.error().message;
}

TEST(JsonErrors, NotAnObjectOrEmpty) {
  auto arr = decode_with("zeek", "[1,2]");
  ASSERT_FALSE(arr);
  EXPECT_EQ(arr.error().message, "record is an array, expected a JSON object");
  auto empty = decode_with("ocsf", "  \n");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().message, "empty record");
  auto text = decode_with("auto", "just some words");
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().message, "unknown format: not JSON and no CEF/LEEF header (use format=...)");
}

TEST(JsonErrors, BadTimeNamesFieldAndValue) {
  auto r = decode_with("wazuh", R"({"timestamp":"31/12/2023","rule":{"level":3}})");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "field 'timestamp': not a valid time: \"31/12/2023\"");
}

TEST(Raw, PrettyPrintedRecordIsKeptOnOneLine) {
  auto r = decode_with("zeek", "{\n  \"_path\": \"weird\",\n  \"ts\": 1.0,\n  \"name\": \"x y\"\n}");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->find('\n'), std::string::npos);
  EXPECT_NE(r->find(R"("raw":{"_path":"weird","ts":1.0,"name":"x y"})"), std::string::npos) << *r;
}

TEST(Flattener, LeavesArraysAndTypes) {
  auto decoder = make_decoder("eve");
  ASSERT_TRUE(decoder);
  Arena arena;
  Event event(arena);
  ASSERT_TRUE((*decoder)->decode(
      R"({"event_type":"x","a":{"b":[1,2],"c":[{"d":"u"},{"d":"v"}],"e":null,"f":1.5,"g":true,"h":18446744073709551615}})",
      event));
  auto values = [&](std::string_view name) {
    // The EVE decoder leaves originals it does not read in the raw record: read them by path.
    std::vector<std::string> out;
    for (const Value& v : original_values(event, name)) {
      std::string s;
      append_json_value(s, v);
      out.push_back(s);
    }
    return out;
  };
  EXPECT_EQ(values("a.b"), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(values("a.c.d"), (std::vector<std::string>{"\"u\"", "\"v\""}));
  EXPECT_TRUE(values("a.e").empty());
  EXPECT_EQ(values("a.f"), (std::vector<std::string>{"1.5"}));
  EXPECT_EQ(values("a.g"), (std::vector<std::string>{"true"}));
  ASSERT_EQ(values("a.h").size(), 1u);
  EXPECT_EQ(original_values(event, "a.f").at(0).type, FieldType::Float);
  EXPECT_EQ(original_values(event, "a.h").at(0).type, FieldType::Float);
}

TEST(Ocsf, PipelineFieldsAreNotTakenFromTheRecord) {
  auto r = decode_with("ocsf", R"({"class_uid":4001,"khien":{"soc":"x","seq":5},"time":1000})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->find("\"khien.soc\""), std::string::npos) << *r;
  EXPECT_NE(r->find(R"("time":"1970-01-01T00:00:01.000000Z")"), std::string::npos) << *r;
}

// No `khien.*` field (delivery and attribution alike) is taken from a record, whether named by a
// dotted key or by nesting, in any JSON format.
TEST(Decoders, NoKhienFieldIsTakenFromARecord) {
  const std::map<std::string, std::string> records = {
      {"ocsf", R"({"class_uid":4001,"time":1000,"src_endpoint":{"ip":"10.0.0.1"})"},
      {"eve", R"({"timestamp":"2026-11-22T10:00:00Z","event_type":"alert","src_ip":"10.0.0.1")"},
      {"ecs", R"({"@timestamp":"2026-11-22T03:00:01.000Z","ecs":{"version":"8.11.0"},"source":{"ip":"10.0.0.1"})"},
  };
  int checked = 0;
  for (const auto& f : schema_fields()) {
    if (!f.name.starts_with("khien.")) continue;
    const std::string dotted = fmt::format(R"("{}":"forged")", f.name);
    const std::string nested = fmt::format(R"("khien":{{"{}":"forged"}})", f.name.substr(6));
    for (const auto& [format, head] : records) {
      for (const std::string& extra : {dotted, nested}) {
        auto r = decode_with(format, head + "," + extra + "}");
        ASSERT_TRUE(r) << format << ": " << r.error().message;
        simdjson::dom::parser parser;
        simdjson::dom::object top;
        ASSERT_EQ(parser.parse(*r).get(top), simdjson::SUCCESS) << *r;
        for (auto kv : top) EXPECT_FALSE(kv.key.starts_with("khien.")) << format << " took " << kv.key << ": " << *r;
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 6 * 15);  // khien.soc … khien.seq, victim_* and remote_*
}

// A record is searched once for line breaks and backslashes, sixteen bytes a step; strings are
// searched for escapes only when the record holds a backslash. An escape, a bad escape or a line
// break at any offset, the last partial step included, must be found.
TEST(Flattener, EscapesAndLineBreaksAreFoundAtAnyOffset) {
  for (std::size_t pad = 0; pad <= 40; ++pad) {
    const std::string filler(pad, 'x');
    const std::string head = R"({"event_type":"http","src_ip":"10.0.0.1","http":{"hostname":"a.vn","http_user_agent":")";
    auto escaped = decode_with("eve", head + filler + R"(\"q\t"}})");
    ASSERT_TRUE(escaped) << pad << ": " << escaped.error().message;
    EXPECT_NE(escaped->find(R"("http_request.user_agent":")" + filler + R"(\"q\t")"), std::string::npos) << *escaped;
    // A bad escape in a field the decoder leaves in the raw record.
    auto bad = decode_with("eve", R"({"event_type":"http","note":")" + filler + R"(\x"})");
    EXPECT_FALSE(bad) << pad << ": " << *bad;
    auto plain = decode_with("eve", head + filler + R"(p"}})");
    ASSERT_TRUE(plain) << pad;
    EXPECT_NE(plain->find(R"("http_request.user_agent":")" + filler + R"(p")"), std::string::npos) << *plain;
    // A line break between tokens: the record is kept on one line.
    for (const char* brk : {"\n", "\r"}) {
      auto broken = decode_with("eve", head + filler + R"(q"})" + brk + "}");
      ASSERT_TRUE(broken) << pad;
      EXPECT_EQ(broken->find_first_of("\r\n"), std::string::npos) << pad << ": " << *broken;
    }
  }
}

// The On-Demand walk expects each record's keys in the order of the one before and compares the
// expected key with the record's raw text: keys one byte shorter or longer than expected, or
// differing in their last byte, around the 16 bytes compared as words, must not pass for it.
TEST(Flattener, ExpectedKeysAreComparedWholeWithTheRecordsKeys) {
  Arena arena;
  // A new decoder learns the key order of `learned` (twice, so that every object's next key is
  // expected, first keys included), then decodes `record`.
  auto decode_after = [&](const std::string& learned, const std::string& record) {
    auto decoder = make_decoder("eve");
    EXPECT_TRUE(decoder);
    std::string out;
    for (const std::string* r : {&learned, &learned, &record}) {
      arena.reset();
      Event event(arena);
      EXPECT_TRUE((*decoder)->decode(*r, event)) << *r;
      out.clear();
      append_event_json(out, event);
    }
    return out;
  };
  // A short key (at the top) and one of 15 bytes (the first under http).
  const std::string learned = R"({"event_type":"http","src_ip":"10.0.0.1","http":{"http_user_agent":"curl","hostname":"a.vn"}})";
  for (const std::string& near : {std::string("src_i"), std::string("src_ipx"), std::string("src_iq"), std::string(R"(src_ip\u0000)")}) {
    const std::string out = decode_after(learned, R"({"event_type":"http",")" + near + R"(":"10.0.0.2","http":{"http_user_agent":"x"}})");
    EXPECT_EQ(out.find("src_endpoint.ip"), std::string::npos) << near << " → " << out;
  }
  for (const std::string& near : {std::string("http_user_agen"), std::string("http_user_agenT"), std::string("http_user_agentx"),
                                  std::string("http_user_agentxy")}) {
    const std::string out = decode_after(learned, R"({"event_type":"http","src_ip":"10.0.0.2","http":{")" + near + R"(":"x"}})");
    EXPECT_EQ(out.find("http_request.user_agent"), std::string::npos) << near << " → " << out;
  }
  const std::string same = decode_after(learned, R"({"event_type":"http","src_ip":"10.0.0.3","http":{"http_user_agent":"wget"}})");
  EXPECT_NE(same.find(R"("src_endpoint.ip":"10.0.0.3")"), std::string::npos) << same;
  EXPECT_NE(same.find(R"("http_request.user_agent":"wget")"), std::string::npos) << same;
  // A key longer than the 16 bytes compared as words.
  const std::string learned_long = R"({"event_type":"alert","alert":{"signature":"s","metadata":{"mitre_technique_id":["T1059"]}}})";
  const std::string long_name = R"("attacks.technique.uid")";
  for (const std::string& near : {std::string("mitre_technique_i"), std::string("mitre_technique_iD"), std::string("mitre_technique_idx")}) {
    const std::string out = decode_after(learned_long, R"({"event_type":"alert","alert":{"signature":"s","metadata":{")" + near + R"(":["T1003"]}}})");
    EXPECT_EQ(out.find(long_name), std::string::npos) << near << " → " << out;
  }
  EXPECT_NE(decode_after(learned_long, learned_long).find(long_name), std::string::npos);
}

// ECS event.kind, event.category and event.type decide the OCSF class and activity: each rule,
// with the deciding value among others in the arrays, and the order in which the rules apply.
TEST(Ecs, CategoryAndTypeDecideTheClass) {
  struct Case {
    const char* kind;
    const char* categories;
    const char* types;
    int class_uid;
    int activity_id;
  };
  const Case cases[] = {
      {"alert", R"(["network"])", R"(["connection"])", 2004, 1},
      {"event", R"(["network","intrusion_detection"])", "[]", 2004, 1},
      {"event", R"(["malware"])", "[]", 2004, 1},
      {"event", R"(["threat","process"])", R"(["start"])", 2004, 1},
      {"event", R"(["host","process"])", R"(["info","start"])", 1007, 1},
      {"event", R"(["process"])", R"(["end"])", 1007, 2},
      {"event", R"(["process"])", R"(["change"])", 1007, 99},
      {"event", R"(["authentication"])", R"(["start"])", 3002, 1},
      {"event", R"(["authentication"])", R"(["end"])", 3002, 2},
      {"event", R"(["file"])", R"(["creation"])", 1001, 1},
      {"event", R"(["file"])", R"(["deletion"])", 1001, 4},
      {"event", R"(["file"])", R"(["change"])", 1001, 3},
      {"event", R"(["file"])", R"(["access"])", 1001, 99},
      {"event", R"(["network"])", R"(["connection"])", 4001, 6},
      {"event", R"(["network","process"])", R"(["start"])", 1007, 1},
      {"event", R"(["web"])", "[]", 0, 0},
      {"event", R"("network")", "[]", 4001, 6},  // a single value rather than an array
      {"alerts", R"(["malwares","Network"])", R"(["end"])", 0, 0},  // near misses decide nothing
  };
  for (const Case& c : cases) {
    const std::string record = std::string(R"({"@timestamp":"2026-11-22T03:00:00Z","event":{"kind":")") + c.kind +
                               R"(","category":)" + c.categories + R"(,"type":)" + c.types + "}}";
    auto r = decode_with("ecs", record);
    ASSERT_TRUE(r) << r.error().message;
    if (c.class_uid == 0) {
      EXPECT_EQ(r->find("\"class_uid\""), std::string::npos) << record << " → " << *r;
      continue;
    }
    EXPECT_NE(r->find("\"class_uid\":" + std::to_string(c.class_uid) + ","), std::string::npos) << record << " → " << *r;
    EXPECT_NE(r->find("\"activity_id\":" + std::to_string(c.activity_id) + ","), std::string::npos) << record << " → " << *r;
  }
}

}  // namespace
}  // namespace khien
