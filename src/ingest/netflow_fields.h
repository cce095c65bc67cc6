// NetFlow/IPFIX decoding internals shared by the packet walkers (netflow_decoder.cpp) and the field conversion
// (netflow_fields.cpp): template fields and their schema roles, per-stream state, and record values to events.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/arena.h"
#include "core/event.h"
#include "core/ip_address.h"
#include "core/netflow_information_elements.h"
#include "core/time.h"
#include "ingest/netflow_decoder.h"

namespace khien::netflow_internal {

inline constexpr std::uint16_t kVariableLength = 65535;  // RFC 7011 §7
inline constexpr TimeNs kNsPerMs = 1'000'000;
inline constexpr TimeNs kNsPerSec = 1'000'000'000;
inline constexpr std::int64_t kNtpToUnixSeconds = 2'208'988'800;  // 1900-01-01 to 1970-01-01

inline std::uint16_t be16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>(p[0] << 8 | p[1]);
}
inline std::uint32_t be32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}
// Big-endian unsigned of 1..8 bytes (reduced-size encoding, RFC 7011 §6.2). The sizes exporters
// use (1, 2, 4, 8) are one load and a byte swap each; the others are gathered a byte at a time.
// Always inlined: with the switch GCC kept it out of line in gather(), a call per counter or port.
[[gnu::always_inline]] inline std::uint64_t be_uint(const std::uint8_t* p, std::size_t n) {
  switch (n) {
    case 1:
      return p[0];
    case 2:
      return be16(p);
    case 4:
      return be32(p);
    case 8:
      return std::uint64_t{be32(p)} << 32 | be32(p + 4);
    default: {
      std::uint64_t v = 0;
      for (std::size_t i = 0; i < n; ++i) v = v << 8 | p[i];
      return v;
    }
  }
}

// What a field means for the common schema (beyond its original `netflow.<name>` value).
enum class Role : std::uint8_t {
  None,
  Padding,
  SrcIp,
  DstIp,
  SrcPort,
  DstPort,
  Protocol,
  Octets,
  Packets,
  OctetsTotal,
  PacketsTotal,
  InitiatorOctets,
  ResponderOctets,
  InitiatorPackets,
  ResponderPackets,
  ReverseOctets,
  ReversePackets,
  SrcMac,
  DstMac,
  FlowId,
  Start,
  End,
  StartUptime,
  EndUptime,
  StartDeltaUs,
  EndDeltaUs,
  DurationMs,
  DurationUs,
  Observation,
  SystemInit,
  AppName,
};

/// The schema role of element `id` of enterprise `pen`.
Role role_of(std::uint16_t id, std::uint32_t pen);

// How a template field's original value is written into the binary flow record. Fixed-length
// fields whose value type the template already tells are written in the decoder's loop, with the
// reference encoded once; the rest go through original_value() and FlowRecordWriter::add().
enum class FieldWrite : std::uint8_t { Generic, Uint, Ipv4, Ipv6 };

struct FieldSpec {
  std::uint16_t id = 0;
  std::uint16_t length = 0;  // kVariableLength for variable-length fields
  std::uint32_t pen = 0;
  FieldId name = field::none;
  IeType type = IeType::Unsigned;
  Role role = Role::None;
  FieldWrite write = FieldWrite::Generic;
  std::uint8_t tap = FlowTaps::kNone;  // which FlowTaps entry the field feeds
  std::uint8_t ref_length = 0;          // bytes of `ref`
  std::uint64_t ref = 0;                // the element's reference as the record writes it (varint, little end first)
  friend bool operator==(const FieldSpec& a, const FieldSpec& b) {
    return a.id == b.id && a.length == b.length && a.pen == b.pen;
  }
};

struct Template {
  std::vector<FieldSpec> fields;
  std::uint16_t scope_count = 0;
  bool options = false;
  bool variable = false;
  std::uint32_t min_length = 0;  // the record length when not variable
  TimeNs refreshed = 0;
};

// One exporter's stream: (address, version, observation domain / source id).
struct Stream {
  std::unordered_map<std::uint16_t, Template> templates;
  bool have_sequence = false;
  std::uint32_t next_sequence = 0;
  TimeNs last_seen = 0;
  bool have_system_init = false;
  std::int64_t system_init_ms = 0;  // IPFIX systemInitTimeMilliseconds from an options record
};

// Per-packet header context the record decoder needs.
struct PacketContext {
  NetflowVersion version = NetflowVersion::V5;
  std::string_view product;
  TimeNs export_time = 0;
  bool have_uptime = false;  // v5/v9: header sysUpTime (ms) anchors sysUpTime stamps
  std::uint32_t uptime_ms = 0;
  const IpAddress* exporter = nullptr;
  Stream* stream = nullptr;
};

// Schema-relevant values gathered while walking one record. One is made per record, so only what
// tells a value is present is initialised (sentinels and one-bit flags, a few stores); a zeroed
// struct of every value cost a `rep stos` of 280 bytes a record. A value is read only when its
// flag (or sentinel) says it was gathered.
struct FlowValues {
  IpAddress src_ip, dst_ip;
  std::int64_t src_port = -1, dst_port = -1, protocol = -1;
  std::uint64_t octets, packets, octets_total, packets_total;
  std::uint64_t init_octets, resp_octets, init_packets, resp_packets, rev_octets, rev_packets;
  std::string_view src_mac, dst_mac, app_name;
  std::int64_t flow_id = -1;
  TimeNs start, end, observation;
  TimeNs start_delta, end_delta;
  std::uint32_t start_uptime, end_uptime;
  std::int64_t duration_ms = -1;
  std::int64_t system_init_ms;
  bool has_src_ip : 1 = false, has_dst_ip : 1 = false;
  bool has_octets : 1 = false, has_packets : 1 = false, has_octets_total : 1 = false, has_packets_total : 1 = false;
  bool has_init_octets : 1 = false, has_resp_octets : 1 = false, has_init_packets : 1 = false,
      has_resp_packets : 1 = false;
  bool has_rev_octets : 1 = false, has_rev_packets : 1 = false;
  bool has_start : 1 = false, has_end : 1 = false, has_observation : 1 = false;
  bool has_start_delta : 1 = false, has_end_delta : 1 = false;
  bool has_start_uptime : 1 = false, has_end_uptime : 1 = false;
  bool has_system_init : 1 = false;
};

/// Writes the original value of a field, as the event keeps it, into `out` (a zeroed Value).
void original_value(const FieldSpec& f, const std::uint8_t* p, std::size_t n, Arena& arena, Value& out);
/// Applies a field's schema role to the record's gathered values.
void gather(FlowValues& v, const FieldSpec& f, const std::uint8_t* p, std::size_t n, Arena& arena);
/// Writes the schema fields of a finished record (endpoints, counters, time, duration; the class
/// fields open the record, written by the decoder);
/// strings it makes go to `arena`.
void finish_flow_event(FlowValues& v, const PacketContext& ctx, Arena& arena, FlowRecordWriter& out);

}  // namespace khien::netflow_internal
