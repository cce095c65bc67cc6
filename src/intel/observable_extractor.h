// Decides whether a STIX pattern compiles into the line-rate matcher and, if so, lists the
// observables (addresses, networks, domains, URLs, digests, e-mail addresses) it matches.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "intel/pattern_ast.h"

namespace khien {

/// The kinds of value the matcher indexes.
enum class ObservableKind : std::uint8_t { Ip, Domain, Url, Hash, Email };

/// Lower-case name of the kind ("ip", "domain", "url", "hash", "email").
const char* observable_kind_name(ObservableKind kind);

/// One matchable value, already in the matcher's normal form: an address or CIDR in canonical text
/// ("10.0.0.0/8", "2001:db8::1"), a lower-case domain, a normalized URL, a lower-case hex digest, a
/// lower-case e-mail address.
struct Observable {
  ObservableKind kind = ObservableKind::Ip;
  std::string value;
  std::string path;  ///< the STIX path it came from, for reports ("network-traffic:dst_ref.value")

  friend bool operator==(const Observable&, const Observable&) = default;
};

/// The extractor's decision on one pattern.
struct Extraction {
  bool compiled = false;                ///< every comparison of the pattern became an observable
  std::vector<Observable> observables;  ///< when compiled
  std::string reason;                   ///< when not: "uses FOLLOWEDBY", "LIKE on url:value", ...
};

/// Extracts observables from a "simple" pattern: one observation expression or an OR of them, no
/// qualifiers, each a comparison or an OR of comparisons using `=`, `IN` (string constants) or
/// `ISSUBSET` (a network), without NOT, on one of:
///   ipv4-addr:value, ipv6-addr:value (address or CIDR), network-traffic:src_ref.value,
///   network-traffic:dst_ref.value, domain-name:value, url:value,
///   file:hashes.MD5 / SHA-1 / SHA-256 / SHA-512 (any spelling of the name),
///   email-addr:value, email-message:from_ref.value (also sender_ref, to_refs[*], cc_refs[*]).
/// Any other pattern is not compiled and `reason` says why; a value that is not a valid address,
/// domain, URL, digest or e-mail address is a reason too (it would never match).
Extraction extract_observables(const PatternAst& ast);

}  // namespace khien
