// NetFlow/IPFIX field conversion: element values to typed event values, schema roles, and the flow event's schema fields.
#include "ingest/netflow_fields.h"

#include <fmt/format.h>

#include <bit>
#include <cstring>
#include <string>

namespace khien::netflow_internal {

Role role_of(std::uint16_t id, std::uint32_t pen) {
  if (pen == kReversePen) return id == 1 ? Role::ReverseOctets : id == 2 ? Role::ReversePackets : Role::None;
  if (pen != 0) return Role::None;
  switch (id) {
    case 1:
      return Role::Octets;
    case 2:
      return Role::Packets;
    case 4:
      return Role::Protocol;
    case 7:
      return Role::SrcPort;
    case 8:
    case 27:
      return Role::SrcIp;
    case 11:
      return Role::DstPort;
    case 12:
    case 28:
      return Role::DstIp;
    case 21:
      return Role::EndUptime;
    case 22:
      return Role::StartUptime;
    case 56:
      return Role::SrcMac;
    case 80:
      return Role::DstMac;
    case 85:
      return Role::OctetsTotal;
    case 86:
      return Role::PacketsTotal;
    case 96:
      return Role::AppName;
    case 148:
      return Role::FlowId;
    case 150:
    case 152:
    case 154:
    case 156:
      return Role::Start;
    case 151:
    case 153:
    case 155:
    case 157:
      return Role::End;
    case 158:
      return Role::StartDeltaUs;
    case 159:
      return Role::EndDeltaUs;
    case 160:
      return Role::SystemInit;
    case 161:
      return Role::DurationMs;
    case 162:
      return Role::DurationUs;
    case 210:
      return Role::Padding;
    case 231:
      return Role::InitiatorOctets;
    case 232:
      return Role::ResponderOctets;
    case 298:
      return Role::InitiatorPackets;
    case 299:
      return Role::ResponderPackets;
    case 322:
    case 323:
    case 324:
    case 325:
      return Role::Observation;
    default:
      return Role::None;
  }
}

namespace {

std::string_view hex_in(Arena& arena, const std::uint8_t* p, std::size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  if (n == 0) return {};
  char* out = static_cast<char*>(arena.allocate(n * 2, 1));
  for (std::size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[p[i] >> 4];
    out[2 * i + 1] = kDigits[p[i] & 15];
  }
  return {out, n * 2};
}

std::string_view mac_in(Arena& arena, const std::uint8_t* p) {
  static constexpr char kDigits[] = "0123456789abcdef";
  char* out = static_cast<char*>(arena.allocate(17, 1));
  for (int i = 0; i < 6; ++i) {
    out[3 * i] = kDigits[p[i] >> 4];
    out[3 * i + 1] = kDigits[p[i] & 15];
    if (i < 5) out[3 * i + 2] = ':';
  }
  return {out, 17};
}

// NTP timestamp (RFC 7011 §6.1.9-10: seconds since 1900 and a 2^-32 fraction) to Unix ns.
TimeNs ntp_to_ns(std::uint64_t v) {
  std::int64_t seconds = static_cast<std::int64_t>(v >> 32) - kNtpToUnixSeconds;
  std::uint64_t fraction = v & 0xFFFFFFFFULL;
  return seconds * kNsPerSec + static_cast<TimeNs>((fraction * 1'000'000'000ULL) >> 32);
}

// The absolute time of a dateTime* element, or false when the length does not fit the type.
bool date_of(IeType type, const std::uint8_t* p, std::size_t n, TimeNs& out) {
  switch (type) {
    case IeType::DateSeconds:
      if (n != 4 && n != 8) return false;
      // Past year 2262 the nanosecond clock overflows; such a stamp is garbage, not a time.
      if (be_uint(p, n) > static_cast<std::uint64_t>(INT64_MAX / kNsPerSec)) return false;
      out = static_cast<TimeNs>(be_uint(p, n)) * kNsPerSec;
      return true;
    case IeType::DateMilliseconds:
      if (n != 8 && n != 4 && n != 6) return false;
      if (be_uint(p, n) > static_cast<std::uint64_t>(INT64_MAX / kNsPerMs)) return false;
      out = static_cast<TimeNs>(be_uint(p, n)) * kNsPerMs;
      return true;
    case IeType::DateMicroseconds:
    case IeType::DateNanoseconds:
      if (n != 8) return false;
      out = ntp_to_ns(be_uint(p, 8));
      return true;
    default:
      return false;
  }
}

std::string_view decimal_in(Arena& arena, std::uint64_t v) {
  char buffer[24];
  auto r = fmt::format_to_n(buffer, sizeof buffer, "{}", v);
  return arena.copy(std::string_view(buffer, r.size));
}

}  // namespace

// The original value of a field as the event keeps it, member by member.
void original_value(const FieldSpec& f, const std::uint8_t* p, std::size_t n, Arena& arena, Value& out) {
  auto integer = [&out](std::int64_t v) {
    out.type = FieldType::Int;
    out.i = v;
  };
  auto text = [&out](std::string_view v) { out.s = v; };  // out.type is String already
  IeType type = f.type;
  switch (type) {
    case IeType::Unsigned:
      if (n <= 8) {
        std::uint64_t v = be_uint(p, n);
        if (v <= static_cast<std::uint64_t>(INT64_MAX)) return integer(static_cast<std::int64_t>(v));
        return text(decimal_in(arena, v));
      }
      break;
    case IeType::Float:
      if (n == 8 || n == 4) {
        out.type = FieldType::Float;
        out.f = n == 8 ? std::bit_cast<double>(be_uint(p, 8)) : std::bit_cast<float>(static_cast<std::uint32_t>(be_uint(p, 4)));
        return;
      }
      break;
    case IeType::Boolean:
      if (n == 1 && (p[0] == 1 || p[0] == 2)) {
        out.type = FieldType::Bool;
        out.b = p[0] == 1;
        return;
      }
      break;
    case IeType::Ipv4:
      if (n == 4) {
        // IPv4-mapped, as IpAddress::from_v4 makes it; the packet holds the address in network order.
        out.type = FieldType::Ip;
        out.ip.bytes[10] = out.ip.bytes[11] = 0xFF;
        std::memcpy(out.ip.bytes.data() + 12, p, 4);
        out.ip.v4 = true;
        return;
      }
      break;
    case IeType::Ipv6:
      if (n == 16) {
        out.type = FieldType::Ip;
        std::memcpy(out.ip.bytes.data(), p, 16);
        return;
      }
      break;
    case IeType::Mac:
      if (n == 6) return text(mac_in(arena, p));
      break;
    case IeType::String: {
      // Exporters pad fixed-size string fields with NULs (Cisco ASA user names, Palo Alto App-ID).
      const void* nul = std::memchr(p, 0, n);
      std::size_t len = nul ? static_cast<std::size_t>(static_cast<const std::uint8_t*>(nul) - p) : n;
      return text(arena.copy(std::string_view(reinterpret_cast<const char*>(p), len)));
    }
    case IeType::DateSeconds:
    case IeType::DateMilliseconds:
    case IeType::DateMicroseconds:
    case IeType::DateNanoseconds: {
      TimeNs t = 0;
      if (date_of(type, p, n, t)) {
        out.type = FieldType::Timestamp;
        out.t = t;
        return;
      }
      break;
    }
    case IeType::Octets:
      break;
  }
  if (n <= 8 && type != IeType::Octets && type != IeType::String) return integer(static_cast<std::int64_t>(be_uint(p, n)));
  text(hex_in(arena, p, n));
}

namespace {

IpAddress ip_of(const std::uint8_t* p, std::size_t n) {
  if (n == 4) return IpAddress::from_v4(be32(p));
  IpAddress ip;
  std::memcpy(ip.bytes.data(), p, 16);
  return ip;
}

}  // namespace

// Applies a field's schema role to the record's gathered values.
void gather(FlowValues& v, const FieldSpec& f, const std::uint8_t* p, std::size_t n, Arena& arena) {
  auto uint_ok = [&] { return n >= 1 && n <= 8; };
  switch (f.role) {
    case Role::None:
    case Role::Padding:
      return;
    case Role::SrcIp:
      if (n == 4 || n == 16) {
        v.src_ip = ip_of(p, n);
        v.has_src_ip = true;
      }
      return;
    case Role::DstIp:
      if (n == 4 || n == 16) {
        v.dst_ip = ip_of(p, n);
        v.has_dst_ip = true;
      }
      return;
    case Role::SrcPort:
      if (uint_ok()) v.src_port = static_cast<std::int64_t>(be_uint(p, n) & 0xFFFF);
      return;
    case Role::DstPort:
      if (uint_ok()) v.dst_port = static_cast<std::int64_t>(be_uint(p, n) & 0xFFFF);
      return;
    case Role::Protocol:
      if (uint_ok()) v.protocol = static_cast<std::int64_t>(be_uint(p, n) & 0xFF);
      return;
#define KHIEN_NETFLOW_COUNTER(role, member, flag) \
  case Role::role:                                \
    if (uint_ok()) {                              \
      v.member = be_uint(p, n);                   \
      v.flag = true;                              \
    }                                             \
    return;
      KHIEN_NETFLOW_COUNTER(Octets, octets, has_octets)
      KHIEN_NETFLOW_COUNTER(Packets, packets, has_packets)
      KHIEN_NETFLOW_COUNTER(OctetsTotal, octets_total, has_octets_total)
      KHIEN_NETFLOW_COUNTER(PacketsTotal, packets_total, has_packets_total)
      KHIEN_NETFLOW_COUNTER(InitiatorOctets, init_octets, has_init_octets)
      KHIEN_NETFLOW_COUNTER(ResponderOctets, resp_octets, has_resp_octets)
      KHIEN_NETFLOW_COUNTER(InitiatorPackets, init_packets, has_init_packets)
      KHIEN_NETFLOW_COUNTER(ResponderPackets, resp_packets, has_resp_packets)
      KHIEN_NETFLOW_COUNTER(ReverseOctets, rev_octets, has_rev_octets)
      KHIEN_NETFLOW_COUNTER(ReversePackets, rev_packets, has_rev_packets)
#undef KHIEN_NETFLOW_COUNTER
    case Role::SrcMac:
      if (n == 6) v.src_mac = mac_in(arena, p);
      return;
    case Role::DstMac:
      if (n == 6) v.dst_mac = mac_in(arena, p);
      return;
    case Role::AppName: {
      const void* nul = std::memchr(p, 0, n);
      std::size_t len = nul ? static_cast<std::size_t>(static_cast<const std::uint8_t*>(nul) - p) : n;
      if (len > 0) v.app_name = arena.copy(std::string_view(reinterpret_cast<const char*>(p), len));
      return;
    }
    case Role::FlowId:
      if (uint_ok()) v.flow_id = static_cast<std::int64_t>(be_uint(p, n) & INT64_MAX);
      return;
    case Role::Start: {
      TimeNs t = 0;
      if (date_of(f.type, p, n, t)) {
        v.start = t;
        v.has_start = true;
      }
      return;
    }
    case Role::End: {
      TimeNs t = 0;
      if (date_of(f.type, p, n, t)) {
        v.end = t;
        v.has_end = true;
      }
      return;
    }
    case Role::Observation: {
      TimeNs t = 0;
      if (date_of(f.type, p, n, t)) {
        v.observation = t;
        v.has_observation = true;
      }
      return;
    }
    case Role::StartUptime:
      if (uint_ok()) {
        v.start_uptime = static_cast<std::uint32_t>(be_uint(p, n));
        v.has_start_uptime = true;
      }
      return;
    case Role::EndUptime:
      if (uint_ok()) {
        v.end_uptime = static_cast<std::uint32_t>(be_uint(p, n));
        v.has_end_uptime = true;
      }
      return;
    case Role::StartDeltaUs:
    case Role::EndDeltaUs:
      // Microseconds before the export time; resolved when the event is finished.
      if (uint_ok()) {
        TimeNs offset = static_cast<TimeNs>(be_uint(p, n) & 0xFFFFFFFFULL) * 1000;
        if (f.role == Role::StartDeltaUs) {
          v.start_delta = offset;
          v.has_start_delta = true;
        } else {
          v.end_delta = offset;
          v.has_end_delta = true;
        }
      }
      return;
    case Role::DurationMs:
      if (uint_ok()) v.duration_ms = static_cast<std::int64_t>(be_uint(p, n) & 0xFFFFFFFFULL);
      return;
    case Role::DurationUs:
      if (uint_ok()) v.duration_ms = static_cast<std::int64_t>((be_uint(p, n) & 0xFFFFFFFFULL) / 1000);
      return;
    case Role::SystemInit:
      // Past year 2262 (less a 32-bit uptime) the nanosecond clock overflows: such an anchor is
      // garbage, not a time, and sysUpTime stamps stay unanchored.
      if (uint_ok() && be_uint(p, n) <= static_cast<std::uint64_t>(INT64_MAX / kNsPerMs) - 0xFFFFFFFFULL) {
        v.system_init_ms = static_cast<std::int64_t>(be_uint(p, n));
        v.has_system_init = true;
      }
      return;
  }
}

void finish_flow_event(FlowValues& v, const PacketContext& ctx, Arena& arena, FlowRecordWriter& out) {
  using K = FlowKnownField;
  out.known_string(K::product_name, ctx.product);
  out.known_ip(K::device_ip, *ctx.exporter);
  if (v.has_src_ip) out.known_ip(K::src_ip, v.src_ip);
  if (v.src_port >= 0) out.known_int(K::src_port, v.src_port);
  if (v.has_dst_ip) out.known_ip(K::dst_ip, v.dst_ip);
  if (v.dst_port >= 0) out.known_int(K::dst_port, v.dst_port);
  if (!v.src_mac.empty()) out.known_string(K::src_mac, v.src_mac);
  if (!v.dst_mac.empty()) out.known_string(K::dst_mac, v.dst_mac);
  if (v.protocol >= 0)
    out.known_string(K::protocol_name, ip_protocol_name(static_cast<std::uint8_t>(v.protocol)));
  if (v.flow_id >= 0)
    out.known_string(K::connection_uid, decimal_in(arena, static_cast<std::uint64_t>(v.flow_id)));
  if (!v.app_name.empty()) out.known_string(K::app_name, v.app_name);

  // Directions: initiator/responder counters (RFC 5103 biflows, Cisco ASA NSEL) or forward and
  // reverse counters; the total is their sum unless the exporter gave a one-way total.
  bool bytes_out = false, bytes_in = false, packets_out = false, packets_in = false;
  std::uint64_t out_octets = 0, in_octets = 0, out_packets = 0, in_packets = 0;
  if (v.has_init_octets) {
    out_octets = v.init_octets;
    bytes_out = true;
  } else if (v.has_rev_octets && v.has_octets) {
    out_octets = v.octets;
    bytes_out = true;
  }
  if (v.has_resp_octets) {
    in_octets = v.resp_octets;
    bytes_in = true;
  } else if (v.has_rev_octets) {
    in_octets = v.rev_octets;
    bytes_in = true;
  }
  if (v.has_init_packets) {
    out_packets = v.init_packets;
    packets_out = true;
  } else if (v.has_rev_packets && v.has_packets) {
    out_packets = v.packets;
    packets_out = true;
  }
  if (v.has_resp_packets) {
    in_packets = v.resp_packets;
    packets_in = true;
  } else if (v.has_rev_packets) {
    in_packets = v.rev_packets;
    packets_in = true;
  }
  auto as_int = [](std::uint64_t x) { return static_cast<std::int64_t>(x & INT64_MAX); };
  if (bytes_out) out.known_int(K::bytes_out, as_int(out_octets));
  if (bytes_in) out.known_int(K::bytes_in, as_int(in_octets));
  if (packets_out) out.known_int(K::packets_out, as_int(out_packets));
  if (packets_in) out.known_int(K::packets_in, as_int(in_packets));
  if (v.has_octets && !v.has_rev_octets)
    out.known_int(K::bytes, as_int(v.octets));
  else if (v.has_octets_total && !v.has_rev_octets)
    out.known_int(K::bytes, as_int(v.octets_total));
  else if (bytes_out || bytes_in)
    out.known_int(K::bytes, as_int(out_octets + in_octets));
  if (v.has_packets && !v.has_rev_packets)
    out.known_int(K::packets, as_int(v.packets));
  else if (v.has_packets_total && !v.has_rev_packets)
    out.known_int(K::packets, as_int(v.packets_total));
  else if (packets_out || packets_in)
    out.known_int(K::packets, as_int(out_packets + in_packets));

  // Delta-microsecond stamps (158/159) count back from the export time.
  if (!v.has_start && v.has_start_delta) {
    v.start = ctx.export_time - v.start_delta;
    v.has_start = true;
  }
  if (!v.has_end && v.has_end_delta) {
    v.end = ctx.export_time - v.end_delta;
    v.has_end = true;
  }
  // sysUpTime stamps: v5/v9 anchor them on the header's uptime and export time; IPFIX on the
  // exporter's systemInitTimeMilliseconds.
  bool have_anchor = false;
  TimeNs anchor = 0;  // the absolute time of uptime 0
  if (ctx.have_uptime) {
    have_anchor = true;
    anchor = ctx.export_time - static_cast<TimeNs>(ctx.uptime_ms) * kNsPerMs;
  } else if (v.has_system_init) {
    have_anchor = true;
    anchor = v.system_init_ms * kNsPerMs;
  } else if (ctx.stream && ctx.stream->have_system_init) {
    have_anchor = true;
    anchor = ctx.stream->system_init_ms * kNsPerMs;
  }
  auto from_uptime = [&](std::uint32_t up) {
    if (ctx.have_uptime) {
      // Relative to the header's uptime so a wrapped 32-bit counter still gives the right age.
      std::int32_t age = static_cast<std::int32_t>(ctx.uptime_ms - up);
      return ctx.export_time - static_cast<TimeNs>(age) * kNsPerMs;
    }
    return anchor + static_cast<TimeNs>(up) * kNsPerMs;
  };
  if (!v.has_start && v.has_start_uptime && have_anchor) {
    v.start = from_uptime(v.start_uptime);
    v.has_start = true;
  }
  if (!v.has_end && v.has_end_uptime && have_anchor) {
    v.end = from_uptime(v.end_uptime);
    v.has_end = true;
  }

  TimeNs time = v.has_end ? v.end : v.has_start ? v.start : v.has_observation ? v.observation : ctx.export_time;
  out.known_time(K::time, time);
  std::int64_t duration = -1;
  if (v.has_start && v.has_end && v.end >= v.start)
    duration = (v.end - v.start) / kNsPerMs;
  else if (v.has_start_uptime && v.has_end_uptime)
    duration = static_cast<std::int32_t>(v.end_uptime - v.start_uptime);
  if (duration < 0) duration = v.duration_ms;
  if (duration >= 0) out.known_int(K::duration, duration);
}

}  // namespace khien::netflow_internal
