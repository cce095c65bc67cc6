// Tests of the LEEF decoder: 1.0 and 2.0 delimiters, devTimeFormat (its golden baselines are decode_golden_test's).
#include <gtest/gtest.h>

#include <string>

#include "core/field_dictionary.h"
#include "decode/leef_decoder.h"

namespace khien {
namespace {

TimeNs iso(std::string_view s) { return *parse_iso8601(s); }

struct Decoded {
  Arena arena;
  Event event{arena};
  Status status;
};

std::unique_ptr<Decoded> decode_leef(std::string_view record) {
  auto d = std::make_unique<Decoded>();
  d->status = make_leef_decoder()->decode(record, d->event);
  return d;
}

std::string original(const Event& e, std::string_view name) { return std::string(e.get_string(intern_field(name))); }

TEST(LeefDecoder, Leef1Tabs) {
  auto d = decode_leef("LEEF:1.0|Microsoft|MSExchange|4.0 SP1|15345|src=192.0.2.10\tdst=172.50.123.1\tsev=5\tcat=anomaly\tsrcPort=81\tdstPort=21\tusrName=joe black");
  ASSERT_TRUE(d->status) << d->status.error().message;
  const Event& e = d->event;
  EXPECT_EQ(e.get(field::src_endpoint_ip)->ip.to_string(), "192.0.2.10");
  EXPECT_EQ(e.get(field::dst_endpoint_port)->i, 21);
  EXPECT_EQ(e.get_string(field::actor_user_name), "joe black");
  EXPECT_EQ(e.get(field::severity_id)->i, 3);
  EXPECT_EQ(e.get_string(field::severity), "5");
  EXPECT_EQ(e.get(field::class_uid)->i, 0);
  EXPECT_EQ(e.get_string(field::finding_info_uid), "15345");
  EXPECT_EQ(e.get_string(field::metadata_product_name), "MSExchange");
  EXPECT_EQ(original(e, "leef.vendor"), "Microsoft");
  EXPECT_EQ(original(e, "leef.product_version"), "4.0 SP1");
  EXPECT_EQ(original(e, "leef.usrName"), "joe black");
}

TEST(LeefDecoder, Leef2Delimiters) {
  for (const char* record : {"LEEF:2.0|L|S|1.0|41|^|src=10.0.1.8^dst=10.0.0.5^sev=9",
                             "LEEF:2.0|L|S|1.0|41|x5E|src=10.0.1.8^dst=10.0.0.5^sev=9",
                             "LEEF:2.0|L|S|1.0|41|0x5e|src=10.0.1.8^dst=10.0.0.5^sev=9",
                             "LEEF:2.0|L|S|1.0|41|||src=10.0.1.8|dst=10.0.0.5|sev=9",
                             "LEEF:2.0|L|S|1.0|41|src=10.0.1.8\tdst=10.0.0.5\tsev=9"}) {
    auto d = decode_leef(record);
    ASSERT_TRUE(d->status) << record;
    ASSERT_NE(d->event.get(field::dst_endpoint_ip), nullptr) << record;
    EXPECT_EQ(d->event.get(field::dst_endpoint_ip)->ip.to_string(), "10.0.0.5") << record;
    EXPECT_EQ(d->event.get(field::severity_id)->i, 5) << record;
    EXPECT_EQ(d->event.get(field::class_uid)->i, 2004) << record;
  }
}

TEST(LeefDecoder, DevTimeFormat) {
  auto d = decode_leef("LEEF:1.0|V|P|1|E|devTime=22/11/2026 10:15:00 +0700\tdevTimeFormat=dd/MM/yyyy HH:mm:ss Z");
  ASSERT_TRUE(d->status);
  EXPECT_EQ(d->event.get(field::time)->t, iso("2026-11-22T03:15:00Z"));
  auto e = decode_leef("LEEF:1.0|V|P|1|E|devTime=1795860062000");
  EXPECT_EQ(e->event.get(field::time)->t, iso("2026-11-28T10:01:02Z"));
}

TEST(LeefDecoder, SpaceSeparatedLeef1) {
  auto d = decode_leef("LEEF:1.0|Symantec|DLP|15.8|Policy Violation|usrName=alice src=10.9.9.9 msg=two words");
  ASSERT_TRUE(d->status);
  EXPECT_EQ(d->event.get_string(field::actor_user_name), "alice");
  EXPECT_EQ(d->event.get_string(field::message), "two words");
}

TEST(LeefDecoder, Errors) {
  EXPECT_EQ(decode_leef("LEEF:1.0|V|P")->status.error().message,
            "LEEF header: the record ends after 3 of the 5 '|'-separated header fields; 'Version' is missing");
  EXPECT_EQ(decode_leef("LEEF:3.0|V|P|1|E|")->status.error().message,
            "LEEF header field 'LEEF Version': '3.0' is not 1.0 or 2.0");
  EXPECT_EQ(decode_leef("CEF:0|a|b|c|d|e|f|")->status.error().message,
            "LEEF: no 'LEEF:' header at the start of the record or after a space");
}

}  // namespace
}  // namespace khien
