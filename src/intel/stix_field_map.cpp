// The STIX object path -> khien schema field table. Extend it here; nothing else changes.
#include "intel/stix_field_map.h"

#include <unordered_map>

#include "core/field_dictionary.h"
#include "intel/observable_normalizer.h"

namespace khien {
namespace {

using K = StixValueKind;
namespace f = field;

constexpr StixFieldMapping kMappings[] = {
    {"ipv4-addr:value", K::Plain, {f::src_endpoint_ip, f::dst_endpoint_ip}},
    {"ipv6-addr:value", K::Plain, {f::src_endpoint_ip, f::dst_endpoint_ip}},
    {"network-traffic:src_ref.value", K::Plain, {f::src_endpoint_ip}},
    {"network-traffic:dst_ref.value", K::Plain, {f::dst_endpoint_ip}},
    {"network-traffic:src_port", K::Plain, {f::src_endpoint_port}},
    {"network-traffic:dst_port", K::Plain, {f::dst_endpoint_port}},
    {"network-traffic:protocols[*]", K::Domain, {f::connection_info_protocol_name}},
    {"network-traffic:src_byte_count", K::Plain, {f::traffic_bytes_out}},
    {"network-traffic:dst_byte_count", K::Plain, {f::traffic_bytes_in}},
    {"network-traffic:src_packets", K::Plain, {f::traffic_packets_out}},
    {"network-traffic:dst_packets", K::Plain, {f::traffic_packets_in}},
    {"network-traffic:extensions.http-request-ext.request_method", K::Plain, {f::http_request_http_method}},
    {"network-traffic:extensions.http-request-ext.request_header.User-Agent", K::Plain, {f::http_request_user_agent}},
    {"network-traffic:extensions.http-request-ext.request_header.Host", K::Domain, {f::url_hostname}},
    {"domain-name:value", K::Domain, {f::query_hostname, f::url_hostname, f::tls_sni, f::dst_endpoint_hostname}},
    {"url:value", K::Plain, {f::url_url_string}},
    {"file:hashes.MD5", K::Hash, {f::file_hashes_md5}},
    {"file:hashes.SHA1", K::Hash, {f::file_hashes_sha1}},
    {"file:hashes.SHA256", K::Hash, {f::file_hashes_sha256}},
    {"file:hashes.SHA512", K::Hash, {f::file_hashes_sha512}},
    {"file:name", K::Plain, {f::file_name}},
    {"file:size", K::Plain, {f::file_size}},
    {"file:mime_type", K::Plain, {f::file_mime_type}},
    {"process:command_line", K::Plain, {f::process_cmd_line}},
    {"process:name", K::Plain, {f::process_name}},
    {"process:pid", K::Plain, {f::process_pid}},
    {"process:image_ref.name", K::Plain, {f::process_name}},
    {"process:parent_ref.command_line", K::Plain, {f::actor_process_cmd_line}},
    {"process:parent_ref.name", K::Plain, {f::actor_process_name}},
    {"process:parent_ref.pid", K::Plain, {f::actor_process_pid}},
    {"process:creator_user_ref.user_id", K::Plain, {f::process_user_name}},
    {"process:creator_user_ref.account_login", K::Plain, {f::process_user_name}},
    {"user-account:user_id", K::Plain, {f::actor_user_name}},
    {"user-account:account_login", K::Plain, {f::actor_user_name}},
    {"email-addr:value", K::Email, {f::email_from, f::email_to}},
    {"email-message:from_ref.value", K::Email, {f::email_from}},
    {"email-message:sender_ref.value", K::Email, {f::email_from}},
    {"email-message:to_refs[*].value", K::Email, {f::email_to}},
    {"email-message:cc_refs[*].value", K::Email, {f::email_to}},
    {"email-message:subject", K::Plain, {f::email_subject}},
    {"x509-certificate:issuer", K::Plain, {f::tls_certificate_issuer}},
    {"x509-certificate:subject", K::Plain, {f::tls_certificate_subject}},
    {"x509-certificate:hashes.SHA1", K::Hash, {f::tls_certificate_fingerprint}},
    {"x509-certificate:hashes.SHA256", K::Hash, {f::tls_certificate_fingerprint}},
    {"x509-certificate:hashes.MD5", K::Hash, {f::tls_certificate_fingerprint}},
    {"mac-addr:value", K::Domain, {f::src_endpoint_mac, f::dst_endpoint_mac}},
};

const std::unordered_map<std::string_view, const StixFieldMapping*>& index() {
  static const auto* table = [] {
    auto* m = new std::unordered_map<std::string_view, const StixFieldMapping*>();
    for (const auto& row : kMappings) m->emplace(row.stix_path, &row);
    return m;
  }();
  return *table;
}

}  // namespace

std::span<const StixFieldMapping> stix_field_mappings() {
  return kMappings;
}

std::string canonical_stix_path(const ObjectPath& path) {
  std::string out = path.object_type;
  out += ':';
  bool first = true;
  bool after_hashes = false;
  for (const auto& step : path.steps) {
    if (step.kind == PathStep::Kind::Property) {
      if (!first) out += '.';
      out += after_hashes ? normalize_hash_algorithm(step.name) : step.name;
      after_hashes = step.name == "hashes";
    } else {
      out += "[*]";
      after_hashes = false;
    }
    first = false;
  }
  return out;
}

const StixFieldMapping* find_stix_field_mapping(const ObjectPath& path) {
  auto it = index().find(canonical_stix_path(path));
  return it == index().end() ? nullptr : it->second;
}

std::string stix_field_map_markdown() {
  std::string out = "| STIX object path | khien fields | comparison |\n|---|---|---|\n";
  for (const auto& row : kMappings) {
    out += "| `";
    out += row.stix_path;
    out += "` | ";
    for (int i = 0; i < 4 && row.fields[i] != field::none; ++i) {
      if (i) out += ", ";
      out += '`';
      out += field_name(row.fields[i]);
      out += '`';
    }
    out += " | ";
    switch (row.kind) {
      case K::Plain:
        out += "exact";
        break;
      case K::Domain:
        out += "case-insensitive";
        break;
      case K::Hash:
        out += "case-insensitive hex";
        break;
      case K::Email:
        out += "case-insensitive, each address of the header";
        break;
    }
    out += " |\n";
  }
  return out;
}

}  // namespace khien
