// NetFlow v5/v9 and IPFIX collector over UDP: packets from registered exporters become flow records in the spool.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/arena.h"
#include "core/event.h"
#include "core/flow_record.h"
#include "ingest/netflow_decoder.h"
#include "ingest/source.h"
#include "ingest/udp_receiver.h"

namespace khien {

/// What one collector has seen, beyond the decoder's own NetflowStats.
struct NetflowCollectorStats {
  std::uint64_t datagrams = 0;                 ///< UDP payloads received
  std::uint64_t unknown_exporter_packets = 0;  ///< dropped: no exporter registered for the source address
  std::uint64_t saturated_packets = 0;         ///< dropped: the pipeline was too far behind
  std::uint64_t records_spooled = 0;           ///< flow records appended to the spool
  std::uint64_t records_oversized = 0;         ///< flow records longer than ingest.max_line_bytes
};

/// Turns export packets into spool records. Separate from the socket so tests and the fuzz
/// target drive the whole packet path without one.
///
/// Per packet: the exporter is looked up by source address (unregistered exporters are counted,
/// logged once each, and their packets dropped before any template state is kept for them); the
/// packet is decoded with templates kept per (exporter address, version, observation domain /
/// source id); each flow record becomes one binary flow record (core/flow_record.h, format
/// "netflow": no JSON is written or parsed on the way to the pipeline) carrying the exporter's id
/// under `observer.name`, interfaces under
/// `src_endpoint.interface_uid` / `dst_endpoint.interface_uid` and TCP flags under
/// `connection_info.tcp_flags`. Malformed packets are counted and dropped whole.
///
/// Each flow record is written into its binary record as the decoder walks the packet's fields
/// (FlowSink), with no Event in between: the bytes are those append_flow_record() writes for the
/// event NetflowDecoder::decode() gives plus the collector's fields.
///
/// Threading: one instance per receive thread; not thread-safe.
class NetflowPacketHandler : private FlowSink {
 public:
  NetflowPacketHandler(SourceContext context, NetflowDecoderOptions options = {});

  /// Handles one datagram from `sender` received at `received`; its flow records wait in the
  /// handler until flush().
  void handle(std::span<const std::uint8_t> packet, const IpAddress& sender, TimeNs received);
  /// Appends the waiting flow records to the spool (one transaction) and publishes the counters.
  void flush();
  /// Forgets templates past their lifetime.
  void expire(TimeNs now);
  std::size_t pending() const { return pending_.size(); }
  /// The i-th flow record waiting for flush() (tests and the fuzz target check what is spooled).
  std::string_view pending_record(std::size_t i) const {
    return std::string_view(batch_).substr(pending_[i].offset, pending_[i].size);
  }

  const NetflowStats& decoder_stats() const { return decoder_.stats(); }
  const NetflowCollectorStats& stats() const { return stats_; }
  std::size_t template_count() const { return decoder_.template_count(); }

 private:
  struct Pending {
    std::uint32_t soc;
    std::size_t offset, size;
  };
  struct Cached {
    IpAddress address;
    bool known = false;
    ExporterMatch exporter;
    std::uint64_t flows = 0;
  };
  Cached& exporter_for(const IpAddress& sender);
  void publish_metrics();
  FlowRecordWriter& begin_flow() override;
  void end_flow(const FlowTaps& taps) override;

  SourceContext ctx_;
  NetflowDecoder decoder_;
  Arena arena_;
  FlowRecordWriter writer_;
  const Cached* packet_exporter_ = nullptr;  // the exporter of the packet being decoded
  std::size_t record_offset_ = 0;            // where the record being written starts in batch_
  std::size_t packet_oversized_ = 0;
  std::string batch_;
  std::vector<Pending> pending_;
  std::vector<std::pair<std::string, std::uint64_t>> per_soc_;
  std::vector<Cached> exporters_;  // small: one entry per sending address seen (capped)
  int format_code_ = -1;
  NetflowCollectorStats stats_;
  NetflowStats published_;
  NetflowCollectorStats published_collector_;
};

/// Threading: one receive thread owning a NetflowPacketHandler. UDP cannot push back, so
/// packets arriving while the pipeline is saturated are dropped and counted.
class NetflowUdpSource : public UdpReceiver {
 public:
  NetflowUdpSource(SourceContext context, std::string listen);
  ~NetflowUdpSource() override;
  std::string_view name() const override { return "netflow"; }

 private:
  void run() override;
};

std::unique_ptr<Source> make_netflow_udp_source(const SourceContext& context, const std::string& listen);

}  // namespace khien
