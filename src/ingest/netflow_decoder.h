// Decodes NetFlow v5, NetFlow v9 and IPFIX export packets into network-activity events, keeping template state per
// exporter.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/error.h"
#include "core/event.h"
#include "core/flow_record.h"
#include "core/ip_address.h"
#include "core/time.h"

namespace khien {

/// Export protocol of a packet, as the first two bytes give it.
enum class NetflowVersion : std::uint8_t { V5 = 5, V9 = 9, Ipfix = 10 };

/// Bounds and policies of a decoder. The bounds cap memory whatever the packets say:
/// at most max_exporters × max_templates_per_exporter templates of at most max_template_fields
/// fields each, and max_templates in all.
struct NetflowDecoderOptions {
  /// A template not refreshed for this long is forgotten (RFC 7011 §8.4 for UDP; NetFlow v9
  /// exporters resend templates periodically). 0 keeps templates until withdrawn.
  TimeNs template_lifetime = 30LL * 60 * 1'000'000'000;
  /// Distinct (exporter address, version, observation domain / source id) streams tracked.
  std::size_t max_exporters = 4096;
  /// Templates (data and options) kept per stream.
  std::size_t max_templates_per_exporter = 1024;
  /// Templates kept across all streams.
  std::size_t max_templates = 65536;
  /// Fields in one template; real exporters use fewer than 100.
  std::size_t max_template_fields = 512;
  /// Also put every decoded information element on the event under `netflow.<ie name>`.
  bool original_fields = true;
};

/// Counters since the decoder was created. Every dropped byte is counted somewhere here.
struct NetflowStats {
  std::uint64_t packets = 0;                     ///< packets given to decode()
  std::uint64_t packets_malformed = 0;           ///< rejected with an error (truncated, bad lengths, ...)
  std::uint64_t packets_unknown_version = 0;     ///< version other than 5, 9, 10 (also counted as malformed)
  std::uint64_t flow_records = 0;                ///< flow records turned into events
  std::uint64_t option_records = 0;              ///< options data records read (not turned into events)
  std::uint64_t templates_added = 0;             ///< new or changed templates (data and options)
  std::uint64_t templates_refreshed = 0;         ///< identical templates sent again
  std::uint64_t templates_withdrawn = 0;         ///< removed by an IPFIX withdrawal
  std::uint64_t templates_expired = 0;           ///< removed for not being refreshed within the lifetime
  std::uint64_t templates_rejected = 0;          ///< unusable definitions (zero record length, too many fields)
  std::uint64_t templates_over_limit = 0;        ///< refused because a template cap was reached
  std::uint64_t data_sets_without_template = 0;  ///< data sets dropped: their template was not (yet) known
  std::uint64_t exporters_over_limit = 0;        ///< packets dropped because max_exporters was reached
  std::uint64_t sequence_gaps = 0;               ///< packets whose sequence number jumped forward
  std::uint64_t sequence_lost = 0;               ///< sum of those jumps (v5: flows, v9: packets, IPFIX: data records)
  std::uint64_t sequence_out_of_order = 0;       ///< packets whose sequence number went backwards (reorder or restart)
};

/// What one packet held.
struct NetflowPacketInfo {
  NetflowVersion version = NetflowVersion::V5;
  std::uint32_t domain = 0;      ///< IPFIX observation domain, v9 source id, v5 engine type << 8 | engine id
  std::uint32_t sequence = 0;    ///< the header's sequence number
  TimeNs export_time = 0;        ///< the header's export time
  std::size_t flow_records = 0;  ///< events appended to `out`
  std::size_t option_records = 0;
  std::size_t templates = 0;  ///< template and options template records read (including withdrawals)
  std::size_t data_sets_without_template = 0;
  std::uint64_t sequence_lost = 0;  ///< the forward gap before this packet, 0 when in order or unknown
};

/// Elements the collector writes again under OCSF names: the first ingressInterface,
/// egressInterface and tcpControlBits element of a record (IANA 10, 14, 6), each when that first
/// one is an integer.
struct FlowTaps {
  enum : std::uint8_t { kIngressInterface, kEgressInterface, kTcpFlags, kCount, kNone = kCount };
  bool seen[kCount] = {};
  bool is_int[kCount] = {};
  std::int64_t value[kCount] = {};
  /// Records the first element that feeds `tap` (kNone: none); later ones are ignored.
  void note(std::uint8_t tap, bool integer, std::int64_t v) {
    if (tap == kNone || seen[tap]) return;
    seen[tap] = true;
    is_int[tap] = integer;
    value[tap] = integer ? v : 0;
  }
};

/// Receives the flow records of a packet as decode() walks it, as binary flow records
/// (core/flow_record.h): the decoder writes each record's fields with the writer begin_flow()
/// returns, the class fields first (flow_class_fields(), which the reader copies whole when a
/// record opens with them), then the elements (their references encoded once, when the template
/// is learned), then the other schema fields; end_flow() may add fields before it finishes the record.
class FlowSink {
 public:
  virtual ~FlowSink() = default;
  /// A writer on which begin() has been called for the new record.
  virtual FlowRecordWriter& begin_flow() = 0;
  virtual void end_flow(const FlowTaps& taps) = 0;
};

/// Decodes export packets from any number of exporters.
///
/// Threading: an instance is not thread-safe; it belongs to one worker (templates are per
/// exporter, so a collector shards exporters over workers by address). decode() never blocks
/// and allocates from the heap only when it learns a template or a new exporter.
///
/// Events: one per flow data record, class 4001 Network Activity / activity 6 Traffic, in the
/// caller's arena. `time` is the flow end (flowEnd* / last-switched), else the flow start, else
/// the observation time, else the packet's export time. `duration` (ms) is end − start when both
/// are known, else flowDuration*. NetFlow v9 and v5 sysUpTime stamps are made absolute with the
/// header's uptime and export time; IPFIX sysUpTime stamps need systemInitTimeMilliseconds (from
/// the same record or from an options record of the same domain) and are otherwise used for the
/// duration only. Options data records (interface tables, sampling, ...) are counted, not turned
/// into events. Enterprise-specific elements are kept as `ipfix.<pen>.<id>` (integer up to 8
/// bytes, else hex) except RFC 5103 reverse elements, named `netflow.reverse<Name>`.
class NetflowDecoder {
 public:
  explicit NetflowDecoder(NetflowDecoderOptions options = {});
  ~NetflowDecoder();
  NetflowDecoder(const NetflowDecoder&) = delete;
  NetflowDecoder& operator=(const NetflowDecoder&) = delete;

  /// Decodes one UDP payload sent by `exporter`, received at `received` (the clock for template
  /// expiry). Appends one event per flow record to `out`, allocated in `arena`: each record is
  /// written as the binary flow record the collector spools and read back, so events hold exactly
  /// what the pipeline's events of those records hold (less the collector's fields).
  /// A malformed packet is rejected whole: `out` is left as it was (templates read from sets
  /// before the bad one are kept) and the error names the protocol, the set, the byte offset
  /// and the reason: "IPFIX: set 2 at byte 48: length 3 shorter than the set header".
  /// Data sets whose template is unknown are dropped and counted; that is not an error.
  Result<NetflowPacketInfo> decode(std::span<const std::uint8_t> packet, const IpAddress& exporter, TimeNs received,
                                   Arena& arena, std::vector<Event>& out);
  /// The same, writing each flow record through `sink` (the decoder's one output).
  /// On a malformed packet the sink has received the records (the last perhaps unfinished)
  /// before the error; the caller discards them.
  Result<NetflowPacketInfo> decode(std::span<const std::uint8_t> packet, const IpAddress& exporter, TimeNs received,
                                   Arena& arena, FlowSink& sink);

  /// Forgets templates not refreshed within the lifetime at `now`, and streams idle that long
  /// with no template left. Returns the number of templates removed. decode() also expires
  /// templates lazily when it meets them and sweeps when the stream table is full.
  std::size_t expire(TimeNs now);

  const NetflowStats& stats() const;
  /// Streams (exporter, version, domain) currently tracked.
  std::size_t exporter_count() const;
  /// Templates currently known, over all streams.
  std::size_t template_count() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace khien
