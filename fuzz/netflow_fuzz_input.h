// What the two NetFlow fuzz targets share: small decoder caps and the way an input is cut into packets.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "core/ip_address.h"
#include "core/time.h"
#include "ingest/netflow_decoder.h"

namespace khien::fuzz {

/// Small caps so the fuzzer reaches the limits.
inline NetflowDecoderOptions small_netflow_caps() {
  NetflowDecoderOptions o;
  o.max_exporters = 8;
  o.max_templates_per_exporter = 32;
  o.max_templates = 128;
  o.template_lifetime = 60LL * 1'000'000'000;
  return o;
}

/// The receive clock: it lives across inputs, as the decoder's templates do.
inline TimeNs& packet_clock() {
  static TimeNs clock = 1'700'000'000LL * 1'000'000'000;
  return clock;
}

/// Cuts an input into packets and hands each to `send(payload, sender, clock)`. An input is one
/// control byte (low two bits: the sender of four; the rest: seconds the clock moves on), then the
/// UDP payload; several packets separated by the bytes "NFPK" let one run send a template and then
/// data for it.
template <typename Send>
void for_each_packet(const std::uint8_t* data, std::size_t size, Send&& send) {
  static const IpAddress senders[] = {IpAddress::from_v4(0xC0000201), IpAddress::from_v4(0xC0000202),
                                      *IpAddress::parse("2001:db8::1"), IpAddress::from_v4(0xC0000203)};
  std::size_t pos = 0;
  while (pos < size) {
    const std::uint8_t control = data[pos++];
    std::size_t end = pos;
    while (end + 4 <= size && !(data[end] == 'N' && data[end + 1] == 'F' && data[end + 2] == 'P' && data[end + 3] == 'K'))
      ++end;
    if (end + 4 > size) end = size;
    packet_clock() += static_cast<TimeNs>(control >> 2) * 1'000'000'000;
    send(std::span<const std::uint8_t>(data + pos, end - pos), senders[control & 3], packet_clock());
    pos = end + 4;
  }
}

}  // namespace khien::fuzz
