// Tests of the NetFlow/IPFIX collector's packet path (NetflowPacketHandler): real exporter packets from the corpus
// into a real spool, exporters registered or not, templates per exporter, bad packets.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "core/field_dictionary.h"
#include "core/flow_record.h"
#include "core/json_writer.h"
#include "ingest/netflow_udp_source.h"
#include "ingest/spool.h"
#include "netflow_corpus.h"
#include "same_value.h"
#include "test_files.h"

namespace khien {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

const TimeNs kNow = 1'700'000'000LL * 1'000'000'000;
const IpAddress kRegistered = *IpAddress::parse("192.0.2.10");
const IpAddress kRegistered2 = *IpAddress::parse("192.0.2.11");
const IpAddress kStranger = *IpAddress::parse("198.51.100.7");
constexpr std::uint8_t kFormatCode = 42;

class CollectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto spool = Spool::open(dir_);
    ASSERT_TRUE(spool) << spool.error().message;
    spool_ = std::move(*spool);
    ctx_.spool = spool_.get();
    ctx_.stats = &stats_;
    ctx_.validate = [this](std::string_view record, std::string_view format) -> Result<std::uint8_t> {
      ++validated_;
      if (format != "netflow") return fail("unexpected format");
      if (!is_binary_flow_record(record)) return fail("not a binary flow record");
      return kFormatCode;
    };
    ctx_.exporter_for_address = [](const IpAddress& ip) -> std::optional<ExporterMatch> {
      if (ip == kRegistered) return ExporterMatch{7, "soc-test", "exp-test", "org-test"};
      if (ip == kRegistered2) return ExporterMatch{8, "soc-other", "exp-other", "org-other"};
      return std::nullopt;
    };
  }
  void TearDown() override {
    spool_.reset();
  }

  // The spooled records, each decoded and shown as the event's JSON line.
  std::vector<std::string> spooled() {
    std::vector<std::string> out;
    Arena arena;
    spool_->wait_for_records(0, 2000);
    std::vector<SpoolRecord> records;
    std::string buffer;
    std::uint64_t after = 0;
    for (;;) {
      auto n = spool_->read(after, 10000, 64 << 20, records, buffer);
      EXPECT_TRUE(n);
      if (!n || *n == 0) break;
      for (const auto& r : records) {
        EXPECT_EQ(r.format, kFormatCode);
        EXPECT_EQ(r.source, SourceKind::Netflow);
        Event e(arena);
        auto st = decode_flow_record(r.payload, e);
        EXPECT_TRUE(st) << st.error().message;
        std::string& line = out.emplace_back();
        append_event_json(line, e);
        arena.reset();
        after = r.seq;
      }
    }
    return out;
  }

  test::ScratchDir scratch_{"netflow-src"};
  std::filesystem::path dir_ = scratch_.path();
  std::unique_ptr<Spool> spool_;
  SocStats stats_;
  SourceContext ctx_;
  int validated_ = 0;
};

TEST_F(CollectorTest, RegisteredExporterFlowsReachTheSpoolAsSchemaRecords) {
  NetflowPacketHandler handler(ctx_);
  NetflowDecoder reference;
  Arena arena;
  std::vector<Event> events;
  std::size_t expected = 0;
  for (const char* name : {"netflow5.dat", "netflow9_test_cisco_asa_1_tpl.dat", "netflow9_test_cisco_asa_1_data.dat",
                           "ipfix_test_yaf_tpl45841.dat", "ipfix_test_yaf_data45841.dat"}) {
    Bytes p = test::corpus_packet(name);
    handler.handle(p, kRegistered, kNow);
    events.clear();
    auto info = reference.decode(p, kRegistered, kNow, arena, events);
    ASSERT_TRUE(info) << name << ": " << info.error().message;
    expected += events.size();
  }
  handler.flush();
  ASSERT_GT(expected, 10u);
  EXPECT_EQ(handler.stats().records_spooled, expected);
  EXPECT_EQ(handler.decoder_stats().flow_records, expected);
  EXPECT_EQ(validated_, 1) << "the format code is asked for once";
  auto records = spooled();
  ASSERT_EQ(records.size(), expected);
  for (const auto& r : records) {
    EXPECT_NE(r.find("\"observer.name\":\"exp-test\""), std::string::npos) << r;
    EXPECT_NE(r.find("\"class_uid\":4001"), std::string::npos) << r;
    EXPECT_NE(r.find("\"device.ip\":\"192.0.2.10\""), std::string::npos) << r;
    EXPECT_NE(r.find("\"time\":\""), std::string::npos) << r;
  }
  // NetFlow v5 records carry interfaces and TCP flags; they get their OCSF names too.
  EXPECT_NE(records.front().find("\"src_endpoint.interface_uid\":"), std::string::npos) << records.front();
  EXPECT_NE(records.front().find("\"dst_endpoint.interface_uid\":"), std::string::npos);
  EXPECT_NE(records.front().find("\"connection_info.tcp_flags\":"), std::string::npos);
  EXPECT_EQ(stats_.snapshot()["soc-test"].accepted, expected);
}

TEST_F(CollectorTest, UnregisteredExporterIsCountedAndKeepsNoState) {
  NetflowPacketHandler handler(ctx_);
  for (int i = 0; i < 3; ++i) {
    handler.handle(test::corpus_packet("ipfix_test_yaf_tpl45841.dat"), kStranger, kNow);
    handler.handle(test::corpus_packet("netflow5.dat"), kStranger, kNow);
  }
  handler.flush();
  EXPECT_EQ(handler.stats().unknown_exporter_packets, 6u);
  EXPECT_EQ(handler.stats().records_spooled, 0u);
  EXPECT_EQ(handler.decoder_stats().packets, 0u) << "packets of strangers are not decoded";
  EXPECT_EQ(handler.template_count(), 0u);
  EXPECT_TRUE(spooled().empty());
}

TEST_F(CollectorTest, TemplatesArePerExporter) {
  NetflowPacketHandler handler(ctx_);
  // The template comes from one exporter, the data from another: the data has no template.
  handler.handle(test::corpus_packet("ipfix_test_yaf_tpl45841.dat"), kRegistered, kNow);
  handler.handle(test::corpus_packet("ipfix_test_yaf_data45841.dat"), kRegistered2, kNow);
  handler.flush();
  EXPECT_EQ(handler.stats().records_spooled, 0u);
  EXPECT_EQ(handler.decoder_stats().data_sets_without_template, 1u);
  // The same data from the exporter that sent the template decodes.
  handler.handle(test::corpus_packet("ipfix_test_yaf_data45841.dat"), kRegistered, kNow);
  handler.flush();
  EXPECT_GT(handler.stats().records_spooled, 0u);
}

TEST_F(CollectorTest, DataBeforeTemplateThenTemplateExpiry) {
  NetflowDecoderOptions options;
  options.template_lifetime = 60LL * 1'000'000'000;
  NetflowPacketHandler handler(ctx_, options);
  handler.handle(test::corpus_packet("netflow9_test_cisco_asa_1_data.dat"), kRegistered, kNow);
  EXPECT_EQ(handler.decoder_stats().data_sets_without_template, 1u);
  handler.handle(test::corpus_packet("netflow9_test_cisco_asa_1_tpl.dat"), kRegistered, kNow);
  handler.handle(test::corpus_packet("netflow9_test_cisco_asa_1_data.dat"), kRegistered, kNow);
  std::uint64_t decoded = handler.decoder_stats().flow_records;
  EXPECT_GT(decoded, 0u);
  handler.expire(kNow + 120LL * 1'000'000'000);
  EXPECT_GT(handler.decoder_stats().templates_expired, 0u);
  handler.handle(test::corpus_packet("netflow9_test_cisco_asa_1_data.dat"), kRegistered, kNow + 121LL * 1'000'000'000);
  EXPECT_EQ(handler.decoder_stats().flow_records, decoded) << "expired templates decode nothing";
  EXPECT_EQ(handler.decoder_stats().data_sets_without_template, 2u);
  handler.flush();
  EXPECT_EQ(spooled().size(), decoded);
}

TEST_F(CollectorTest, MalformedPacketsAreCountedNeverFatal) {
  NetflowPacketHandler handler(ctx_);
  std::mt19937 rng(12345);
  std::size_t sent = 0;
  // Truncations of every corpus packet, random bytes behind valid version numbers, absurd lengths.
  for (const fs::path& file : test::corpus_packet_files()) {
    Bytes p = test::read_packet(file);
    for (std::size_t cut : {std::size_t{0}, std::size_t{1}, std::size_t{3}, p.size() / 2, p.size() - 1}) {
      if (cut >= p.size()) continue;
      handler.handle(std::span<const std::uint8_t>(p.data(), cut), kRegistered, kNow);
      ++sent;
    }
    Bytes bent = p;
    for (int i = 0; i < 8 && bent.size() > 8; ++i) bent[4 + rng() % (bent.size() - 4)] = static_cast<std::uint8_t>(rng());
    handler.handle(bent, kRegistered, kNow);
    ++sent;
  }
  for (std::uint16_t version : {5, 9, 10, 7}) {
    Bytes junk(200);
    for (auto& b : junk) b = static_cast<std::uint8_t>(rng());
    junk[0] = static_cast<std::uint8_t>(version >> 8);
    junk[1] = static_cast<std::uint8_t>(version);
    handler.handle(junk, kRegistered, kNow);
    ++sent;
  }
  // An IPFIX message whose set claims 65535 bytes.
  Bytes absurd{0x00, 0x0a, 0x00, 0x18, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0x00, 0x02, 0xff, 0xff, 0x01, 0x00, 0x00, 0x01};
  handler.handle(absurd, kRegistered, kNow);
  ++sent;
  handler.flush();
  EXPECT_EQ(handler.stats().datagrams, sent);
  EXPECT_GT(handler.decoder_stats().packets_malformed, sent / 2);
}

}  // namespace
}  // namespace khien

namespace khien {
namespace {

// The binary record read back holds every field of the decoded flow, in order and with its type,
// then the collector's own fields.
TEST_F(CollectorTest, BinaryRecordsCarryEveryDecodedFieldTyped) {
  NetflowPacketHandler handler(ctx_);
  NetflowDecoder reference;
  Arena arena, read_arena;
  std::vector<Event> events;
  std::size_t compared = 0;
  for (const char* name : {"netflow5.dat", "netflow9_test_cisco_asa_1_tpl.dat", "netflow9_test_cisco_asa_1_data.dat",
                           "ipfix_test_yaf_tpl45841.dat", "ipfix_test_yaf_data45841.dat"}) {
    Bytes p = test::corpus_packet(name);
    const std::size_t before = handler.pending();
    handler.handle(p, kRegistered, kNow);
    events.clear();
    ASSERT_TRUE(reference.decode(p, kRegistered, kNow, arena, events));
    ASSERT_EQ(handler.pending() - before, events.size()) << name;
    for (std::size_t i = 0; i < events.size(); ++i) {
      Event back(read_arena);
      std::string_view record = handler.pending_record(before + i);
      ASSERT_TRUE(is_binary_flow_record(record));
      auto st = decode_flow_record(record, back);
      ASSERT_TRUE(st) << name << ": " << st.error().message;
      ASSERT_GE(back.size(), events[i].size() + 1) << name;
      const Event::Slot* got = back.begin();
      for (const Event::Slot& want : events[i]) {
        EXPECT_EQ(field_name(got->field), field_name(want.field)) << name;
        EXPECT_TRUE(same_value(got->value, want.value)) << name << ": " << field_name(want.field);
        ++got;
      }
      EXPECT_EQ(back.get_string(field::observer_name), "exp-test");
      ++compared;
      read_arena.reset();
    }
  }
  EXPECT_GT(compared, 10u);
  // NetFlow v5 records carry interfaces; the OCSF names follow the elements.
  Event first(read_arena);
  ASSERT_TRUE(decode_flow_record(handler.pending_record(0), first));
  EXPECT_NE(first.get(intern_field("src_endpoint.interface_uid")), nullptr);
  EXPECT_NE(first.get(intern_field("netflow.ingressInterface")), nullptr);
  EXPECT_EQ(first.get(field::src_endpoint_ip)->type, FieldType::Ip);
  EXPECT_EQ(first.get(intern_field("netflow.sourceIPv4Address"))->type, FieldType::Ip);
}

}  // namespace
}  // namespace khien
