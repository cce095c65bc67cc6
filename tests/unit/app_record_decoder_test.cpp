// The pipeline's record decoder: syslog messages whose payload does not decode are kept.
#include <gtest/gtest.h>

#include <string>

#include "app/pipeline.h"
#include "core/arena.h"
#include "core/event.h"
#include "core/field_dictionary.h"
#include "core/json_writer.h"
#include "core/time.h"

namespace khien {

namespace {

SpoolRecord syslog_record(const std::string& line) {
  SpoolRecord r;
  r.seq = 1;
  r.received = *parse_iso8601("2026-11-25T05:00:00Z");
  r.format = kSyslogFormat;
  r.source = SourceKind::SyslogTcp;
  r.payload = line;
  return r;
}

}  // namespace

// A syslog sender cannot be told about a bad payload: a truncated JSON, a CEF or LEEF header cut
// short, or JSON with a bad time becomes a base event that keeps the message, its syslog header
// (time, host, app) and the reason, under the syslog format rather than the previous record's.
TEST(RecordDecoder, SyslogPayloadsThatDoNotDecodeStayBaseEventsWithTheirHeader) {
  RecordDecoder decoder;
  Arena arena;
  // A good JSON payload first, so that a stale format would show.
  const std::string good = R"(<134>1 2026-11-25T04:00:00Z fw01 suricata - - - {"timestamp":"2026-11-25T04:00:00Z","event_type":"alert","src_ip":"10.0.0.1"})";
  {
    Event event(arena);
    const SpoolRecord record = syslog_record(good);
    ASSERT_TRUE(decoder.decode(record, event));
    EXPECT_EQ(decoder.last_format(), "eve");
  }
  const std::string header = "<134>1 2026-11-25T04:30:00Z fw01 app - - - ";
  for (const std::string& payload : {std::string(R"({"timestamp":"2026-11-25T04:00:00Z","alert":{"signature":"trunc)"),
                                    std::string("CEF:0|Broken|Header"), std::string("LEEF:1.0|Bad"),
                                    std::string(R"({"timestamp":"yesterday","event_type":"alert"})")}) {
    Event event(arena);
    const std::string line = header + payload;
    const SpoolRecord record = syslog_record(line);
    auto st = decoder.decode(record, event);
    ASSERT_TRUE(st) << payload << ": " << st.error().message;
    EXPECT_EQ(decoder.last_format(), "syslog") << payload;
    EXPECT_EQ(event.get_string(field::message), payload);
    EXPECT_EQ(event.get_string(field::class_name), "Base Event");
    EXPECT_EQ(event.get_string(field::syslog_hostname), "fw01");
    EXPECT_EQ(event.get_string(field::syslog_appname), "app");
    ASSERT_NE(event.get(field::time), nullptr);
    EXPECT_EQ(event.get(field::time)->t, *parse_iso8601("2026-11-25T04:30:00Z")) << "the header's time, not the receive time";
    EXPECT_FALSE(event.get_string(intern_field("khien.decode_error")).empty()) << payload;
    EXPECT_EQ(event.raw(), line);
  }
}

// A CEF line sent over HTTP with the syslog header it was logged with keeps the header's host,
// app and time (the record's own rt wins over the header's time).
TEST(RecordDecoder, CefOverHttpKeepsItsSyslogHeader) {
  RecordDecoder decoder(7 * 3600);
  Arena arena;
  const std::string line = "<134>Nov 25 10:31:00 fw01 CEF:0|Fortinet|FortiGate|7.2|13|Port scan|7|src=198.51.100.7 dst=14.160.32.4";
  SpoolRecord record;
  record.seq = 1;
  record.received = *parse_iso8601("2026-11-25T05:00:00Z");
  record.format = static_cast<std::uint8_t>(format_code("cef"));
  record.source = SourceKind::Http;
  record.payload = line;
  Event event(arena);
  ASSERT_TRUE(decoder.decode(record, event));
  EXPECT_EQ(decoder.last_format(), "cef");
  EXPECT_EQ(event.get_string(field::syslog_hostname), "fw01");
  EXPECT_EQ(event.get_string(field::device_hostname), "fw01");
  ASSERT_NE(event.get(field::time), nullptr);
  EXPECT_EQ(event.get(field::time)->t, *parse_iso8601("2026-11-25T03:31:00Z")) << "10:31 at +07:00";
  EXPECT_EQ(event.get_string(field::finding_info_title), "Port scan");

  const std::string with_rt = line + " rt=1764041400000";  // 2025-11-25T03:30:00Z
  record.payload = with_rt;
  Event timed(arena);
  ASSERT_TRUE(decoder.decode(record, timed));
  EXPECT_EQ(timed.get(field::time)->t, 1764041400000LL * 1'000'000) << "the record's own time wins";
}

// A SOC that gives its own offset for RFC 3164 clocks overrides the server's.
TEST(RecordDecoder, ASocsOwnSyslogLocalTimeWins) {
  RecordDecoder decoder(0);
  Arena arena;
  const std::string line = "<34>Nov 25 10:31:00 fw01 su: hello";
  const SpoolRecord record = syslog_record(line);
  SocInfo vietnam;
  vietnam.syslog_local_offset_seconds = 7 * 3600;
  Event local(arena);
  ASSERT_TRUE(decoder.decode(record, local, &vietnam));
  EXPECT_EQ(local.get(field::time)->t, *parse_iso8601("2026-11-25T03:31:00Z"));
  SocInfo utc;
  Event server_default(arena);
  ASSERT_TRUE(decoder.decode(record, server_default, &utc));
  EXPECT_EQ(server_default.get(field::time)->t, *parse_iso8601("2026-11-25T10:31:00Z"));
}

}  // namespace khien

