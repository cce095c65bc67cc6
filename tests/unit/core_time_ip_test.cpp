// Time parsing/formatting and IP address/prefix behaviour.
#include <arpa/inet.h>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/ip_address.h"
#include "core/time.h"

namespace khien {

TEST(Time, ParsesRfc3339WithOffsetsAndFractions) {
  EXPECT_EQ(parse_iso8601("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_iso8601("2026-11-22T10:00:00+07:00"), parse_iso8601("2026-11-22T03:00:00Z"));
  EXPECT_EQ(parse_iso8601("2021-03-19T11:50:53.101651+0100"), parse_iso8601("2021-03-19T10:50:53.101651Z"));
  EXPECT_EQ(*parse_iso8601("1970-01-01T00:00:01.5Z"), 1'500'000'000);
  EXPECT_EQ(*parse_iso8601("1970-01-01 00:00:01"), 1'000'000'000);
  EXPECT_EQ(*parse_iso8601("2026-11-22"), *parse_iso8601("2026-11-22T00:00:00Z"));
}

TEST(Time, RejectsMalformedTimes) {
  for (const char* bad : {"", "2026-13-01T00:00:00Z", "2026-11-22T25:00:00Z", "2026-11-22T10:00:00+7", "yesterday",
                          "2026-11-22T10:00:00Zjunk", "2026-11-22T10:00:00."})
    EXPECT_FALSE(parse_iso8601(bad).has_value()) << bad;
}

// Days a month does not have, and times TimeNs cannot hold, are refused rather than rolled over
// into the next month or wrapped around to another century; the edges of the range hold.
TEST(Time, RefusesImpossibleDaysAndTimesOutOfRange) {
  for (const char* bad : {"2026-02-29T00:00:00Z", "2026-02-30T10:00:00Z", "2026-04-31", "2100-02-29", "0001-01-01T00:00:00Z",
                          "1699-12-31T23:59:59Z", "2262-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2261-12-31T23:59:59-01:00"})
    EXPECT_FALSE(parse_iso8601(bad).has_value()) << bad;
  for (const char* good : {"2024-02-29", "2000-02-29", "2026-01-31", "2026-12-31T23:59:60Z"})
    EXPECT_TRUE(parse_iso8601(good).has_value()) << good;
  EXPECT_EQ(*parse_iso8601("1700-01-01T00:00:00Z"), kMinTimeSeconds * 1'000'000'000);
  EXPECT_EQ(*parse_iso8601("2261-12-31T23:59:59.999999999Z"), kEndTimeSeconds * 1'000'000'000 - 1);
  EXPECT_EQ(days_from_civil(2262, 1, 1) * 86400, kEndTimeSeconds);
  EXPECT_EQ(days_from_civil(1700, 1, 1) * 86400, kMinTimeSeconds);
  // Epoch forms: seconds of up to 13 digits, milliseconds (13), microseconds (16).
  for (const char* bad : {"9999999999999", "9999999999999.5", "-9999999999", "9214646400", "9999999999999999"})
    EXPECT_FALSE(parse_time_any(bad).has_value()) << bad;
  EXPECT_EQ(*parse_time_any("9214646399"), 9214646399LL * 1'000'000'000);
  EXPECT_EQ(*parse_time_any("-8520336000"), -8520336000LL * 1'000'000'000);
}

TEST(Time, UtcOffsetsRoundTrip) {
  for (const char* text : {"+07:00", "-03:30", "+00:00", "+14:00", "-12:00", "+05:45"})
    EXPECT_EQ(format_utc_offset(*parse_utc_offset(text)), text);
  EXPECT_EQ(parse_utc_offset("Z"), 0);
  EXPECT_EQ(parse_utc_offset("+07:00"), 25200);
  for (const char* bad : {"", "+7", "07:00", "+07", "+0700", "+14:01", "+07:60", "UTC+7"})
    EXPECT_FALSE(parse_utc_offset(bad).has_value()) << bad;
}

TEST(Time, ParsesEpochForms) {
  EXPECT_EQ(*parse_time_any("1732262400"), 1732262400LL * 1'000'000'000);
  EXPECT_EQ(*parse_time_any("1732262400.25"), 1732262400LL * 1'000'000'000 + 250'000'000);
  EXPECT_EQ(*parse_time_any("1732262400123"), 1732262400123LL * 1'000'000);
  EXPECT_EQ(*parse_time_any("1732262400123456"), 1732262400123456LL * 1'000);
  EXPECT_FALSE(parse_time_any("12ab").has_value());
}

TEST(Time, FormatsAndRoundTrips) {
  TimeNs t = *parse_iso8601("2026-11-22T03:04:05.123456789Z");
  EXPECT_EQ(format_rfc3339(t, 9), "2026-11-22T03:04:05.123456789Z");
  EXPECT_EQ(format_rfc3339(t, 3), "2026-11-22T03:04:05.123Z");
  EXPECT_EQ(format_rfc3339(t, 0), "2026-11-22T03:04:05Z");
  EXPECT_EQ(hour_bucket(t), "2026112203");
  EXPECT_EQ(format_rfc3339(-1'000'000'000, 0), "1969-12-31T23:59:59Z");
}

// Formatting keeps the text of recent seconds: times that alternate between seconds sharing a
// slot, that step back, and that cross days, years and the epoch must each read as the C library
// (gmtime_r) reads them, at every precision.
TEST(Time, FormatsRecentSecondsAsTheCalendarDoes) {
  std::mt19937_64 rng(7);
  const TimeNs base = *parse_iso8601("2026-12-31T23:59:58Z");
  std::vector<TimeNs> times;
  for (int i = 0; i < 2000; ++i) {
    const auto pick = rng() % 4;
    TimeNs t = pick == 0   ? base + static_cast<TimeNs>(rng() % 8'000'000'000ULL)          // around new year
               : pick == 1 ? static_cast<TimeNs>(rng() % 4'102'444'800ULL) * 1'000'000'000 + static_cast<TimeNs>(rng() % 1'000'000'000)
               : pick == 2 ? -static_cast<TimeNs>(rng() % 100'000'000'000ULL)             // before 1970
                           : base + static_cast<TimeNs>(rng() % 4) * 4'000'000'000;       // same slot, other second
    times.push_back(t);
  }
  for (TimeNs t : times) {
    const std::int64_t secs = t >= 0 ? t / 1'000'000'000 : (t - 999'999'999) / 1'000'000'000;
    const auto frac = static_cast<std::uint64_t>(t - secs * 1'000'000'000);
    std::tm tm{};
    const auto tt = static_cast<std::time_t>(secs);
    ASSERT_TRUE(gmtime_r(&tt, &tm));
    char expected[64];
    std::strftime(expected, sizeof expected, "%Y-%m-%dT%H:%M:%S", &tm);
    for (int digits : {0, 3, 6, 9}) {
      std::string want = expected;
      if (digits > 0) {
        char f[16];
        std::snprintf(f, sizeof f, ".%09llu", static_cast<unsigned long long>(frac));
        want += std::string(f, static_cast<std::size_t>(digits) + 1);
      }
      want += 'Z';
      ASSERT_EQ(format_rfc3339(t, digits), want) << t;
    }
  }
}

TEST(IpAddress, ParsesAndFormatsBothFamilies) {
  auto v4 = IpAddress::parse("203.113.7.9");
  ASSERT_TRUE(v4);
  EXPECT_TRUE(v4->v4);
  EXPECT_EQ(v4->to_string(), "203.113.7.9");
  auto v6 = IpAddress::parse("2001:DB8:0:0::1");
  ASSERT_TRUE(v6);
  EXPECT_FALSE(v6->v4);
  EXPECT_EQ(v6->to_string(), "2001:db8::1");
  EXPECT_TRUE(IpAddress::parse("fe80::1%eth0"));
  for (const char* bad : {"", "1.2.3", "1.2.3.256", "::g", "host.example", "1.2.3.4 "})
    EXPECT_FALSE(IpAddress::parse(bad)) << bad;
}

TEST(IpAddress, FormatsEveryOctetAsInetNtopDoes) {
  std::mt19937 rng(11);
  for (int i = 0; i < 5000; ++i) {
    std::uint8_t b[4];
    for (auto& x : b) x = static_cast<std::uint8_t>(i < 256 ? i : static_cast<int>(rng() & 255));  // every octet, then at random
    if (i < 256) b[(i / 7) % 4] = static_cast<std::uint8_t>(rng() & 255);
    char want[INET_ADDRSTRLEN];
    ASSERT_TRUE(inet_ntop(AF_INET, b, want, sizeof want));
    auto ip = IpAddress::parse(want);
    ASSERT_TRUE(ip);
    char out[64];
    std::memset(out, 'x', sizeof out);
    const std::size_t n = ip->format(out);
    ASSERT_EQ(std::string_view(out, n), want);
    ASSERT_EQ(out[n], '\0');
  }
}

TEST(IpAddress, DottedQuadsParseAsInetPtonDoes) {
  // The plain dotted quad is parsed without inet_pton: it must accept exactly what inet_pton does.
  const char* texts[] = {"0.0.0.0", "255.255.255.255", "10.0.0.1", "1.2.3.4", "256.1.1.1", "1.2.3.256", "01.2.3.4",
                         "1.2.3.04", "00.0.0.0", "1.2.3", "1.2.3.4.5", "1..3.4", ".1.2.3", "1.2.3.", "1.2.3.4 ",
                         " 1.2.3.4", "1.2.3.4x", "1234.1.1.1", "1.2.3.-4", "1.2.3.+4", "999.1.1.1", "1.2.3.4/8",
                         "a.b.c.d", "1.2.3.0", "100.200.250.199"};
  for (const char* text : texts) {
    in_addr expected{};
    const bool ok = inet_pton(AF_INET, text, &expected) == 1;
    const auto ip = IpAddress::parse(text);
    ASSERT_EQ(ip.has_value(), ok) << text;
    if (!ok) continue;
    EXPECT_TRUE(ip->v4) << text;
    EXPECT_EQ(std::memcmp(ip->bytes.data() + 12, &expected, 4), 0) << text;
    EXPECT_EQ(ip->bytes[10], 0xff);
    EXPECT_EQ(ip->bytes[11], 0xff);
    for (int i = 0; i < 10; ++i) EXPECT_EQ(ip->bytes[i], 0) << text;
  }
}

TEST(IpPrefix, ContainsAndNormalises) {
  auto p = IpPrefix::parse("10.1.2.3/8");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->to_string(), "10.0.0.0/8");
  EXPECT_TRUE(p->contains(*IpAddress::parse("10.255.0.1")));
  EXPECT_FALSE(p->contains(*IpAddress::parse("11.0.0.1")));
  EXPECT_FALSE(p->contains(*IpAddress::parse("::ffff:0a00:1")) && false);
  auto p6 = IpPrefix::parse("2001:db8::/33");
  ASSERT_TRUE(p6);
  EXPECT_TRUE(p6->contains(*IpAddress::parse("2001:db8:7fff::1")));
  EXPECT_FALSE(p6->contains(*IpAddress::parse("2001:db8:8000::1")));
  EXPECT_FALSE(p6->contains(*IpAddress::parse("10.0.0.1")));
  EXPECT_TRUE(IpPrefix::parse("0.0.0.0/0")->contains(*IpAddress::parse("8.8.8.8")));
  for (const char* bad : {"10.0.0.0/33", "10.0.0.0/", "10.0.0.0/x", "::/129", "nope/8"})
    EXPECT_FALSE(IpPrefix::parse(bad)) << bad;
}

}  // namespace khien
