// The collector writes each binary flow record straight from the packet's fields: its bytes must be those of the
// record encoded from the event the packet decoder builds, with the collector's fields added as it used to add them.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/field_dictionary.h"
#include "core/flow_record.h"
#include "ingest/netflow_udp_source.h"
#include "netflow_corpus.h"
#include "netflow_packets.h"

namespace khien {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

const TimeNs kNow = 1'700'000'000LL * 1'000'000'000;
const IpAddress kCorpusExporter = *IpAddress::parse("192.0.2.10");
const IpAddress kBenchExporter = *IpAddress::parse("192.0.2.11");

// The record of `e` as the collector built it from the decoder's event: the exporter's id, then
// the first ingress/egress interface and TCP flags elements, when integers, under OCSF names.
std::string record_from_event(Event& e, std::string_view exporter_id) {
  e.set_string(field::observer_name, exporter_id);
  const FieldId elements[3] = {intern_field("netflow.ingressInterface"), intern_field("netflow.egressInterface"),
                               intern_field("netflow.tcpControlBits")};
  const FieldId names[3] = {intern_field("src_endpoint.interface_uid"), intern_field("dst_endpoint.interface_uid"),
                            intern_field("connection_info.tcp_flags")};
  Value copies[3];
  for (int k = 0; k < 3; ++k) {
    auto slot = std::find_if(e.begin(), e.end(), [&](const Event::Slot& s) { return s.field == elements[k]; });
    if (slot != e.end() && slot->value.type == FieldType::Int) copies[k] = slot->value;
  }
  for (int k = 0; k < 3; ++k)
    if (copies[k].type == FieldType::Int) e.add(names[k], copies[k]);
  std::string out;
  append_flow_record(out, e);
  return out;
}

// Where two records first differ, for a readable failure.
std::string first_difference(std::string_view got, std::string_view want) {
  std::size_t i = 0;
  while (i < got.size() && i < want.size() && got[i] == want[i]) ++i;
  return "records of " + std::to_string(got.size()) + " and " + std::to_string(want.size()) + " bytes differ at byte " +
         std::to_string(i);
}

class DirectRecordTest : public ::testing::Test {
 protected:
  DirectRecordTest() : handler_(context()) {}

  static SourceContext context() {
    SourceContext ctx;  // no spool: flush() only clears what is pending
    ctx.exporter_for_address = [](const IpAddress& ip) -> std::optional<ExporterMatch> {
      if (ip == kCorpusExporter) return ExporterMatch{7, "soc-test", "exp-test", "org-test"};
      if (ip == kBenchExporter) return ExporterMatch{8, "soc-bench", "exp-bench", "org-bench"};
      return std::nullopt;
    };
    return ctx;
  }

  // Gives `packet` to the collector and to a decoder in the same template state; every record
  // the collector writes must equal the one encoded from the decoder's event.
  void compare(const Bytes& packet, const IpAddress& exporter, std::string_view exporter_id, const std::string& what) {
    const std::size_t before = handler_.pending();
    handler_.handle(packet, exporter, kNow);
    events_.clear();
    arena_.reset();
    auto info = reference_.decode(packet, exporter, kNow, arena_, events_);
    if (!info) {
      EXPECT_EQ(handler_.pending(), before) << what << ": a rejected packet leaves no record";
      return;
    }
    ASSERT_EQ(handler_.pending() - before, events_.size()) << what;
    for (std::size_t i = 0; i < events_.size(); ++i) {
      const std::string want = record_from_event(events_[i], exporter_id);
      const std::string_view got = handler_.pending_record(before + i);
      EXPECT_EQ(got, want) << what << " record " << i << ": " << first_difference(got, want);
      ++compared_;
    }
    handler_.flush();
  }

  NetflowPacketHandler handler_;
  NetflowDecoder reference_;
  Arena arena_;
  std::vector<Event> events_;
  std::size_t compared_ = 0;
};

TEST_F(DirectRecordTest, CorpusRecordsEqualTheRecordsOfTheDecodedEvents) {
  const std::vector<fs::path> files = test::corpus_packet_files();
  ASSERT_GT(files.size(), 50u);
  // Twice over: data packets sorted before their template decode on the second pass.
  for (int pass = 0; pass < 2; ++pass)
    for (const fs::path& file : files) compare(test::read_packet(file), kCorpusExporter, "exp-test", file.filename().string());
  EXPECT_GT(compared_, 500u);
  EXPECT_EQ(handler_.decoder_stats().flow_records, reference_.stats().flow_records);
}

TEST_F(DirectRecordTest, BenchmarkPacketsOfEachVersionEqualTheRecordsOfTheDecodedEvents) {
  compare(bench::v5_packet(), kBenchExporter, "exp-bench", "v5");
  for (bool ipfix : {false, true}) {
    const std::string what = ipfix ? "IPFIX" : "v9";
    compare(bench::template_packet(ipfix), kBenchExporter, "exp-bench", what + " template");
    for (std::uint32_t sequence = 0; sequence < 3; ++sequence)
      compare(bench::data_packet(ipfix, sequence), kBenchExporter, "exp-bench", what + " data");
  }
  EXPECT_EQ(compared_, 30u + 2 * 3 * bench::kRecordsPerPacket);
}

// A packet whose second data set is cut short is rejected whole: the records of its first set,
// already written, are taken back.
TEST_F(DirectRecordTest, RecordsOfARejectedPacketAreTakenBack) {
  compare(bench::template_packet(false), kBenchExporter, "exp-bench", "template");
  Bytes packet = bench::data_packet(false, 0);
  const std::size_t set_at = 20, set_length = packet.size() - set_at;
  packet.insert(packet.end(), packet.begin() + set_at, packet.end());  // the same data set again
  packet.resize(packet.size() - 10);
  packet[set_at + set_length + 2] = static_cast<std::uint8_t>(set_length >> 8);
  packet[set_at + set_length + 3] = static_cast<std::uint8_t>(set_length);
  handler_.handle(packet, kBenchExporter, kNow);
  EXPECT_EQ(handler_.pending(), 0u);
  EXPECT_EQ(handler_.decoder_stats().packets_malformed, 1u);
  compare(bench::data_packet(false, 1), kBenchExporter, "exp-bench", "data after the rejected packet");
  EXPECT_EQ(compared_, std::size_t(bench::kRecordsPerPacket));
}

}  // namespace
}  // namespace khien
