// Extraction of matchable observables from simple STIX patterns, with the reason for the others.
#include "intel/observable_extractor.h"

#include <unordered_set>

#include "core/ip_address.h"
#include "intel/observable_normalizer.h"
#include "intel/stix_field_map.h"
#include "intel/url_normalizer.h"

namespace khien {
namespace {

enum class Target : std::uint8_t { None, Ipv4, Ipv6, AnyIp, Domain, Url, Hash, Email };

struct PathTarget {
  Target target = Target::None;
  std::size_t hash_digits = 0;
  std::string hash_name;
};

PathTarget classify(const ObjectPath& path) {
  std::string canon = canonical_stix_path(path);
  PathTarget t;
  if (canon == "ipv4-addr:value")
    t.target = Target::Ipv4;
  else if (canon == "ipv6-addr:value")
    t.target = Target::Ipv6;
  else if (canon == "network-traffic:src_ref.value" || canon == "network-traffic:dst_ref.value")
    t.target = Target::AnyIp;
  else if (canon == "domain-name:value")
    t.target = Target::Domain;
  else if (canon == "url:value")
    t.target = Target::Url;
  else if (canon == "email-addr:value" || canon == "email-message:from_ref.value" ||
           canon == "email-message:sender_ref.value" || canon == "email-message:to_refs[*].value" ||
           canon == "email-message:cc_refs[*].value")
    t.target = Target::Email;
  else if (canon.rfind("file:hashes.", 0) == 0 && path.steps.size() == 2) {
    t.hash_name = canon.substr(12);
    t.hash_digits = hash_algorithm_digits(t.hash_name);
    if (t.hash_digits) t.target = Target::Hash;
  }
  return t;
}

class Extractor {
 public:
  Extraction run(const PatternAst& ast) {
    if (walk_observation(ast.root)) {
      out_.compiled = true;
    } else {
      out_.observables.clear();
    }
    return std::move(out_);
  }

 private:
  bool reject(std::string reason) {
    out_.reason = std::move(reason);
    return false;
  }

  bool walk_observation(const ObservationExpr& node) {
    if (!node.qualifiers.empty()) {
      switch (node.qualifiers.front().kind) {
        case Qualifier::Kind::Within:
          return reject("uses WITHIN");
        case Qualifier::Kind::Repeats:
          return reject("uses REPEATS");
        case Qualifier::Kind::StartStop:
          return reject("uses START/STOP");
      }
    }
    switch (node.kind) {
      case ObservationExpr::Kind::FollowedBy:
        return reject("uses FOLLOWEDBY");
      case ObservationExpr::Kind::And:
        return reject("uses AND between observations");
      case ObservationExpr::Kind::Or:
        for (const auto& c : node.children)
          if (!walk_observation(c)) return false;
        return true;
      case ObservationExpr::Kind::Observation:
        return walk_comparison(node.comparison);
    }
    return false;
  }

  bool walk_comparison(const ComparisonExpr& e) {
    if (e.kind == ComparisonExpr::Kind::And) return reject("uses AND between comparisons");
    if (e.kind == ComparisonExpr::Kind::Or) {
      for (const auto& c : e.children)
        if (!walk_comparison(c)) return false;
      return true;
    }
    std::string path = e.path.to_string();
    PathTarget target = classify(e.path);
    if (target.target == Target::None) {
      if (e.path.object_type == "file" && !e.path.steps.empty() && e.path.steps[0].name == "hashes") {
        if (e.path.steps.size() < 2) return reject(path + " names no hash algorithm (file:hashes.'SHA-256', ...)");
        // The algorithm as the pattern spells it: what follows "file:hashes.".
        return reject("hash algorithm " + path.substr(std::string_view("file:hashes.").size()) +
                      " is not matched (MD5, SHA-1, SHA-256, SHA-512 are)");
      }
      return reject(path + " is not a matchable observable");
    }
    if (e.negated) return reject(std::string("NOT ") + comparison_op_text(e.op) + " on " + path);
    bool is_ip = target.target == Target::Ipv4 || target.target == Target::Ipv6 || target.target == Target::AnyIp;
    switch (e.op) {
      case ComparisonOp::Equal:
      case ComparisonOp::In:
        break;
      case ComparisonOp::IsSubset:
        if (is_ip) break;
        [[fallthrough]];
      default:
        return reject(std::string(comparison_op_text(e.op)) + " on " + path);
    }
    for (const auto& c : e.values) {
      if (c.kind != ConstantKind::String) return reject("non-string constant " + constant_to_string(c) + " on " + path);
      if (!add_value(target, e.op, c.text, path)) return false;
    }
    return true;
  }

  bool add_value(const PathTarget& target, ComparisonOp op, const std::string& text, const std::string& path) {
    Observable obs;
    obs.path = path;
    auto quoted = "'" + text.substr(0, 80) + "'";
    switch (target.target) {
      case Target::Ipv4:
      case Target::Ipv6:
      case Target::AnyIp: {
        auto prefix = IpPrefix::parse(text);
        if (!prefix) return reject(quoted + " on " + path + " is not an IP address or CIDR");
        if (target.target == Target::Ipv4 && !prefix->address.v4)
          return reject(quoted + " on " + path + " is not an IPv4 address");
        if (target.target == Target::Ipv6 && prefix->address.v4)
          return reject(quoted + " on " + path + " is not an IPv6 address");
        if (op == ComparisonOp::IsSubset && text.find('/') == std::string::npos)
          return reject("ISSUBSET on " + path + " needs a network (CIDR), got " + quoted);
        int host_bits = prefix->address.v4 ? 32 : 128;
        obs.kind = ObservableKind::Ip;
        obs.value = prefix->bits == host_bits ? prefix->address.to_string() : prefix->to_string();
        break;
      }
      case Target::Domain: {
        auto d = normalize_domain(text);
        if (!d) return reject(quoted + " on " + path + " is not a domain name");
        obs.kind = ObservableKind::Domain;
        obs.value = std::move(*d);
        break;
      }
      case Target::Url: {
        obs.kind = ObservableKind::Url;
        if (!normalize_url(text, obs.value)) return reject(quoted + " on " + path + " is not a URL with a host");
        break;
      }
      case Target::Hash: {
        auto h = normalize_hash_hex(text);
        if (!h || h->size() != target.hash_digits)
          return reject(quoted + " on " + path + " is not a " + std::to_string(target.hash_digits) +
                        "-digit hex digest");
        obs.kind = ObservableKind::Hash;
        obs.value = std::move(*h);
        break;
      }
      case Target::Email: {
        auto m = normalize_email(text);
        if (!m) return reject(quoted + " on " + path + " is not an e-mail address");
        obs.kind = ObservableKind::Email;
        obs.value = std::move(*m);
        break;
      }
      case Target::None:
        return false;
    }
    std::string key = observable_kind_name(obs.kind);
    key += ' ';
    key += obs.value;
    if (!seen_.insert(std::move(key)).second) return true;
    out_.observables.push_back(std::move(obs));
    return true;
  }

  Extraction out_;
  std::unordered_set<std::string> seen_;
};

}  // namespace

const char* observable_kind_name(ObservableKind kind) {
  switch (kind) {
    case ObservableKind::Ip:
      return "ip";
    case ObservableKind::Domain:
      return "domain";
    case ObservableKind::Url:
      return "url";
    case ObservableKind::Hash:
      return "hash";
    case ObservableKind::Email:
      return "email";
  }
  return "?";
}

Extraction extract_observables(const PatternAst& ast) {
  return Extractor().run(ast);
}

}  // namespace khien
