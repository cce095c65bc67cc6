// NetFlow v5 (Cisco), NetFlow v9 (RFC 3954) and IPFIX (RFC 7011) packet decoding with per-exporter template state.
#include "ingest/netflow_decoder.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <string>
#include <unordered_map>

#include "core/field_dictionary.h"
#include "core/flow_record.h"
#include "core/netflow_information_elements.h"
#include "ingest/netflow_fields.h"

namespace khien {
namespace {

using namespace netflow_internal;

struct StreamKey {
  std::array<std::uint8_t, 16> address{};
  std::uint32_t domain = 0;
  std::uint8_t version = 0;
  friend bool operator==(const StreamKey&, const StreamKey&) = default;
};

struct StreamKeyHash {
  std::size_t operator()(const StreamKey& k) const {
    std::uint64_t a = 0, b = 0;
    std::memcpy(&a, k.address.data(), 8);
    std::memcpy(&b, k.address.data() + 8, 8);
    std::uint64_t h =
        a * 0x9E3779B97F4A7C15ULL ^ (b + 0x632BE59BD9B4E019ULL + (std::uint64_t{k.domain} << 8 | k.version));
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ULL;
    return static_cast<std::size_t>(h ^ (h >> 32));
  }
};

}  // namespace

struct NetflowDecoder::Impl {
  explicit Impl(NetflowDecoderOptions o) : options(o) {
    // NetFlow v5 records have one fixed layout; describing it as a template lets v5 share the
    // record decoder (and the `netflow.<ie name>` originals) with v9 and IPFIX.
    const std::pair<std::uint16_t, std::uint16_t> v5_layout[] = {
        {8, 4},  {12, 4},  {15, 4}, {10, 2}, {14, 2}, {2, 4},  {1, 4},  {22, 4}, {21, 4}, {7, 2},
        {11, 2}, {210, 1}, {6, 1},  {4, 1},  {5, 1},  {16, 2}, {17, 2}, {9, 1},  {13, 1}, {210, 2},
    };
    for (const auto& [id, length] : v5_layout) v5_template.fields.push_back(make_field(id, length, 0, false));
    v5_template.min_length = 48;
  }

  FieldSpec make_field(std::uint16_t id, std::uint16_t length, std::uint32_t pen, bool v9_scope) {
    FieldSpec f;
    f.id = id;
    f.length = length;
    f.pen = pen;
    // Names come from core/flow_record.h, which also lets the flow record refer to them by number.
    f.name = flow_field_id(flow_field_code(pen, id, v9_scope));
    if (v9_scope) {
      // NetFlow v9 scope field types have their own numbering (RFC 3954 §6.1).
      f.type = length <= 8 ? IeType::Unsigned : IeType::Octets;
    } else {
      f.role = role_of(id, pen);
      const IeInfo* info = pen == 0 || pen == kReversePen ? find_information_element(id) : nullptr;
      if (info)
        f.type = info->type;
      else
        f.type = length != kVariableLength && length <= 8 ? IeType::Unsigned : IeType::Octets;
      if (pen == 0) f.tap = id == 10 ? FlowTaps::kIngressInterface : id == 14 ? FlowTaps::kEgressInterface
                          : id == 6  ? FlowTaps::kTcpFlags : FlowTaps::kNone;
    }
    plan_write(f);
    return f;
  }

  // Decides how decode_record() writes the field's original value: what original_value() would
  // make of a value of the template's length, and the element's reference as
  // FlowRecordWriter::add() writes it for f.name.
  static void plan_write(FieldSpec& f) {
    const FlowFieldCode code = flow_field_code_of(f.name);
    if (code == kNotAFlowField || f.length == kVariableLength) return;
    f.ref_length = flow_layout::encode_element_ref(code, f.ref);
    if (f.ref_length == 0) return;
    if (f.type == IeType::Unsigned && f.length >= 1 && f.length <= 8)
      f.write = FieldWrite::Uint;
    else if (f.type == IeType::Ipv4 && f.length == 4)
      f.write = FieldWrite::Ipv4;
    else if (f.type == IeType::Ipv6 && f.length == 16)
      f.write = FieldWrite::Ipv6;
  }

  Stream* stream_for(const IpAddress& exporter, NetflowVersion version, std::uint32_t domain, TimeNs now) {
    StreamKey key;
    key.address = exporter.bytes;
    key.domain = domain;
    key.version = static_cast<std::uint8_t>(version);
    if (last_stream && key == last_key) return last_stream;
    auto it = streams.find(key);
    if (it == streams.end()) {
      if (streams.size() >= options.max_exporters) {
        // Make room from idle streams at most once a second, so a flood of new exporters
        // does not turn every packet into a full sweep.
        if (now - last_sweep >= kNsPerSec || now < last_sweep) {
          last_sweep = now;
          sweep(now);
        }
        if (streams.size() >= options.max_exporters) return nullptr;
      }
      it = streams.emplace(key, Stream{}).first;
    }
    last_key = key;
    last_stream = &it->second;
    return last_stream;
  }

  bool expired(const Template& t, TimeNs now) const {
    return options.template_lifetime > 0 && now - t.refreshed > options.template_lifetime;
  }

  const Template* find_template(Stream& s, std::uint16_t id, TimeNs now) {
    auto it = s.templates.find(id);
    if (it == s.templates.end()) return nullptr;
    if (expired(it->second, now)) {
      s.templates.erase(it);
      --template_total;
      ++stats.templates_expired;
      return nullptr;
    }
    return &it->second;
  }

  std::size_t sweep(TimeNs now) {
    std::size_t removed = 0;
    for (auto it = streams.begin(); it != streams.end();) {
      Stream& s = it->second;
      for (auto t = s.templates.begin(); t != s.templates.end();) {
        if (expired(t->second, now)) {
          t = s.templates.erase(t);
          --template_total;
          ++removed;
          ++stats.templates_expired;
        } else {
          ++t;
        }
      }
      bool idle = options.template_lifetime > 0 ? now - s.last_seen > options.template_lifetime : false;
      if (s.templates.empty() && idle) {
        if (last_stream == &s) last_stream = nullptr;
        it = streams.erase(it);
      } else {
        ++it;
      }
    }
    return removed;
  }

  // Stores a template; false (counted) when a cap refuses it.
  void store_template(Stream& s, std::uint16_t id, Template&& t, TimeNs now) {
    t.refreshed = now;
    auto it = s.templates.find(id);
    if (it != s.templates.end()) {
      if (it->second.fields == t.fields && it->second.options == t.options && it->second.scope_count == t.scope_count) {
        ++stats.templates_refreshed;
        it->second.refreshed = now;
      } else {
        ++stats.templates_added;
        it->second = std::move(t);
      }
      return;
    }
    if (s.templates.size() >= options.max_templates_per_exporter || template_total >= options.max_templates) {
      ++stats.templates_over_limit;
      return;
    }
    s.templates.emplace(id, std::move(t));
    ++template_total;
    ++stats.templates_added;
  }

  // Finishes the template's derived lengths; false when no record could be delimited by it.
  bool finish_template(Template& t) {
    t.min_length = 0;
    t.variable = false;
    for (const FieldSpec& f : t.fields) {
      if (f.length == kVariableLength) {
        t.variable = true;
        t.min_length += 1;
      } else {
        t.min_length += f.length;
      }
    }
    // A record of zero bytes would repeat forever; a variable-length field always takes a byte.
    return t.min_length > 0;
  }

  // Decodes one record at p (at most `avail` bytes) into a record of `sink`. Returns the bytes it
  // took, or 0 when a variable-length field runs past `avail`. `sink` is null for options records.
  std::size_t decode_record(const Template& t, const std::uint8_t* p, std::size_t avail, const PacketContext& ctx,
                            Arena& arena, FlowSink* sink) {
    FlowValues v;
    FlowTaps taps;
    FlowRecordWriter* w = sink ? &sink->begin_flow() : nullptr;
    if (w) {
      // The class fields open the record, where the reader recognises them (decode_flow_record).
      const FlowClassFields& c = flow_class_fields();
      w->known_bytes(c.bytes, c.slots.size());
    }
    const bool originals = w && options.original_fields;
    // Elements of a known write are stored at `o` in this loop, a call per record rather than per
    // field; the writer's field cap is far above any template this decoder keeps, checked anyway.
    const bool fast = originals && t.fields.size() <= FlowRecordWriter::kMaxFields;
    std::uint8_t* o = w ? w->cursor() : nullptr;
    std::size_t written = 0;
    std::size_t pos = 0;
    for (const FieldSpec& f : t.fields) {
      std::size_t n = f.length;
      if (n == kVariableLength) {
        if (pos + 1 > avail) return 0;
        n = p[pos++];
        if (n == 255) {
          if (pos + 2 > avail) return 0;
          n = be16(p + pos);
          pos += 2;
        }
      }
      if (n > avail - pos) return 0;
      const std::uint8_t* value = p + pos;
      pos += n;
      if (n == 0) continue;
      if (!w) {
        if (f.role == Role::SystemInit) gather(v, f, value, n, arena);
        continue;
      }
      if (f.role > Role::Padding) gather(v, f, value, n, arena);
      if (!originals || f.role == Role::Padding) continue;
      if (w->full(o)) o = w->flush(o);
      std::uint64_t u = 0;
      if (fast && f.write == FieldWrite::Uint && (u = be_uint(value, n)) <= static_cast<std::uint64_t>(INT64_MAX)) {
        o = flow_layout::put_element_head(o, flow_layout::kInt, f.ref, f.ref_length);
        o = flow_layout::put_varint(o, flow_layout::zigzag(static_cast<std::int64_t>(u)));
        ++written;
        taps.note(f.tap, true, static_cast<std::int64_t>(u));
        continue;
      }
      if (fast && (f.write == FieldWrite::Ipv4 || f.write == FieldWrite::Ipv6)) {
        const bool v4 = f.write == FieldWrite::Ipv4;
        o = flow_layout::put_element_head(o, v4 ? flow_layout::kIpv4 : flow_layout::kIpv6, f.ref, f.ref_length);
        std::memcpy(o, value, v4 ? 4 : 16);
        o += v4 ? 4 : 16;
        ++written;
        continue;
      }
      Value original;
      original_value(f, value, n, arena, original);
      w->commit(o, written);
      written = 0;
      w->add(f.name, original);
      o = w->cursor();
      taps.note(f.tap, original.type == FieldType::Int, original.type == FieldType::Int ? original.i : 0);
    }
    if (!w) {
      if (v.has_system_init && ctx.stream) {
        ctx.stream->have_system_init = true;
        ctx.stream->system_init_ms = v.system_init_ms;
      }
      return pos;
    }
    w->commit(o, written);
    finish_flow_event(v, ctx, arena, *w);
    sink->end_flow(taps);
    return pos;
  }

  // --- per-version packet walkers; each returns an error message or empty on success ---

  struct Walk {
    NetflowPacketInfo info;
    std::uint64_t data_records = 0;  // IPFIX sequence increment (flow + options records)
    bool data_records_known = true;  // false when a data set had no template
    std::string error;
  };

  Result<NetflowPacketInfo> decode(std::span<const std::uint8_t> packet, const IpAddress& exporter, TimeNs received,
                                   Arena& arena, FlowSink& out) {
    ++stats.packets;
    Walk walk;
    if (packet.size() < 2) {
      walk.error = fmt::format("packet of {} bytes is too short for a NetFlow/IPFIX version", packet.size());
    } else {
      switch (be16(packet.data())) {
        case 5:
          walk_v5(packet, exporter, received, arena, out, walk);
          break;
        case 9:
          walk_v9(packet, exporter, received, arena, out, walk);
          break;
        case 10:
          walk_ipfix(packet, exporter, received, arena, out, walk);
          break;
        default:
          ++stats.packets_unknown_version;
          walk.error =
              fmt::format("unknown version {} (expected 5, 9 or 10 for NetFlow v5, v9, IPFIX)", be16(packet.data()));
      }
    }
    if (!walk.error.empty()) {
      ++stats.packets_malformed;
      return fail(std::move(walk.error));
    }
    stats.flow_records += walk.info.flow_records;
    stats.option_records += walk.info.option_records;
    stats.data_sets_without_template += walk.info.data_sets_without_template;
    return walk.info;
  }

  void track_sequence(Stream& s, std::uint32_t sequence, std::uint64_t increment, bool increment_known, Walk& w) {
    if (s.have_sequence) {
      std::int32_t diff = static_cast<std::int32_t>(sequence - s.next_sequence);
      if (diff > 0) {
        ++stats.sequence_gaps;
        stats.sequence_lost += static_cast<std::uint64_t>(diff);
        w.info.sequence_lost = static_cast<std::uint64_t>(diff);
      } else if (diff < 0) {
        ++stats.sequence_out_of_order;
      }
    }
    s.have_sequence = increment_known;
    s.next_sequence = sequence + static_cast<std::uint32_t>(increment);
  }

  void walk_v5(std::span<const std::uint8_t> pkt, const IpAddress& exporter, TimeNs received, Arena& arena,
               FlowSink& out, Walk& w) {
    if (pkt.size() < 24) {
      w.error = fmt::format("NetFlow v5: packet of {} bytes is shorter than the 24-byte header", pkt.size());
      return;
    }
    const std::uint8_t* p = pkt.data();
    std::uint16_t count = be16(p + 2);
    std::size_t need = 24 + std::size_t{count} * 48;
    if (pkt.size() < need) {
      w.error = fmt::format("NetFlow v5: header says {} records ({} bytes) but the packet has {} bytes", count, need,
                            pkt.size());
      return;
    }
    PacketContext ctx;
    ctx.version = NetflowVersion::V5;
    ctx.product = "NetFlow v5";
    ctx.have_uptime = true;
    ctx.uptime_ms = be32(p + 4);
    ctx.export_time = static_cast<TimeNs>(be32(p + 8)) * kNsPerSec + std::min<TimeNs>(be32(p + 12), kNsPerSec - 1);
    ctx.exporter = &exporter;
    std::uint32_t sequence = be32(p + 16);
    std::uint32_t domain = std::uint32_t{p[20]} << 8 | p[21];
    w.info.version = NetflowVersion::V5;
    w.info.domain = domain;
    w.info.sequence = sequence;
    w.info.export_time = ctx.export_time;
    Stream* s = stream_for(exporter, NetflowVersion::V5, domain, received);
    if (!s) {
      ++stats.exporters_over_limit;
      w.error = fmt::format("NetFlow v5: exporter {} not tracked: {} exporters already (max_exporters)",
                            exporter.to_string(), options.max_exporters);
      return;
    }
    s->last_seen = received;
    ctx.stream = s;
    for (std::uint16_t i = 0; i < count; ++i) decode_record(v5_template, p + 24 + std::size_t{i} * 48, 48, ctx, arena, &out);
    w.info.flow_records = count;
    track_sequence(*s, sequence, count, true, w);
  }

  void walk_v9(std::span<const std::uint8_t> pkt, const IpAddress& exporter, TimeNs received, Arena& arena,
               FlowSink& out, Walk& w) {
    if (pkt.size() < 20) {
      w.error = fmt::format("NetFlow v9: packet of {} bytes is shorter than the 20-byte header", pkt.size());
      return;
    }
    const std::uint8_t* p = pkt.data();
    PacketContext ctx;
    ctx.version = NetflowVersion::V9;
    ctx.product = "NetFlow v9";
    ctx.have_uptime = true;
    ctx.uptime_ms = be32(p + 4);
    ctx.export_time = static_cast<TimeNs>(be32(p + 8)) * kNsPerSec;
    const std::uint32_t sequence = be32(p + 12);
    Stream* s = open_stream(ctx, exporter, be32(p + 16), sequence, received, "source id", w);
    if (!s) return;
    walk_sets(pkt, 20, pkt.size(), ctx, received, arena, out, w, false);
    if (w.error.empty()) track_sequence(*s, sequence, 1, true, w);
  }

  // A v9 or IPFIX packet's exporter stream, the packet's header (ctx.version, product and export
  // time set) noted in `w`; null when the exporter cap refuses a new stream (w.error says so,
  // naming the domain as the version calls it).
  Stream* open_stream(PacketContext& ctx, const IpAddress& exporter, std::uint32_t domain, std::uint32_t sequence,
                      TimeNs received, const char* domain_name, Walk& w) {
    ctx.exporter = &exporter;
    w.info.version = ctx.version;
    w.info.domain = domain;
    w.info.sequence = sequence;
    w.info.export_time = ctx.export_time;
    Stream* s = stream_for(exporter, ctx.version, domain, received);
    if (!s) {
      ++stats.exporters_over_limit;
      w.error = fmt::format("{}: exporter {} {} {} not tracked: {} exporters already (max_exporters)", ctx.product,
                            exporter.to_string(), domain_name, domain, options.max_exporters);
      return nullptr;
    }
    s->last_seen = received;
    ctx.stream = s;
    return s;
  }

  void walk_ipfix(std::span<const std::uint8_t> pkt, const IpAddress& exporter, TimeNs received, Arena& arena,
                  FlowSink& out, Walk& w) {
    if (pkt.size() < 16) {
      w.error = fmt::format("IPFIX: packet of {} bytes is shorter than the 16-byte message header", pkt.size());
      return;
    }
    const std::uint8_t* p = pkt.data();
    std::size_t length = be16(p + 2);
    if (length < 16) {
      w.error = fmt::format("IPFIX: message length {} is shorter than the 16-byte message header", length);
      return;
    }
    if (length > pkt.size()) {
      w.error = fmt::format("IPFIX: message length {} but the packet has {} bytes (truncated)", length, pkt.size());
      return;
    }
    PacketContext ctx;
    ctx.version = NetflowVersion::Ipfix;
    ctx.product = "IPFIX";
    ctx.export_time = static_cast<TimeNs>(be32(p + 4)) * kNsPerSec;
    const std::uint32_t sequence = be32(p + 8);
    Stream* s = open_stream(ctx, exporter, be32(p + 12), sequence, received, "observation domain", w);
    if (!s) return;
    walk_sets(pkt, 16, length, ctx, received, arena, out, w, true);
    if (w.error.empty()) track_sequence(*s, sequence, w.data_records, w.data_records_known, w);
  }

  static bool all_zero(const std::uint8_t* p, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i)
      if (p[i] != 0) return false;
    return true;
  }

  void walk_sets(std::span<const std::uint8_t> pkt, std::size_t pos, std::size_t end, PacketContext& ctx,
                 TimeNs received, Arena& arena, FlowSink& out, Walk& w, bool ipfix) {
    const std::uint8_t* p = pkt.data();
    const char* proto = ipfix ? "IPFIX" : "NetFlow v9";
    const char* set_word = ipfix ? "set" : "flowset";
    while (pos < end) {
      std::size_t remaining = end - pos;
      // Exporters that pad the datagram (Palo Alto fills it with zeros) leave no set behind.
      if (remaining < 4 || all_zero(p + pos, remaining)) {
        if (!all_zero(p + pos, remaining)) {
          w.error =
              fmt::format("{}: byte {}: {} trailing bytes, shorter than a {} header", proto, pos, remaining, set_word);
        }
        return;
      }
      std::uint16_t set_id = be16(p + pos);
      std::size_t set_length = be16(p + pos + 2);
      if (set_length < 4) {
        w.error = fmt::format("{}: {} {} at byte {}: length {} shorter than the {} header", proto, set_word, set_id,
                              pos, set_length, set_word);
        return;
      }
      if (set_length > remaining) {
        w.error = fmt::format("{}: {} {} at byte {}: length {} runs past the end of the {} ({} bytes left)", proto,
                              set_word, set_id, pos, set_length, ipfix ? "message" : "packet", remaining);
        return;
      }
      const std::uint8_t* body = p + pos + 4;
      std::size_t body_length = set_length - 4;
      if (ipfix ? set_id == 2 : set_id == 0) {
        parse_templates(body, body_length, pos, set_id, ctx, received, w, ipfix);
      } else if (ipfix ? set_id == 3 : set_id == 1) {
        parse_options_templates(body, body_length, pos, set_id, ctx, received, w, ipfix);
      } else if (set_id >= 256) {
        parse_data(body, body_length, pos, set_id, ctx, received, arena, out, w, proto, set_word);
      }
      // Set ids 4..255 (IPFIX) and 2..255 (v9) are reserved: skipped by their length.
      if (!w.error.empty()) return;
      pos += set_length;
    }
  }

  void parse_templates(const std::uint8_t* b, std::size_t n, std::size_t set_pos, std::uint16_t set_id,
                       PacketContext& ctx, TimeNs received, Walk& w, bool ipfix) {
    const char* proto = ipfix ? "IPFIX" : "NetFlow v9";
    const char* set_word = ipfix ? "set" : "flowset";
    std::size_t pos = 0;
    while (n - pos >= 4 && !all_zero(b + pos, n - pos)) {
      std::uint16_t id = be16(b + pos);
      std::uint16_t count = be16(b + pos + 2);
      std::size_t at = set_pos + 4 + pos;
      pos += 4;
      ++w.info.templates;
      if (ipfix && count == 0) {
        withdraw(*ctx.stream, id, set_id, received);
        continue;
      }
      if (id < 256) {
        w.error = fmt::format("{}: {} {} at byte {}: template id {} is below 256", proto, set_word, set_id, at, id);
        return;
      }
      Template t;
      bool keep = count <= options.max_template_fields;
      if (keep) t.fields.reserve(count);
      for (std::uint16_t i = 0; i < count; ++i) {
        if (n - pos < 4) {
          w.error = fmt::format("{}: {} {} at byte {}: template {} declares {} fields but the {} ends after {}", proto,
                                set_word, set_id, at, id, count, set_word, i);
          return;
        }
        std::uint16_t type = be16(b + pos);
        std::uint16_t length = be16(b + pos + 2);
        pos += 4;
        std::uint32_t pen = 0;
        if (ipfix && (type & 0x8000)) {
          if (n - pos < 4) {
            w.error = fmt::format("{}: {} {} at byte {}: template {} field {} has no room for its enterprise number",
                                  proto, set_word, set_id, at, id, i + 1);
            return;
          }
          pen = be32(b + pos);
          pos += 4;
          type &= 0x7FFF;
        }
        if (keep) t.fields.push_back(make_field(type, length, pen, false));
      }
      if (!keep || !finish_template(t)) {
        ++stats.templates_rejected;
        continue;
      }
      store_template(*ctx.stream, id, std::move(t), received);
    }
  }

  void parse_options_templates(const std::uint8_t* b, std::size_t n, std::size_t set_pos, std::uint16_t set_id,
                               PacketContext& ctx, TimeNs received, Walk& w, bool ipfix) {
    const char* proto = ipfix ? "IPFIX" : "NetFlow v9";
    const char* set_word = ipfix ? "set" : "flowset";
    std::size_t pos = 0;
    constexpr std::size_t header = 6;  // template id + two 16-bit counts, in both protocols
    while (n - pos >= 4 && !all_zero(b + pos, n - pos)) {
      std::size_t at = set_pos + 4 + pos;
      std::uint16_t id = be16(b + pos);
      if (ipfix && be16(b + pos + 2) == 0) {  // withdrawal: template id and a zero field count
        pos += 4;
        ++w.info.templates;
        withdraw(*ctx.stream, id, set_id, received);
        continue;
      }
      if (n - pos < header) {
        w.error = fmt::format("{}: {} {} at byte {}: options template record of {} bytes is shorter than its header",
                              proto, set_word, set_id, at, n - pos);
        return;
      }
      ++w.info.templates;
      std::size_t scope_count = 0, count = 0;
      if (ipfix) {
        count = be16(b + pos + 2);
        scope_count = be16(b + pos + 4);
        if (scope_count == 0 || scope_count > count) {
          w.error =
              fmt::format("IPFIX: set {} at byte {}: options template {} has scope field count {} (must be 1..{})",
                          set_id, at, id, scope_count, count);
          return;
        }
      } else {
        std::size_t scope_bytes = be16(b + pos + 2), option_bytes = be16(b + pos + 4);
        if (scope_bytes % 4 != 0 || option_bytes % 4 != 0) {
          w.error = fmt::format(
              "NetFlow v9: flowset {} at byte {}: options template {} scope length {} / option length "
              "{} not multiples of 4",
              set_id, at, id, scope_bytes, option_bytes);
          return;
        }
        scope_count = scope_bytes / 4;
        count = scope_count + option_bytes / 4;
      }
      pos += header;
      if (id < 256) {
        w.error =
            fmt::format("{}: {} {} at byte {}: options template id {} is below 256", proto, set_word, set_id, at, id);
        return;
      }
      Template t;
      t.options = true;
      t.scope_count = static_cast<std::uint16_t>(scope_count);
      bool keep = count <= options.max_template_fields;
      for (std::size_t i = 0; i < count; ++i) {
        if (n - pos < 4) {
          w.error = fmt::format("{}: {} {} at byte {}: options template {} declares {} fields but the {} ends after {}",
                                proto, set_word, set_id, at, id, count, set_word, i);
          return;
        }
        std::uint16_t type = be16(b + pos);
        std::uint16_t length = be16(b + pos + 2);
        pos += 4;
        std::uint32_t pen = 0;
        if (ipfix && (type & 0x8000)) {
          if (n - pos < 4) {
            w.error = fmt::format(
                "IPFIX: set {} at byte {}: options template {} field {} has no room for its enterprise "
                "number",
                set_id, at, id, i + 1);
            return;
          }
          pen = be32(b + pos);
          pos += 4;
          type &= 0x7FFF;
        }
        if (keep) t.fields.push_back(make_field(type, length, pen, !ipfix && i < scope_count));
      }
      if (!keep || !finish_template(t)) {
        ++stats.templates_rejected;
        continue;
      }
      store_template(*ctx.stream, id, std::move(t), received);
    }
  }

  // RFC 7011 §8.1: a template id with zero fields withdraws it; the set id itself (2 or 3)
  // withdraws every template (or options template) of the domain.
  void withdraw(Stream& s, std::uint16_t id, std::uint16_t set_id, TimeNs received) {
    if (id == set_id) {
      bool options_set = set_id == 3;
      for (auto it = s.templates.begin(); it != s.templates.end();) {
        if (it->second.options == options_set) {
          it = s.templates.erase(it);
          --template_total;
          ++stats.templates_withdrawn;
        } else {
          ++it;
        }
      }
      return;
    }
    auto it = s.templates.find(id);
    if (it != s.templates.end()) {
      s.templates.erase(it);
      --template_total;
      ++stats.templates_withdrawn;
    }
  }

  void parse_data(const std::uint8_t* b, std::size_t n, std::size_t set_pos, std::uint16_t set_id, PacketContext& ctx,
                  TimeNs received, Arena& arena, FlowSink& out, Walk& w, const char* proto,
                  const char* set_word) {
    const Template* t = find_template(*ctx.stream, set_id, received);
    if (!t) {
      ++w.info.data_sets_without_template;
      w.data_records_known = false;
      return;
    }
    std::size_t pos = 0;
    std::size_t record = 0;
    while (n - pos >= t->min_length) {
      // A variable-length template's trailing zero bytes are padding, not empty records.
      if (t->variable && all_zero(b + pos, n - pos)) break;
      FlowSink* sink = t->options ? nullptr : &out;
      std::size_t used = decode_record(*t, b + pos, n - pos, ctx, arena, sink);
      ++record;
      if (used == 0) {
        w.error = fmt::format("{}: {} {} at byte {}: record {} runs past the end of the {}", proto, set_word, set_id,
                              set_pos + 4 + pos, record, set_word);
        return;
      }
      pos += used;
      ++w.data_records;
      if (t->options)
        ++w.info.option_records;
      else
        ++w.info.flow_records;
    }
  }

  NetflowDecoderOptions options;
  NetflowStats stats;
  Template v5_template;
  std::unordered_map<StreamKey, Stream, StreamKeyHash> streams;
  std::size_t template_total = 0;
  StreamKey last_key;
  Stream* last_stream = nullptr;
  TimeNs last_sweep = 0;
};

NetflowDecoder::NetflowDecoder(NetflowDecoderOptions options) : impl_(std::make_unique<Impl>(options)) {}
NetflowDecoder::~NetflowDecoder() = default;

namespace {

// Collects a packet's flow records, to be read back into events.
class RecordSink final : public FlowSink {
 public:
  FlowRecordWriter& begin_flow() override {
    writer_.begin(records_);
    return writer_;
  }
  void end_flow(const FlowTaps&) override {
    writer_.finish();
    ends_.push_back(records_.size());
  }

  std::string records_;
  std::vector<std::size_t> ends_;

 private:
  FlowRecordWriter writer_;
};

}  // namespace

Result<NetflowPacketInfo> NetflowDecoder::decode(std::span<const std::uint8_t> packet, const IpAddress& exporter,
                                                 TimeNs received, Arena& arena, std::vector<Event>& out) {
  RecordSink sink;
  auto info = impl_->decode(packet, exporter, received, arena, sink);
  if (!info) return info;
  const std::size_t out_before = out.size();
  std::size_t start = 0;
  for (std::size_t end : sink.ends_) {
    if (auto st = decode_flow_record(std::string_view(sink.records_).substr(start, end - start), out.emplace_back(arena)); !st) {
      out.resize(out_before, Event(arena));
      return fail("NetFlow decoder wrote a record it cannot read back: " + st.error().message);
    }
    start = end;
  }
  return info;
}

Result<NetflowPacketInfo> NetflowDecoder::decode(std::span<const std::uint8_t> packet, const IpAddress& exporter,
                                                 TimeNs received, Arena& arena, FlowSink& sink) {
  return impl_->decode(packet, exporter, received, arena, sink);
}

std::size_t NetflowDecoder::expire(TimeNs now) {
  return impl_->sweep(now);
}
const NetflowStats& NetflowDecoder::stats() const {
  return impl_->stats;
}
std::size_t NetflowDecoder::exporter_count() const {
  return impl_->streams.size();
}
std::size_t NetflowDecoder::template_count() const {
  return impl_->template_total;
}

}  // namespace khien
