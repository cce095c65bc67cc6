// Fuzz target: the NetFlow/IPFIX collector's packet path (exporter lookup, decoding with templates kept across
// packets, binary flow records) and the netflow record decoder reading every record back.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "core/arena.h"
#include "decode/netflow_record_decoder.h"
#include "ingest/netflow_udp_source.h"

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
      [] {
        khien::NetflowDecoderOptions o;
        o.max_exporters = 8;
        o.max_templates_per_exporter = 32;
        o.max_templates = 128;
        o.template_lifetime = 60LL * 1'000'000'000;
        return o;
      }());
  return instance;
}

}  // namespace

// Input: as netflow_fuzz: one control byte (sender of four, clock step), then the UDP payload;
// packets separated by "NFPK".
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static khien::TimeNs clock = 1'700'000'000LL * 1'000'000'000;
  static const khien::IpAddress senders[] = {khien::IpAddress::from_v4(0xC0000201), khien::IpAddress::from_v4(0xC0000202),
                                             *khien::IpAddress::parse("2001:db8::1"), khien::IpAddress::from_v4(0xC0000203)};
  static khien::NetflowRecordDecoder decoder;
  static khien::Arena arena(64 * 1024);
  std::size_t pos = 0;
  while (pos < size) {
    std::uint8_t control = data[pos++];
    std::size_t end = pos;
    while (end + 4 <= size && !(data[end] == 'N' && data[end + 1] == 'F' && data[end + 2] == 'P' && data[end + 3] == 'K'))
      ++end;
    if (end + 4 > size) end = size;
    clock += static_cast<khien::TimeNs>(control >> 2) * 1'000'000'000;
    handler().handle(std::span<const std::uint8_t>(data + pos, end - pos), senders[control & 3], clock);
    pos = end + 4;
  }
  // Every record the collector spools must be accepted by the decoder the pipeline runs.
  for (std::size_t i = 0; i < handler().pending(); ++i) {
    khien::Event event(arena);
    if (!decoder.decode(handler().pending_record(i), event)) std::abort();
    arena.reset();
  }
  handler().flush();
  handler().expire(clock);
  return 0;
}
