// Fuzz target: the NetFlow v5/v9/IPFIX decoder, with template state carried across packets from a few exporters.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "core/arena.h"
#include "ingest/netflow_decoder.h"
#include "netflow_fuzz_input.h"

namespace {

// One decoder for the whole run so templates learnt from one input meet data sets of the next.
khien::NetflowDecoder& decoder() {
  static khien::NetflowDecoder instance(khien::fuzz::small_netflow_caps());
  return instance;
}

}  // namespace

// Input: netflow_fuzz_input.h (a control byte, then the UDP payload; packets separated by "NFPK").
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  khien::Arena arena(64 * 1024);
  std::vector<khien::Event> events;
  khien::fuzz::for_each_packet(data, size, [&](std::span<const std::uint8_t> packet, const khien::IpAddress& exporter,
                                               khien::TimeNs now) {
    auto result = decoder().decode(packet, exporter, now, arena, events);
    if (!result && result.error().message.empty()) std::abort();
    for (const khien::Event& e : events)
      for (const auto& slot : e) (void)slot.value.type;
    events.clear();
    arena.reset();
  });
  if (decoder().template_count() > 128 || decoder().exporter_count() > 8) std::abort();
  return 0;
}
