// Fuzz target: the NetFlow v5/v9/IPFIX decoder, with template state carried across packets from a few exporters.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "ingest/netflow_decoder.h"

namespace {

// Small caps so the fuzzer reaches the limits, and one decoder for the whole run so templates
// learnt from one input meet data sets of the next.
khien::NetflowDecoder& decoder() {
  static khien::NetflowDecoder instance([] {
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

// Input: one byte choosing the exporter (of four) and the clock step, then the UDP payload. An
// input may hold several packets separated by the bytes "NFPK" so one run can send a template
// and then data for it.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static khien::TimeNs clock = 1'700'000'000LL * 1'000'000'000;
  static const khien::IpAddress exporters[] = {
      khien::IpAddress::from_v4(0xC0000201), khien::IpAddress::from_v4(0xC0000202),
      *khien::IpAddress::parse("2001:db8::1"), khien::IpAddress::from_v4(0xC0000203)};
  khien::Arena arena(64 * 1024);
  std::vector<khien::Event> events;
  std::size_t pos = 0;
  while (pos < size) {
    std::uint8_t control = data[pos++];
    std::size_t end = pos;
    while (end + 4 <= size &&
           !(data[end] == 'N' && data[end + 1] == 'F' && data[end + 2] == 'P' && data[end + 3] == 'K'))
      ++end;
    if (end + 4 > size) end = size;
    clock += static_cast<khien::TimeNs>(control >> 2) * 1'000'000'000;
    auto result = decoder().decode(std::span<const std::uint8_t>(data + pos, end - pos), exporters[control & 3], clock,
                                   arena, events);
    if (!result && result.error().message.empty()) std::abort();
    for (const khien::Event& e : events)
      for (const auto& slot : e) (void)slot.value.type;
    events.clear();
    arena.reset();
    pos = end + 4;
  }
  if (decoder().template_count() > 128 || decoder().exporter_count() > 8) std::abort();
  return 0;
}
