// NetFlow/IPFIX collector: exporter lookup, decoding with per-exporter templates, binary flow records to the spool.
#include "ingest/netflow_udp_source.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/field_dictionary.h"
#include "core/flow_record.h"
#include "core/metrics.h"
#include "ingest/socket_util.h"

namespace khien {

namespace {

// Sending addresses remembered (known or not); past this, unknown senders are looked up every time
// and no longer logged, so a spoofing flood cannot grow memory.
constexpr std::size_t kMaxCachedSenders = 4096;

struct CollectorMetrics {
  Counter& datagrams;
  Counter& unknown_exporter;
  Counter& saturated;
  Counter& spooled;
  Counter& oversized;
  Counter& malformed;
  Counter& unknown_version;
  Counter& flows;
  Counter& options;
  Counter& tpl_added;
  Counter& tpl_refreshed;
  Counter& tpl_withdrawn;
  Counter& tpl_expired;
  Counter& tpl_rejected;
  Counter& tpl_over_limit;
  Counter& without_template;
  Counter& over_limit;
  Counter& gaps;
  Counter& lost;
  Counter& out_of_order;
  Gauge& templates;

  static CollectorMetrics& get() {
    auto& m = Metrics::instance();
    static const std::string kPackets = "khien_netflow_packets_total";
    static const std::string kPacketsHelp = "NetFlow/IPFIX packets, by outcome";
    static const std::string kTpl = "khien_netflow_templates_total";
    static const std::string kTplHelp = "Template (and options template) events, by kind";
    static CollectorMetrics metrics{
        m.counter(kPackets, kPacketsHelp, "result=\"received\""),
        m.counter(kPackets, kPacketsHelp, "result=\"unknown_exporter\""),
        m.counter(kPackets, kPacketsHelp, "result=\"saturated\""),
        m.counter("khien_netflow_records_spooled_total", "Flow records appended to the spool"),
        m.counter("khien_netflow_records_oversized_total", "Flow records dropped for exceeding ingest.max_line_bytes"),
        m.counter(kPackets, kPacketsHelp, "result=\"malformed\""),
        m.counter(kPackets, kPacketsHelp, "result=\"unknown_version\""),
        m.counter("khien_netflow_flow_records_total", "Flow data records decoded"),
        m.counter("khien_netflow_option_records_total", "Options data records read (interface tables, sampling)"),
        m.counter(kTpl, kTplHelp, "kind=\"added\""),
        m.counter(kTpl, kTplHelp, "kind=\"refreshed\""),
        m.counter(kTpl, kTplHelp, "kind=\"withdrawn\""),
        m.counter(kTpl, kTplHelp, "kind=\"expired\""),
        m.counter(kTpl, kTplHelp, "kind=\"rejected\""),
        m.counter(kTpl, kTplHelp, "kind=\"over_limit\""),
        m.counter("khien_netflow_data_sets_without_template_total", "Data sets dropped because their template was not known yet"),
        m.counter(kPackets, kPacketsHelp, "result=\"exporters_over_limit\""),
        m.counter("khien_netflow_sequence_gaps_total", "Packets whose sequence number jumped forward"),
        m.counter("khien_netflow_sequence_lost_total", "Sum of the forward sequence jumps (v5 flows, v9 packets, IPFIX records)"),
        m.counter("khien_netflow_sequence_out_of_order_total", "Packets whose sequence number went backwards"),
        m.gauge("khien_netflow_templates", "Templates currently known over all exporters and domains"),
    };
    return metrics;
  }
};


}  // namespace

NetflowPacketHandler::NetflowPacketHandler(SourceContext context, NetflowDecoderOptions options)
    : ctx_(std::move(context)),
      decoder_(options),
      arena_(1 << 20) {
  CollectorMetrics::get();
}

NetflowPacketHandler::Cached& NetflowPacketHandler::exporter_for(const IpAddress& sender) {
  for (auto& c : exporters_)
    if (c.address == sender) return c;
  Cached c;
  c.address = sender;
  if (ctx_.exporter_for_address) {
    if (auto match = ctx_.exporter_for_address(sender)) {
      c.known = true;
      c.exporter = std::move(*match);
    }
  }
  if (exporters_.size() >= kMaxCachedSenders) {
    // Full: answer from a scratch slot without remembering (and without logging unknowns again).
    static thread_local Cached scratch;
    scratch = std::move(c);
    return scratch;
  }
  if (!c.known)
    spdlog::warn("netflow: packets from {} dropped: no exporter registered for that address (registry exporters.yaml)",
                 sender.to_string());
  else
    spdlog::info("netflow: first packet from exporter {} ({}, organisation {}, SOC {})", c.exporter.exporter_id,
                 sender.to_string(), c.exporter.org, c.exporter.soc_id);
  exporters_.push_back(std::move(c));
  return exporters_.back();
}

void NetflowPacketHandler::handle(std::span<const std::uint8_t> packet, const IpAddress& sender, TimeNs received) {
  ++stats_.datagrams;
  Cached& exporter = exporter_for(sender);
  if (!exporter.known) {
    ++stats_.unknown_exporter_packets;
    if (ctx_.stats) ctx_.stats->record_unknown_sender("netflow");
    return;
  }
  if (ctx_.spool && spool_saturated(ctx_)) {
    ++stats_.saturated_packets;
    return;
  }
  const std::size_t batch_before = batch_.size(), pending_before = pending_.size();
  packet_exporter_ = &exporter;
  packet_oversized_ = 0;
  auto info = decoder_.decode(packet, sender, received, arena_, *this);
  arena_.reset();
  if (!info) {
    // Records of a rejected packet are dropped whole, the ones written before the error included.
    batch_.resize(batch_before);
    pending_.resize(pending_before);
    spdlog::debug("netflow: exporter {} ({}): {}", exporter.exporter.exporter_id, sender.to_string(), info.error().message);
    return;
  }
  if (info->sequence_lost > 0) {
    Metrics::instance()
        .counter("khien_netflow_exporter_sequence_lost_total",
                 "Forward sequence jumps per registered exporter (lost export packets or records)",
                 fmt::format("exporter=\"{}\"", exporter.exporter.exporter_id))
        .add(info->sequence_lost);
  }
  stats_.records_oversized += packet_oversized_;
  const std::size_t spooled = pending_.size() - pending_before;
  exporter.flows += spooled;
  if (spooled > 0) {
    auto it = std::find_if(per_soc_.begin(), per_soc_.end(), [&](const auto& p) { return p.first == exporter.exporter.soc_id; });
    if (it == per_soc_.end())
      per_soc_.emplace_back(exporter.exporter.soc_id, spooled);
    else
      it->second += spooled;
  }
}

FlowRecordWriter& NetflowPacketHandler::begin_flow() {
  record_offset_ = batch_.size();
  writer_.begin(batch_);
  return writer_;
}

void NetflowPacketHandler::end_flow(const FlowTaps& taps) {
  // The decoder never writes the collector's fields, so they follow its own: the exporter, then
  // interfaces and TCP flags under their OCSF names.
  writer_.known_string(FlowKnownField::observer_name, packet_exporter_->exporter.exporter_id);
  constexpr FlowKnownField kNames[FlowTaps::kCount] = {FlowKnownField::src_interface_uid,
                                                      FlowKnownField::dst_interface_uid, FlowKnownField::tcp_flags};
  for (std::uint8_t k = 0; k < FlowTaps::kCount; ++k)
    if (taps.is_int[k]) writer_.known_int(kNames[k], taps.value[k]);
  const std::size_t size = writer_.finish();
  if (size > ctx_.limits.max_line_bytes) {
    batch_.resize(record_offset_);
    ++packet_oversized_;
    return;
  }
  pending_.push_back(Pending{packet_exporter_->exporter.soc_row, record_offset_, size});
}

void NetflowPacketHandler::flush() {
  if (!pending_.empty() && ctx_.spool) {
    if (format_code_ < 0 && ctx_.validate) {
      // The first record tells which spool format code "netflow" has; later ones are built the same way.
      const auto& p = pending_.front();
      auto code = ctx_.validate(std::string_view(batch_).substr(p.offset, p.size), "netflow");
      if (!code) {
        spdlog::error("netflow: flow record refused by the netflow decoder: {}", code.error().message);
      } else {
        format_code_ = *code;
      }
    }
    if (format_code_ >= 0) {
      std::vector<SpoolInput> records;
      records.reserve(pending_.size());
      for (const auto& p : pending_)
        records.push_back(SpoolInput{p.soc, static_cast<std::uint8_t>(format_code_), SourceKind::Netflow,
                                     std::string_view(batch_).substr(p.offset, p.size)});
      if (auto r = ctx_.spool->append(records, false); !r) {
        spdlog::error("netflow: {}", r.error().message);
      } else {
        stats_.records_spooled += records.size();
        if (ctx_.stats)
          for (const auto& [soc, n] : per_soc_) ctx_.stats->record(soc, "netflow", n, 0);
      }
    }
  }
  pending_.clear();
  per_soc_.clear();
  batch_.clear();
  publish_metrics();
}

void NetflowPacketHandler::expire(TimeNs now) { decoder_.expire(now); }

void NetflowPacketHandler::publish_metrics() {
  auto& m = CollectorMetrics::get();
  const NetflowStats& s = decoder_.stats();
  NetflowStats& p = published_;
  m.malformed.add(s.packets_malformed - p.packets_malformed);
  m.unknown_version.add(s.packets_unknown_version - p.packets_unknown_version);
  m.flows.add(s.flow_records - p.flow_records);
  m.options.add(s.option_records - p.option_records);
  m.tpl_added.add(s.templates_added - p.templates_added);
  m.tpl_refreshed.add(s.templates_refreshed - p.templates_refreshed);
  m.tpl_withdrawn.add(s.templates_withdrawn - p.templates_withdrawn);
  m.tpl_expired.add(s.templates_expired - p.templates_expired);
  m.tpl_rejected.add(s.templates_rejected - p.templates_rejected);
  m.tpl_over_limit.add(s.templates_over_limit - p.templates_over_limit);
  m.without_template.add(s.data_sets_without_template - p.data_sets_without_template);
  m.over_limit.add(s.exporters_over_limit - p.exporters_over_limit);
  m.gaps.add(s.sequence_gaps - p.sequence_gaps);
  m.lost.add(s.sequence_lost - p.sequence_lost);
  m.out_of_order.add(s.sequence_out_of_order - p.sequence_out_of_order);
  published_ = s;
  NetflowCollectorStats& c = published_collector_;
  m.datagrams.add(stats_.datagrams - c.datagrams);
  m.unknown_exporter.add(stats_.unknown_exporter_packets - c.unknown_exporter_packets);
  m.saturated.add(stats_.saturated_packets - c.saturated_packets);
  m.spooled.add(stats_.records_spooled - c.records_spooled);
  m.oversized.add(stats_.records_oversized - c.records_oversized);
  published_collector_ = stats_;
  m.templates.set(static_cast<std::int64_t>(decoder_.template_count()));
}

// Exporters send in bursts at the end of their active timeouts; a deeper buffer than syslog's rides them out.
NetflowUdpSource::NetflowUdpSource(SourceContext context, std::string listen)
    : UdpReceiver(std::move(context), std::move(listen), 16 << 20) {}

NetflowUdpSource::~NetflowUdpSource() { stop(); }

void NetflowUdpSource::run() {
  NetflowPacketHandler handler(ctx_);
  std::vector<std::uint8_t> datagram(65536);
  TimeNs last_expiry = now_ns();
  std::size_t since_flush = 0;
  while (!stopping()) {
    pollfd pfd{socket_fd(), POLLIN, 0};
    int ready = ::poll(&pfd, 1, handler.pending() == 0 ? 200 : 20);
    TimeNs now = now_ns();
    if (now - last_expiry > 10LL * 1'000'000'000) {
      handler.expire(now);
      last_expiry = now;
    }
    if (ready <= 0) {
      handler.flush();
      since_flush = 0;
      continue;
    }
    // Drain what is queued, then append it to the spool as one transaction.
    for (int i = 0; i < 256; ++i) {
      sockaddr_storage from{};
      socklen_t from_len = sizeof(from);
      ssize_t n = ::recvfrom(socket_fd(), datagram.data(), datagram.size(), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from),
                             &from_len);
      if (n < 0) break;
      handler.handle(std::span<const std::uint8_t>(datagram.data(), static_cast<std::size_t>(n)), address_of(from), now_ns());
      ++since_flush;
    }
    if (handler.pending() >= 4096 || since_flush >= 1024) {
      handler.flush();
      since_flush = 0;
    }
  }
  handler.flush();
}

std::unique_ptr<Source> make_netflow_udp_source(const SourceContext& context, const std::string& listen) {
  return std::make_unique<NetflowUdpSource>(context, listen);
}

}  // namespace khien
