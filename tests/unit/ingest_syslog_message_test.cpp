// Tests of syslog message parsing: RFC 5424 (with the RFC's own examples), RFC 3164 and the variants real senders use.
#include <gtest/gtest.h>

#include <string>

#include "ingest/syslog_message.h"

namespace khien {
namespace {

// 2026-11-22T12:00:00Z: the "now" of these tests.
const TimeNs kReceived = *parse_iso8601("2026-11-22T12:00:00Z");

TimeNs iso(std::string_view s) { return *parse_iso8601(s); }

SyslogMessage parse_ok(std::string_view line, TimeNs received = kReceived) {
  auto r = parse_syslog(line, received);
  EXPECT_TRUE(r.has_value()) << line << " -> " << (r ? "" : r.error().message);
  if (!r) return SyslogMessage{};
  return std::move(*r);
}

std::string parse_error(std::string_view line) {
  auto r = parse_syslog(line, kReceived);
  EXPECT_FALSE(r.has_value()) << line;
  return r ? std::string() : r.error().message;
}

// ---- RFC 5424 ----

TEST(SyslogRfc5424, Example1NoStructuredData) {
  // RFC 5424 §6.5 example 1 (with the BOM before MSG).
  auto m = parse_ok("<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \xEF\xBB\xBF'su root' failed for lonvick on /dev/pts/8");
  EXPECT_EQ(m.format, SyslogFormat::Rfc5424);
  EXPECT_TRUE(m.has_pri);
  EXPECT_EQ(m.facility, 4);
  EXPECT_EQ(m.severity, 2);
  EXPECT_EQ(*m.timestamp, iso("2003-10-11T22:14:15.003Z"));
  EXPECT_EQ(m.hostname, "mymachine.example.com");
  EXPECT_EQ(m.app_name, "su");
  EXPECT_EQ(m.procid, "");
  EXPECT_EQ(m.msgid, "ID47");
  EXPECT_TRUE(m.structured_data.empty());
  EXPECT_EQ(m.msg, "'su root' failed for lonvick on /dev/pts/8");
}

TEST(SyslogRfc5424, Example2OffsetAndNoBom) {
  auto m = parse_ok("<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.");
  EXPECT_EQ(m.facility, 20);
  EXPECT_EQ(m.severity, 5);
  EXPECT_EQ(*m.timestamp, iso("2003-08-24T12:14:15.000003Z"));
  EXPECT_EQ(m.hostname, "192.0.2.1");
  EXPECT_EQ(m.app_name, "myproc");
  EXPECT_EQ(m.procid, "8710");
  EXPECT_EQ(m.msgid, "");
  EXPECT_EQ(m.msg, "%% It's time to make the do-nuts.");
}

TEST(SyslogRfc5424, Example3StructuredDataAndMsg) {
  auto m = parse_ok(
      "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
      "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"] \xEF\xBB\xBF"
      "An application event log entry...");
  ASSERT_EQ(m.structured_data.size(), 1u);
  EXPECT_EQ(m.structured_data[0].id, "exampleSDID@32473");
  ASSERT_EQ(m.structured_data[0].params.size(), 3u);
  EXPECT_EQ(m.structured_data[0].params[1].name, "eventSource");
  EXPECT_EQ(m.structured_data[0].params[1].value, "Application");
  EXPECT_EQ(m.msg, "An application event log entry...");
}

TEST(SyslogRfc5424, Example4TwoElementsNoMsg) {
  auto m = parse_ok(
      "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
      "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"][examplePriority@32473 class=\"high\"]");
  ASSERT_EQ(m.structured_data.size(), 2u);
  EXPECT_EQ(m.structured_data[1].id, "examplePriority@32473");
  ASSERT_NE(m.find_param("examplePriority@32473", "class"), nullptr);
  EXPECT_EQ(m.find_param("examplePriority@32473", "class")->value, "high");
  EXPECT_EQ(m.find_param("examplePriority@32473", "nope"), nullptr);
  EXPECT_EQ(m.msg, "");
}

TEST(SyslogRfc5424, LoggerOutputWithTimeQuality) {
  auto m = parse_ok(
      "<13>1 2026-11-22T10:00:00.123456+07:00 host user - - [timeQuality tzKnown=\"1\" isSynced=\"1\" "
      "syncAccuracy=\"429000\"] hello from logger");
  EXPECT_EQ(m.facility, 1);
  EXPECT_EQ(m.severity, 5);
  EXPECT_EQ(*m.timestamp, iso("2026-11-22T03:00:00.123456Z"));
  EXPECT_EQ(m.hostname, "host");
  EXPECT_EQ(m.app_name, "user");
  EXPECT_EQ(m.procid, "");
  ASSERT_EQ(m.structured_data.size(), 1u);
  EXPECT_EQ(m.structured_data[0].id, "timeQuality");
  EXPECT_EQ(m.find_param("timeQuality", "syncAccuracy")->value, "429000");
  EXPECT_EQ(m.msg, "hello from logger");
}

TEST(SyslogRfc5424, RsyslogProtocol23Format) {
  // RSYSLOG_SyslogProtocol23Format, what rsyslog forwards with `template=...Protocol23`.
  auto m = parse_ok("<86>1 2026-11-22T09:15:01.482913+07:00 web01 sshd 2231 - - Accepted publickey for deploy from 10.1.2.3 port 50122 ssh2\n");
  EXPECT_EQ(m.app_name, "sshd");
  EXPECT_EQ(m.procid, "2231");
  EXPECT_EQ(m.facility, 10);
  EXPECT_EQ(m.severity, 6);
  EXPECT_EQ(m.msg, "Accepted publickey for deploy from 10.1.2.3 port 50122 ssh2");
}

TEST(SyslogRfc5424, EscapedParamValues) {
  std::string line =
      "<14>1 2026-11-22T10:00:00Z h a p m [x@1 q=\"say \\\"hi\\\"\" b=\"back\\\\slash\" c=\"close\\]\" d=\"keep\\n\"] m";
  auto r = parse_syslog(line, kReceived);
  ASSERT_TRUE(r) << r.error().message;
  SyslogMessage m = std::move(*r);  // moving keeps the unescaped views valid
  line.assign(line.size(), 'Z');    // unescaped values do not point into the line
  ASSERT_EQ(m.structured_data[0].params.size(), 4u);
  EXPECT_EQ(m.structured_data[0].params[0].value, "say \"hi\"");
  EXPECT_EQ(m.structured_data[0].params[1].value, "back\\slash");
  EXPECT_EQ(m.structured_data[0].params[2].value, "close]");
}

TEST(SyslogRfc5424, UnescapedValueBorrowsTheLine) {
  auto m = parse_ok("<14>1 - - - - - [a b=\"\"][c] x");
  EXPECT_FALSE(m.timestamp.has_value());
  EXPECT_EQ(m.hostname, "");
  EXPECT_EQ(m.structured_data.size(), 2u);
  EXPECT_EQ(m.structured_data[0].params[0].value, "");
  EXPECT_TRUE(m.structured_data[1].params.empty());
  EXPECT_EQ(m.msg, "x");
  EXPECT_EQ(m.unescaped, nullptr);
}

TEST(SyslogRfc5424, PriZeroAndMax) {
  auto a = parse_ok("<0>1 - - - - - -");
  EXPECT_EQ(a.facility, 0);
  EXPECT_EQ(a.severity, 0);
  auto b = parse_ok("<191>1 - - - - - -");
  EXPECT_EQ(b.facility, 23);
  EXPECT_EQ(b.severity, 7);
}

TEST(SyslogRfc5424, Errors) {
  EXPECT_EQ(parse_error("<13>1"), "RFC 5424: byte 5: expected SP after VERSION");
  EXPECT_EQ(parse_error("<13>1x 2026"), "RFC 5424: byte 5: expected SP after VERSION");
  EXPECT_EQ(parse_error("<13>2 2026-11-22T10:00:00Z h a p m - x"), "RFC 5424: byte 4: unsupported VERSION 2 (only 1 is defined)");
  EXPECT_EQ(parse_error("<13>1 2026-13-22T10:00:00Z h a p m - x"),
            "RFC 5424: byte 6: TIMESTAMP '2026-13-22T10:00:00Z' is not an RFC 3339 time");
  EXPECT_EQ(parse_error("<13>1 yesterday h a p m - x"), "RFC 5424: byte 6: TIMESTAMP 'yesterday' is not an RFC 3339 time");
  EXPECT_EQ(parse_error("<13>1 - host app"), "RFC 5424: byte 16: expected SP after APP-NAME");
  EXPECT_EQ(parse_error("<13>1 - h a p m x"), "RFC 5424: byte 16: expected STRUCTURED-DATA ('-' or '[')");
  EXPECT_EQ(parse_error("<13>1 - h a p m [id a=\"1\""),
            "RFC 5424: byte 25: structured-data element opened at byte 16 is not closed by ']'");
  EXPECT_EQ(parse_error("<13>1 - h a p m [id a=\"1"), "RFC 5424: byte 22: PARAM-VALUE of 'a' is not closed by '\"'");
  EXPECT_EQ(parse_error("<13>1 - h a p m [id a=1]"), "RFC 5424: byte 22: expected '\"' to open PARAM-VALUE");
  EXPECT_EQ(parse_error("<13>1 - h a p m [id a]"), "RFC 5424: byte 21: expected '=' after PARAM-NAME");
  EXPECT_EQ(parse_error("<13>1 - h a p m []"), "RFC 5424: byte 17: expected SD-ID after '['");
  EXPECT_EQ(parse_error("<13>1 - h a p m [id]x"), "RFC 5424: byte 20: expected SP before MSG");
}

TEST(SyslogPri, Errors) {
  EXPECT_EQ(parse_error("<13 hello"), "syslog: byte 3: PRI not closed by '>'");
  EXPECT_EQ(parse_error("<13"), "syslog: byte 3: PRI not closed by '>'");
  EXPECT_EQ(parse_error("<>1 - - - - - -"), "syslog: byte 1: expected PRI digits after '<'");
  EXPECT_EQ(parse_error("<192>1 - - - - - -"), "syslog: byte 1: PRI 192 out of range 0..191");
  EXPECT_EQ(parse_error("<1234>1 - - - - - -"), "syslog: byte 4: PRI has more than 3 digits");
}

// ---- RFC 3164 ----

TEST(SyslogRfc3164, Classic) {
  auto m = parse_ok("<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8");
  EXPECT_EQ(m.format, SyslogFormat::Rfc3164);
  EXPECT_EQ(m.facility, 4);
  EXPECT_EQ(m.severity, 2);
  EXPECT_EQ(*m.timestamp, iso("2026-10-11T22:14:15Z"));
  EXPECT_EQ(m.hostname, "mymachine");
  EXPECT_EQ(m.app_name, "su");
  EXPECT_EQ(m.procid, "");
  EXPECT_EQ(m.msg, "'su root' failed for lonvick on /dev/pts/8");
}

// RFC 3164 times carry no zone: with the configured offset (+07:00 for senders that log
// Vietnamese local time) they are read as local time; RFC 5424 times keep their own zone.
TEST(SyslogRfc3164, LocalTimeIsReadWithTheConfiguredOffset) {
  constexpr std::int64_t kVietnam = 7 * 3600;
  auto local = parse_syslog("<34>Oct 11 22:14:15 mymachine su: hello", kReceived, kVietnam);
  ASSERT_TRUE(local) << local.error().message;
  EXPECT_EQ(*local->timestamp, iso("2026-10-11T15:14:15Z"));
  auto west = parse_syslog("<34>Oct 11 22:14:15 mymachine su: hello", kReceived, -(3 * 3600 + 1800));
  ASSERT_TRUE(west);
  EXPECT_EQ(*west->timestamp, iso("2026-10-12T01:44:15Z"));
  auto rfc5424 = parse_syslog("<34>1 2026-10-11T22:14:15+07:00 host app - - - hi", kReceived, kVietnam);
  ASSERT_TRUE(rfc5424);
  EXPECT_EQ(*rfc5424->timestamp, iso("2026-10-11T15:14:15Z")) << "a time with its own zone is not shifted again";
}

TEST(SyslogRfc3164, TagWithPidAndPaddedDay) {
  auto m = parse_ok("<38>Feb  5 17:32:18 10.0.0.99 sshd[4721]: Failed password for root from 203.0.113.9 port 4422 ssh2");
  EXPECT_EQ(*m.timestamp, iso("2026-02-05T17:32:18Z"));
  EXPECT_EQ(m.hostname, "10.0.0.99");
  EXPECT_EQ(m.app_name, "sshd");
  EXPECT_EQ(m.procid, "4721");
  EXPECT_EQ(m.msg, "Failed password for root from 203.0.113.9 port 4422 ssh2");
}

TEST(SyslogRfc3164, YearInferredFromReceived) {
  // Received on 2027-01-01T00:00:30Z: "Dec 31 23:59:50" is last year's.
  TimeNs jan1 = iso("2027-01-01T00:00:30Z");
  auto m = parse_ok("<13>Dec 31 23:59:50 h app: x", jan1);
  EXPECT_EQ(*m.timestamp, iso("2026-12-31T23:59:50Z"));
  // Less than a day ahead (clock skew, time zones) stays in this year.
  auto n = parse_ok("<13>Nov 23 08:00:00 h app: x");
  EXPECT_EQ(*n.timestamp, iso("2026-11-23T08:00:00Z"));
  // More than a day ahead is last year.
  auto o = parse_ok("<13>Nov 24 08:00:00 h app: x");
  EXPECT_EQ(*o.timestamp, iso("2025-11-24T08:00:00Z"));
}

TEST(SyslogRfc3164, MissingPri) {
  auto m = parse_ok("Nov 22 11:00:00 fw01 kernel: DROP IN=eth0");
  EXPECT_FALSE(m.has_pri);
  EXPECT_EQ(m.facility, 1);
  EXPECT_EQ(m.severity, 5);
  EXPECT_EQ(m.hostname, "fw01");
  EXPECT_EQ(m.app_name, "kernel");
  EXPECT_EQ(m.msg, "DROP IN=eth0");
}

TEST(SyslogRfc3164, MissingHostname) {
  auto m = parse_ok("<13>Nov 22 11:00:00 sshd[12]: session opened");
  EXPECT_EQ(m.hostname, "");
  EXPECT_EQ(m.app_name, "sshd");
  EXPECT_EQ(m.procid, "12");
  EXPECT_EQ(m.msg, "session opened");
  auto n = parse_ok("<13>Nov 22 11:00:00 su: session opened");
  EXPECT_EQ(n.hostname, "");
  EXPECT_EQ(n.app_name, "su");
}

TEST(SyslogRfc3164, NoTag) {
  auto m = parse_ok("<13>Nov 22 11:00:00 router1 link state changed to up");
  EXPECT_EQ(m.hostname, "router1");
  EXPECT_EQ(m.app_name, "");
  EXPECT_EQ(m.msg, "link state changed to up");
  // "http:" followed by "//" is not a tag.
  auto n = parse_ok("<13>Nov 22 11:00:00 proxy http://example.com/ fetched");
  EXPECT_EQ(n.app_name, "");
  EXPECT_EQ(n.msg, "http://example.com/ fetched");
}

TEST(SyslogRfc3164, NoTimestamp) {
  auto m = parse_ok("<13>sshd[7]: hello");
  EXPECT_FALSE(m.timestamp.has_value());
  EXPECT_EQ(m.app_name, "sshd");
  EXPECT_EQ(m.msg, "hello");
  auto n = parse_ok("<13>just words");
  EXPECT_EQ(n.msg, "just words");
  auto o = parse_ok("<13>10.0.0.1 something");
  EXPECT_EQ(o.msg, "10.0.0.1 something");
}

TEST(SyslogRfc3164, RsyslogRfc3339Template) {
  // RSYSLOG_ForwardFormat: <PRI>TIMESTAMP(RFC 3339) HOSTNAME TAG MSG.
  auto m = parse_ok("<30>2026-11-22T10:00:00.123456+07:00 db02 postgres[991]: connection received: host=10.9.8.7");
  EXPECT_EQ(m.format, SyslogFormat::Rfc3164);
  EXPECT_EQ(*m.timestamp, iso("2026-11-22T03:00:00.123456Z"));
  EXPECT_EQ(m.hostname, "db02");
  EXPECT_EQ(m.app_name, "postgres");
  EXPECT_EQ(m.procid, "991");
  EXPECT_EQ(m.msg, "connection received: host=10.9.8.7");
}

TEST(SyslogRfc3164, BadIsoTimestamp) {
  EXPECT_EQ(parse_error("<13>2026-11-99T10:00:00Z db02 x: y"), "RFC 3164: byte 4: timestamp '2026-11-99T10:00:00Z' is not an RFC 3339 time");
}

TEST(SyslogRfc3164, CiscoSequenceAndStar) {
  auto m = parse_ok("<189>52: *Nov 22 08:46:11.123: %SYS-5-CONFIG_I: Configured from console by vty0 (10.0.0.5)");
  EXPECT_EQ(m.facility, 23);
  EXPECT_EQ(m.severity, 5);
  EXPECT_EQ(*m.timestamp, iso("2026-11-22T08:46:11.123Z"));
  EXPECT_EQ(m.hostname, "");
  EXPECT_EQ(m.app_name, "%SYS-5-CONFIG_I");
  EXPECT_EQ(m.msg, "Configured from console by vty0 (10.0.0.5)");
}

TEST(SyslogRfc3164, CiscoWithHostAndZone) {
  auto m = parse_ok("<187>1043: core-sw1: Nov 22 09:01:02.500 UTC: %LINK-3-UPDOWN: Interface Gi1/0/1, changed state to down");
  EXPECT_EQ(m.hostname, "core-sw1");
  EXPECT_EQ(*m.timestamp, iso("2026-11-22T09:01:02.5Z"));
  EXPECT_EQ(m.app_name, "%LINK-3-UPDOWN");
  EXPECT_EQ(m.msg, "Interface Gi1/0/1, changed state to down");
}

TEST(SyslogRfc3164, YearInTimestamp) {
  auto m = parse_ok("<13>Nov 22 2025 10:00:00 h app: x");
  EXPECT_EQ(*m.timestamp, iso("2025-11-22T10:00:00Z"));
}

// ---- payload fast path ----

TEST(SyslogPayload, ReturnsMsg) {
  EXPECT_EQ(syslog_payload("<134>1 2026-11-22T10:00:00Z fw - - - [a b=\"c\"] CEF:0|a|b|c|d|e|5|src=1.2.3.4\n"),
            "CEF:0|a|b|c|d|e|5|src=1.2.3.4");
  EXPECT_EQ(syslog_payload("<134>Nov 22 10:00:00 fw01 CEF:0|a|b|c|d|e|5|x=y"), "CEF:0|a|b|c|d|e|5|x=y");
  EXPECT_EQ(syslog_payload("<13>Nov 22 10:00:00 h app: {\"a\":1}"), "{\"a\":1}");
  EXPECT_EQ(syslog_payload("LEEF:1.0|a|b|c|d|src=1"), "LEEF:1.0|a|b|c|d|src=1");
  // Not syslog: the line itself.
  EXPECT_EQ(syslog_payload("<999>x"), "<999>x");
}

TEST(SyslogPayload, AgreesWithParse) {
  const char* lines[] = {
      "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \xEF\xBB\xBFmsg",
      "<165>1 2003-10-11T22:14:15.003Z h evntslog - ID47 [exampleSDID@32473 iut=\"3\\]\"] body",
      "<38>Feb  5 17:32:18 10.0.0.99 sshd[4721]: Failed",
      "<189>52: *Nov 22 08:46:11.123: %SYS-5-CONFIG_I: Configured",
      "plain text",
  };
  for (const char* line : lines) {
    auto m = parse_ok(line);
    EXPECT_EQ(syslog_payload(line), m.msg) << line;
  }
}

}  // namespace
}  // namespace khien
