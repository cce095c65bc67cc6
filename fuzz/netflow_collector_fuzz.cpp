// Fuzz target: the NetFlow/IPFIX collector's packet path (exporter lookup, decoding with templates kept across
// packets, binary flow records) and the netflow record decoder reading every record back.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "core/arena.h"
#include "decode/netflow_record_decoder.h"
#include "ingest/netflow_udp_source.h"
#include "netflow_fuzz_input.h"

namespace {

khien::NetflowPacketHandler& handler() {
  static khien::NetflowPacketHandler instance(
      [] {
        khien::SourceContext ctx;
        // Three of the four senders are registered; the fourth is a stranger.
        ctx.exporter_for_address = [](const khien::IpAddress& ip) -> std::optional<khien::ExporterMatch> {
          if (ip == khien::IpAddress::from_v4(0xC0000203)) return std::nullopt;
          return khien::ExporterMatch{1, "soc-fuzz", "exp-fuzz", "org-fuzz"};
        };
        return ctx;
      }(),
      khien::fuzz::small_netflow_caps());
  return instance;
}

}  // namespace

// Input: as netflow_fuzz (netflow_fuzz_input.h).
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static khien::NetflowRecordDecoder decoder;
  static khien::Arena arena(64 * 1024);
  khien::fuzz::for_each_packet(data, size, [](std::span<const std::uint8_t> packet, const khien::IpAddress& sender,
                                              khien::TimeNs now) { handler().handle(packet, sender, now); });
  // Every record the collector spools must be accepted by the decoder the pipeline runs.
  for (std::size_t i = 0; i < handler().pending(); ++i) {
    khien::Event event(arena);
    if (!decoder.decode(handler().pending_record(i), event)) std::abort();
    arena.reset();
  }
  handler().flush();
  handler().expire(khien::fuzz::packet_clock());
  return 0;
}
