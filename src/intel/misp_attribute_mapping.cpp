// MISP attribute types → STIX 2.1 observables and pattern comparisons; STIX writing helpers.
#include "intel/misp_attribute_mapping.h"

#include <openssl/evp.h>

#include <array>
#include <charconv>
#include <cstdio>
#include <functional>
#include <unordered_map>

#include <fmt/format.h>

#include "core/ip_address.h"
#include "core/text.h"
#include "core/time.h"
#include "intel/observable_normalizer.h"

namespace khien {

using nlohmann::json;

namespace {

std::string clip(std::string_view s) {
  return std::string(s.substr(0, 80)) + (s.size() > 80 ? "…" : "");
}

json sco(std::string_view type, std::string_view uuid) {
  return json{{"type", type}, {"spec_version", "2.1"}, {"id", fmt::format("{}--{}", type, uuid)}};
}

/// An address or network, canonical text and its STIX type.
struct IpValue {
  std::string text, type;
  bool network = false;
};

Result<IpValue> parse_ip(std::string_view value) {
  value = trim_whitespace(value);
  if (auto ip = IpAddress::parse(value)) return IpValue{ip->to_string(), ip->v4 ? "ipv4-addr" : "ipv6-addr", false};
  if (auto p = IpPrefix::parse(value)) {
    bool host = p->bits == (p->address.v4 ? 32 : 128);
    return IpValue{host ? p->address.to_string() : p->to_string(), p->address.v4 ? "ipv4-addr" : "ipv6-addr", !host};
  }
  return fail(fmt::format("'{}' is not an IP address or CIDR", clip(value)));
}

Result<int> parse_port(std::string_view value) {
  value = trim_whitespace(value);
  int port = -1;
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), port);
  if (ec != std::errc() || p != value.data() + value.size() || port < 0 || port > 65535)
    return fail(fmt::format("'{}' is not a port number (0..65535)", clip(value)));
  return port;
}

Result<std::string> checked_domain(std::string_view value) {
  value = trim_whitespace(value);
  if (!normalize_domain(value)) return fail(fmt::format("'{}' is not a domain name", clip(value)));
  return std::string(value);
}

/// A pair value "a|b" (MISP's composite types); the split is at the last '|' for |port and at
/// the first one otherwise (file names may hold '|' only before the digest).
bool split_pair(std::string_view value, std::string_view& a, std::string_view& b, bool last) {
  auto bar = last ? value.rfind('|') : value.find('|');
  if (bar == std::string_view::npos) return false;
  a = trim_whitespace(value.substr(0, bar));
  b = trim_whitespace(value.substr(bar + 1));
  return true;
}

/// STIX hash algorithm names (as misp-stix writes them) and the hex digits a digest has (0: not hex).
struct HashAlgo {
  std::string_view misp, stix;
  std::size_t digits;
};
constexpr std::array<HashAlgo, 12> kHashes{{
    {"md5", "MD5", 32},
    {"sha1", "SHA-1", 40},
    {"sha224", "SHA-224", 56},
    {"sha256", "SHA-256", 64},
    {"sha384", "SHA-384", 96},
    {"sha512", "SHA-512", 128},
    {"sha3-224", "SHA3-224", 56},
    {"sha3-256", "SHA3-256", 64},
    {"sha3-384", "SHA3-384", 96},
    {"sha3-512", "SHA3-512", 128},
    {"ssdeep", "SSDEEP", 0},
    {"tlsh", "TLSH", 0},
}};

const HashAlgo* find_hash(std::string_view misp) {
  for (const auto& h : kHashes)
    if (h.misp == misp) return &h;
  return nullptr;
}

const HashAlgo* hash_by_digits(std::size_t digits) {
  switch (digits) {
    case 32: return find_hash("md5");
    case 40: return find_hash("sha1");
    case 64: return find_hash("sha256");
    case 128: return find_hash("sha512");
    default: return nullptr;
  }
}

std::string hash_path(std::string_view object, const HashAlgo& h) {
  bool plain = h.stix.find('-') == std::string_view::npos;
  return plain ? fmt::format("{}:hashes.{}", object, h.stix) : fmt::format("{}:hashes.'{}'", object, h.stix);
}

Result<std::string> checked_digest(const HashAlgo& h, std::string_view value) {
  value = trim_whitespace(value);
  if (value.empty()) return fail("empty digest");
  if (h.digits) {
    bool hex = value.size() == h.digits;
    for (char c : value) hex = hex && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'));
    if (!hex) return fail(fmt::format("'{}' is not a {}-digit hex {} digest", clip(value), h.digits, h.stix));
    return ascii_lower(value);
  }
  return std::string(value);
}

using Mapper = std::function<Status(std::string_view type, std::string_view value, std::string_view uuid, MispStixMapping&)>;

Status map_ip(std::string_view type, std::string_view value, std::string_view uuid, MispStixMapping& m) {
  auto ip = parse_ip(value);
  if (!ip) return tl::unexpected(ip.error());
  auto o = sco(ip->type, uuid);
  o["value"] = ip->text;
  m.observables.push_back(std::move(o));
  std::string path = type == "ip-src"   ? "network-traffic:src_ref.value"
                     : type == "ip-dst" ? "network-traffic:dst_ref.value"
                                        : ip->type + ":value";
  m.comparisons.push_back(fmt::format("{} {} {}", path, ip->network ? "ISSUBSET" : "=", stix_quote(ip->text)));
  m.identifying.emplace_back(ip->type, ip->text);
  return {};
}

Status map_ip_port(std::string_view type, std::string_view value, std::string_view uuid, MispStixMapping& m) {
  std::string_view a, b;
  if (!split_pair(value, a, b, true)) return fail("expected 'address|port'");
  auto ip = parse_ip(a);
  if (!ip) return tl::unexpected(ip.error());
  auto port = parse_port(b);
  if (!port) return tl::unexpected(port.error());
  bool src = type == "ip-src|port";
  auto addr = sco(ip->type, uuid);
  addr["value"] = ip->text;
  auto nt = sco("network-traffic", uuid);
  nt[src ? "src_ref" : "dst_ref"] = addr["id"];
  nt[src ? "src_port" : "dst_port"] = *port;
  nt["protocols"] = json::array({ip->type == "ipv4-addr" ? "ipv4" : "ipv6"});
  m.observables.push_back(std::move(nt));
  m.observables.push_back(std::move(addr));
  std::string side = src ? "src" : "dst";
  m.comparisons.push_back(
      fmt::format("network-traffic:{}_ref.value {} {}", side, ip->network ? "ISSUBSET" : "=", stix_quote(ip->text)));
  m.comparisons.push_back(fmt::format("network-traffic:{}_port = {}", side, *port));
  m.identifying.emplace_back(ip->type, ip->text);
  return {};
}

Status map_domain(std::string_view, std::string_view value, std::string_view uuid, MispStixMapping& m) {
  auto d = checked_domain(value);
  if (!d) return tl::unexpected(d.error());
  auto o = sco("domain-name", uuid);
  o["value"] = *d;
  m.observables.push_back(std::move(o));
  m.comparisons.push_back("domain-name:value = " + stix_quote(*d));
  m.identifying.emplace_back("domain-name", *d);
  return {};
}

Status map_domain_ip(std::string_view, std::string_view value, std::string_view uuid, MispStixMapping& m) {
  std::string_view a, b;
  if (!split_pair(value, a, b, false)) return fail("expected 'domain|address'");
  auto d = checked_domain(a);
  if (!d) return tl::unexpected(d.error());
  auto ip = parse_ip(b);
  if (!ip) return tl::unexpected(ip.error());
  auto addr = sco(ip->type, uuid);
  addr["value"] = ip->text;
  auto dn = sco("domain-name", uuid);
  dn["value"] = *d;
  dn["resolves_to_refs"] = json::array({addr["id"]});
  m.observables.push_back(std::move(dn));
  m.observables.push_back(std::move(addr));
  m.comparisons.push_back("domain-name:value = " + stix_quote(*d));
  m.comparisons.push_back("domain-name:resolves_to_refs[*].value = " + stix_quote(ip->text));
  m.identifying.emplace_back("domain-name", *d);
  return {};
}

Status map_hostname_port(std::string_view, std::string_view value, std::string_view uuid, MispStixMapping& m) {
  std::string_view a, b;
  if (!split_pair(value, a, b, true)) return fail("expected 'hostname|port'");
  auto d = checked_domain(a);
  if (!d) return tl::unexpected(d.error());
  auto port = parse_port(b);
  if (!port) return tl::unexpected(port.error());
  auto dn = sco("domain-name", uuid);
  dn["value"] = *d;
  auto nt = sco("network-traffic", uuid);
  nt["dst_ref"] = dn["id"];
  nt["dst_port"] = *port;
  nt["protocols"] = json::array({"tcp"});
  m.observables.push_back(std::move(nt));
  m.observables.push_back(std::move(dn));
  m.comparisons.push_back("network-traffic:dst_ref.value = " + stix_quote(*d));
  m.comparisons.push_back(fmt::format("network-traffic:dst_port = {}", *port));
  m.identifying.emplace_back("domain-name", *d);
  return {};
}

Status map_url(std::string_view, std::string_view value, std::string_view uuid, MispStixMapping& m) {
  value = trim_whitespace(value);
  if (value.empty()) return fail("empty URL");
  auto o = sco("url", uuid);
  o["value"] = std::string(value);
  m.observables.push_back(std::move(o));
  m.comparisons.push_back("url:value = " + stix_quote(value));
  m.identifying.emplace_back("url", std::string(value));
  return {};
}

Status add_digest(const HashAlgo& h, std::string_view value, json& file, MispStixMapping& m) {
  auto digest = checked_digest(h, value);
  if (!digest) return tl::unexpected(digest.error());
  file["hashes"][std::string(h.stix)] = *digest;
  m.comparisons.push_back(hash_path("file", h) + " = " + stix_quote(*digest));
  m.identifying.emplace_back("file-hash", *digest);
  return {};
}

Status map_hash(std::string_view type, std::string_view value, std::string_view uuid, MispStixMapping& m) {
  const HashAlgo* h = find_hash(type);
  if (!h) h = hash_by_digits(trim_whitespace(value).size());
  if (!h) return fail(fmt::format("'{}' is not an MD5, SHA-1, SHA-256 or SHA-512 digest", clip(value)));
  auto file = sco("file", uuid);
  if (auto st = add_digest(*h, value, file, m); !st) return st;
  m.observables.push_back(std::move(file));
  return {};
}

Status map_filename(std::string_view, std::string_view value, std::string_view uuid, MispStixMapping& m) {
  value = trim_whitespace(value);
  if (value.empty()) return fail("empty file name");
  auto file = sco("file", uuid);
  file["name"] = std::string(value);
  m.observables.push_back(std::move(file));
  m.comparisons.push_back("file:name = " + stix_quote(value));
  return {};
}

Status map_filename_hash(std::string_view type, std::string_view value, std::string_view uuid, MispStixMapping& m) {
  const HashAlgo* h = find_hash(type.substr(type.find('|') + 1));
  std::string_view a, b;
  if (!h || !split_pair(value, a, b, true)) return fail("expected 'filename|digest'");
  if (a.empty()) return fail("empty file name");
  auto file = sco("file", uuid);
  file["name"] = std::string(a);
  m.comparisons.push_back("file:name = " + stix_quote(a));
  if (auto st = add_digest(*h, b, file, m); !st) return st;
  m.observables.push_back(std::move(file));
  return {};
}

Status map_email(std::string_view type, std::string_view value, std::string_view uuid, MispStixMapping& m) {
  value = trim_whitespace(value);
  if (!normalize_email(value)) return fail(fmt::format("'{}' is not an e-mail address", clip(value)));
  auto o = sco("email-addr", uuid);
  o["value"] = std::string(value);
  m.observables.push_back(std::move(o));
  std::string path = type == "email-src"   ? "email-message:from_ref.value"
                     : type == "email-dst" ? "email-message:to_refs[*].value"
                                           : "email-addr:value";
  m.comparisons.push_back(path + " = " + stix_quote(value));
  m.identifying.emplace_back("email-addr", std::string(value));
  return {};
}

Status map_email_subject(std::string_view, std::string_view value, std::string_view uuid, MispStixMapping& m) {
  auto o = sco("email-message", uuid);
  o["is_multipart"] = false;
  o["subject"] = std::string(value);
  m.observables.push_back(std::move(o));
  m.comparisons.push_back("email-message:subject = " + stix_quote(value));
  return {};
}

Status map_as(std::string_view, std::string_view value, std::string_view uuid, MispStixMapping& m) {
  value = trim_whitespace(value);
  if (value.size() > 2 && (value[0] == 'A' || value[0] == 'a') && (value[1] == 'S' || value[1] == 's'))
    value.remove_prefix(2);
  std::uint32_t number = 0;
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
  if (ec != std::errc() || p != value.data() + value.size() || value.empty())
    return fail(fmt::format("'{}' is not an AS number", clip(value)));
  auto o = sco("autonomous-system", uuid);
  o["number"] = number;
  m.observables.push_back(std::move(o));
  m.comparisons.push_back(fmt::format("autonomous-system:number = {}", number));
  return {};
}

Status map_simple(std::string_view sco_type, std::string_view property, std::string_view value,
                  std::string_view uuid, MispStixMapping& m) {
  value = trim_whitespace(value);
  if (value.empty()) return fail("empty value");
  auto o = sco(sco_type, uuid);
  o[std::string(property)] = std::string(value);
  m.observables.push_back(std::move(o));
  m.comparisons.push_back(fmt::format("{}:{} = {}", sco_type, property, stix_quote(value)));
  return {};
}

Status map_regkey_value(std::string_view, std::string_view value, std::string_view uuid, MispStixMapping& m) {
  std::string_view a, b;
  if (!split_pair(value, a, b, false) || a.empty()) return fail("expected 'key|data'");
  auto o = sco("windows-registry-key", uuid);
  o["key"] = std::string(a);
  o["values"] = json::array({json{{"data", std::string(b)}}});
  m.observables.push_back(std::move(o));
  m.comparisons.push_back("windows-registry-key:key = " + stix_quote(a));
  m.comparisons.push_back("windows-registry-key:values[*].data = " + stix_quote(b));
  return {};
}

Status map_x509(std::string_view type, std::string_view value, std::string_view uuid, MispStixMapping& m) {
  const HashAlgo* h = find_hash(type.substr(std::string_view("x509-fingerprint-").size()));
  if (!h) return fail("unknown fingerprint algorithm");
  auto digest = checked_digest(*h, value);
  if (!digest) return tl::unexpected(digest.error());
  auto o = sco("x509-certificate", uuid);
  o["hashes"][std::string(h->stix)] = *digest;
  m.observables.push_back(std::move(o));
  m.comparisons.push_back(hash_path("x509-certificate", *h) + " = " + stix_quote(*digest));
  m.identifying.emplace_back("file-hash", *digest);
  return {};
}

const std::unordered_map<std::string_view, Mapper>& mappers() {
  static const std::unordered_map<std::string_view, Mapper> table = [] {
    std::unordered_map<std::string_view, Mapper> t;
    for (auto name : {"ip-src", "ip-dst", "ip", "ipv4-addr", "ipv6-addr"}) t[name] = map_ip;
    for (auto name : {"ip-src|port", "ip-dst|port"}) t[name] = map_ip_port;
    for (auto name : {"domain", "hostname", "domain-name"}) t[name] = map_domain;
    t["domain|ip"] = map_domain_ip;
    t["hostname|port"] = map_hostname_port;
    for (auto name : {"url", "uri", "link"}) t[name] = map_url;
    for (const auto& h : kHashes) t[h.misp] = map_hash;
    for (auto name : {"hash", "file-hash"}) t[name] = map_hash;
    for (auto name : {"filename|md5", "filename|sha1", "filename|sha224", "filename|sha256", "filename|sha384",
                      "filename|sha512", "filename|sha3-256", "filename|ssdeep", "filename|tlsh"})
      t[name] = map_filename_hash;
    t["filename"] = map_filename;
    for (auto name : {"email", "email-src", "email-dst", "target-email", "email-addr", "email-reply-to"})
      t[name] = map_email;
    t["email-subject"] = map_email_subject;
    t["AS"] = map_as;
    t["as"] = map_as;
    t["autonomous-system"] = map_as;
    t["mac-address"] = [](std::string_view, std::string_view v, std::string_view u, MispStixMapping& m) {
      return map_simple("mac-addr", "value", ascii_lower(trim_whitespace(v)), u, m);
    };
    t["mutex"] = [](std::string_view, std::string_view v, std::string_view u, MispStixMapping& m) {
      return map_simple("mutex", "name", v, u, m);
    };
    t["regkey"] = [](std::string_view, std::string_view v, std::string_view u, MispStixMapping& m) {
      return map_simple("windows-registry-key", "key", v, u, m);
    };
    t["regkey|value"] = map_regkey_value;
    for (auto name : {"x509-fingerprint-md5", "x509-fingerprint-sha1", "x509-fingerprint-sha256"}) t[name] = map_x509;
    return t;
  }();
  return table;
}

}  // namespace

Result<MispStixMapping> map_misp_attribute(std::string_view type, std::string_view value, std::string_view uuid) {
  const auto& table = mappers();
  auto it = table.find(type);
  if (it == table.end()) return fail("no STIX mapping for this type");
  MispStixMapping m;
  if (auto st = it->second(type, value, uuid, m); !st) return tl::unexpected(st.error());
  return m;
}

bool misp_attribute_type_known(std::string_view type) {
  return mappers().count(type) != 0;
}

std::string stix_observation(const std::vector<std::string>& comparisons) {
  std::string out = "[";
  for (std::size_t i = 0; i < comparisons.size(); ++i) {
    if (i) out += " AND ";
    out += comparisons[i];
  }
  return out + "]";
}

std::string stix_quote(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '\'';
  for (char c : text) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  out += '\'';
  return out;
}

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

std::string uuid_v5(std::string_view name) {
  // khien's namespace for name-based ids (itself a v5 UUID of "khien" under the URL namespace).
  static constexpr std::array<unsigned char, 16> kNamespace{0x5c, 0x1e, 0x8f, 0x3a, 0x7d, 0x42, 0x5b, 0x90,
                                                            0x8e, 0x61, 0x2f, 0x4d, 0x93, 0xa7, 0x0c, 0xb5};
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha1(), nullptr);
  EVP_DigestUpdate(ctx, kNamespace.data(), kNamespace.size());
  EVP_DigestUpdate(ctx, name.data(), name.size());
  EVP_DigestFinal_ex(ctx, digest, &len);
  EVP_MD_CTX_free(ctx);
  digest[6] = static_cast<unsigned char>((digest[6] & 0x0f) | 0x50);
  digest[8] = static_cast<unsigned char>((digest[8] & 0x3f) | 0x80);
  return fmt::format("{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}",
                     digest[0], digest[1], digest[2], digest[3], digest[4], digest[5], digest[6], digest[7], digest[8],
                     digest[9], digest[10], digest[11], digest[12], digest[13], digest[14], digest[15]);
}

std::optional<std::int64_t> parse_misp_time_us(std::string_view text) {
  text = trim_whitespace(text);
  if (text.empty()) return std::nullopt;
  std::optional<TimeNs> t;
  if (text.size() >= 10 && text[4] == '-') {
    t = parse_iso8601(text);
  } else {
    bool digits = text.size() <= 11;
    for (char c : text) digits = digits && c >= '0' && c <= '9';
    if (digits) t = parse_epoch_seconds(text);
  }
  // STIX years start at 0001; TimeNs cannot go past 2262, so the upper bound holds by itself.
  if (!t || *t < 0) return std::nullopt;
  return *t / 1000;
}

std::string stix_time(std::int64_t us, bool millis) {
  if (millis) return format_rfc3339(static_cast<TimeNs>(us) * 1000, 3);
  if (us % 1000000 == 0) return format_rfc3339(static_cast<TimeNs>(us) * 1000, 0);
  if (us % 1000 == 0) return format_rfc3339(static_cast<TimeNs>(us) * 1000, 3);
  return format_rfc3339(static_cast<TimeNs>(us) * 1000, 6);
}

}  // namespace khien
