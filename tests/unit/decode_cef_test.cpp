// Tests of the CEF decoder and its shared helpers (its golden baselines are decode_golden_test's).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/field_dictionary.h"
#include "decode/cef_decoder.h"
#include "decode/key_value.h"

namespace khien {
namespace {

TimeNs iso(std::string_view s) { return *parse_iso8601(s); }

struct Decoded {
  Arena arena;
  Event event{arena};
  Status status;
};

std::unique_ptr<Decoded> decode_cef(std::string_view record) {
  auto d = std::make_unique<Decoded>();
  auto decoder = make_cef_decoder();
  d->status = decoder->decode(record, d->event);
  return d;
}

std::string original(const Event& e, std::string_view name) { return std::string(e.get_string(intern_field(name))); }

TEST(CefDecoder, SpecExample) {
  auto d = decode_cef("Sep 19 08:26:10 host CEF:0|Security|threatmanager|1.0|100|detected a \\| in message|10|src=10.0.0.1 act=blocked a \\= dst=1.1.1.1");
  ASSERT_TRUE(d->status) << d->status.error().message;
  const Event& e = d->event;
  EXPECT_EQ(e.get_string(field::finding_info_title), "detected a | in message");
  EXPECT_EQ(e.get_string(field::finding_info_uid), "100");
  EXPECT_EQ(e.get_string(field::metadata_product_vendor_name), "Security");
  EXPECT_EQ(e.get_string(field::metadata_product_name), "threatmanager");
  EXPECT_EQ(e.get(field::severity_id)->i, 5);
  EXPECT_EQ(e.get(field::class_uid)->i, 2004);
  EXPECT_EQ(e.get(field::src_endpoint_ip)->ip.to_string(), "10.0.0.1");
  EXPECT_EQ(e.get(field::dst_endpoint_ip)->ip.to_string(), "1.1.1.1");
  EXPECT_EQ(e.get_string(field::action), "blocked a =");
  EXPECT_EQ(original(e, "cef.ext.act"), "blocked a =");
  EXPECT_EQ(original(e, "cef.version"), "0");
  EXPECT_EQ(original(e, "cef.device_product"), "threatmanager");
  EXPECT_EQ(e.raw_kind(), RawKind::Text);
  EXPECT_EQ(e.raw().substr(0, 15), "Sep 19 08:26:10");
}

TEST(CefDecoder, ExtensionMapping) {
  auto d = decode_cef(
      "CEF:0|V|P|1|7|Login|3|rt=1795860062000 src=10.1.1.1 spt=5000 dst=10.1.1.2 dpt=22 proto=6 suser=alice duser=root "
      "in=100 out=2000 request=http://x.example/a requestMethod=POST requestClientApplication=curl/8.0 fname=a.exe "
      "fsize=12 filePath=/tmp/a.exe fileHash=D41D8CD98F00B204E9800998ECF8427E act=allow outcome=success msg=hello world "
      "cat=Authentication dvchost=gw dvc=10.0.0.254 deviceExternalId=SN123 cs1Label=Policy Name cs1=Allow SSH app=SSH "
      "deviceDirection=1 externalId=ev-9");
  ASSERT_TRUE(d->status) << d->status.error().message;
  const Event& e = d->event;
  EXPECT_EQ(e.get(field::time)->t, iso("2026-11-28T10:01:02Z"));
  EXPECT_EQ(e.get(field::src_endpoint_port)->i, 5000);
  EXPECT_EQ(e.get(field::dst_endpoint_port)->i, 22);
  EXPECT_EQ(e.get_string(field::connection_info_protocol_name), "tcp");
  EXPECT_EQ(e.get_string(field::actor_user_name), "alice");
  EXPECT_EQ(e.get(field::traffic_bytes_out)->i, 100);
  EXPECT_EQ(e.get(field::traffic_bytes_in)->i, 2000);
  EXPECT_EQ(e.get_string(field::url_url_string), "http://x.example/a");
  EXPECT_EQ(e.get_string(field::http_request_http_method), "POST");
  EXPECT_EQ(e.get_string(field::http_request_user_agent), "curl/8.0");
  EXPECT_EQ(e.get_string(field::file_name), "a.exe");
  EXPECT_EQ(e.get(field::file_size)->i, 12);
  EXPECT_EQ(e.get_string(field::file_path), "/tmp/a.exe");
  EXPECT_EQ(e.get_string(field::file_hashes_md5), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(e.get_string(field::status), "success");
  EXPECT_EQ(e.get_string(field::message), "hello world");
  EXPECT_EQ(e.get_string(field::finding_info_types), "Authentication");
  EXPECT_EQ(e.get_string(field::device_hostname), "gw");
  EXPECT_EQ(e.get(field::device_ip)->ip.to_string(), "10.0.0.254");
  EXPECT_EQ(original(e, "device.uid"), "SN123");
  EXPECT_EQ(original(e, "cef.Policy_Name"), "Allow SSH");
  EXPECT_EQ(e.get_string(field::app_name), "ssh");
  EXPECT_EQ(e.get_string(field::connection_info_direction), "outbound");
  EXPECT_EQ(e.get_string(field::metadata_uid), "ev-9");
  EXPECT_EQ(e.get(field::severity_id)->i, 2);
  EXPECT_EQ(e.get(field::class_uid)->i, 0);
}

TEST(CefDecoder, DuserOnlyWithoutSuser) {
  auto d = decode_cef("CEF:0|V|P|1|7|Login|3|duser=root");
  ASSERT_TRUE(d->status);
  EXPECT_EQ(d->event.get_string(field::actor_user_name), "root");
}

TEST(CefDecoder, Errors) {
  EXPECT_EQ(decode_cef("no header here")->status.error().message,
            "CEF: no 'CEF:' header at the start of the record or after a space");
  EXPECT_EQ(decode_cef("xCEF:0|a|b|c|d|e|5|")->status.error().message,
            "CEF: no 'CEF:' header at the start of the record or after a space");
  EXPECT_EQ(decode_cef("CEF:0|V|P|1|100|Name")->status.error().message,
            "CEF header: the record ends after 6 of the 7 '|'-separated header fields; 'Severity' is missing");
  EXPECT_EQ(decode_cef("CEF:1.x|V|P|1|100|Name|3|")->status.error().message,
            "CEF header field 'Version': '1.x' is not a number");
}

TEST(CefExtension, ValuesWithSpacesAndEscapes) {
  Arena arena;
  std::vector<KeyValue> kv;
  parse_cef_extension("a=one two b=x\\=y\\\\z c=l1\\nl2  d= e=\\q", arena, kv);
  ASSERT_EQ(kv.size(), 5u);
  EXPECT_EQ(kv[0].value, "one two");
  EXPECT_EQ(kv[1].value, "x=y\\z");
  EXPECT_EQ(kv[2].value, "l1\nl2");
  EXPECT_EQ(kv[3].value, "");
  EXPECT_EQ(kv[4].value, "\\q");
}

TEST(DeviceTime, Formats) {
  TimeNs now = iso("2026-11-22T12:00:00Z");
  EXPECT_EQ(*parse_device_time("1795860062000", now), iso("2026-11-28T10:01:02Z"));
  EXPECT_EQ(*parse_device_time("1795860062", now), iso("2026-11-28T10:01:02Z"));
  EXPECT_EQ(*parse_device_time("Nov 22 2026 10:15:00", now), iso("2026-11-22T10:15:00Z"));
  EXPECT_EQ(*parse_device_time("Nov 22 2026 10:15:00.250 GMT+07:00", now), iso("2026-11-22T03:15:00.25Z"));
  EXPECT_EQ(*parse_device_time("Nov  2 2026 10:15:00 UTC", now), iso("2026-11-02T10:15:00Z"));
  EXPECT_EQ(*parse_device_time("Nov 22 10:15:00", now), iso("2026-11-22T10:15:00Z"));
  EXPECT_EQ(*parse_device_time("Dec 22 10:15:00", now), iso("2025-12-22T10:15:00Z"));
  EXPECT_EQ(*parse_device_time("2026-11-22T10:15:00+07:00", now), iso("2026-11-22T03:15:00Z"));
  EXPECT_FALSE(parse_device_time("yesterday", now));
  EXPECT_FALSE(parse_device_time("Nov 32 2026 10:15:00", now));
}

TEST(DeviceTime, JavaPatterns) {
  TimeNs now = iso("2026-11-22T12:00:00Z");
  EXPECT_EQ(*parse_java_time("22/11/2026:10:15:00 +0700", "dd/MM/yyyy:HH:mm:ss Z", now), iso("2026-11-22T03:15:00Z"));
  EXPECT_EQ(*parse_java_time("2026-11-22T10:15:00.123Z", "yyyy-MM-dd'T'HH:mm:ss.SSSX", now), iso("2026-11-22T10:15:00.123Z"));
  EXPECT_EQ(*parse_java_time("Sun, 22 Nov 2026 03:04:05 PM", "EEE, dd MMM yyyy hh:mm:ss a", now), iso("2026-11-22T15:04:05Z"));
  EXPECT_FALSE(parse_java_time("2026-11-22", "yyyy-MM-dd HH", now));
  EXPECT_FALSE(parse_java_time("2026", "yyyy QQ", now));
}

TEST(Severity, Scale) {
  EXPECT_EQ(severity_id_from_scale("0"), 2);
  EXPECT_EQ(severity_id_from_scale("3"), 2);
  EXPECT_EQ(severity_id_from_scale("4"), 3);
  EXPECT_EQ(severity_id_from_scale("6"), 3);
  EXPECT_EQ(severity_id_from_scale("7"), 4);
  EXPECT_EQ(severity_id_from_scale("8"), 4);
  EXPECT_EQ(severity_id_from_scale("9"), 5);
  EXPECT_EQ(severity_id_from_scale("10"), 5);
  EXPECT_EQ(severity_id_from_scale("11"), 0);
  EXPECT_EQ(severity_id_from_scale("Low"), 2);
  EXPECT_EQ(severity_id_from_scale("medium"), 3);
  EXPECT_EQ(severity_id_from_scale("High"), 4);
  EXPECT_EQ(severity_id_from_scale("Very-High"), 5);
  EXPECT_EQ(severity_id_from_scale("Unknown"), 0);
  EXPECT_EQ(severity_id_from_scale(""), 0);
}

}  // namespace
}  // namespace khien
