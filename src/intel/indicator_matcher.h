// The line-rate indicator matcher: compiled once from observables (addresses, CIDRs, domains, URLs,
// digests, e-mail addresses), then shared read-only by every worker to check event fields.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/event.h"
#include "intel/ip_prefix_table.h"
#include "intel/observable_extractor.h"
#include "intel/string_hash_table.h"

namespace khien {

/// Index of an indicator in the caller's list (the matcher stores nothing else about it).
using IndicatorId = std::uint32_t;

/// One hit of match_event: which indicator, on which event field, through which kind of value.
struct EventMatch {
  IndicatorId indicator;
  FieldId field;
  ObservableKind kind;
};

/// One value to look up in a batch (match_batch).
struct LookupRequest {
  ObservableKind kind = ObservableKind::Ip;
  IpAddress ip;           ///< for ObservableKind::Ip
  std::string_view text;  ///< for the other kinds; must stay valid during the call
};

/// One hit of a batch: the position of the request and the indicator.
struct BatchHit {
  std::uint32_t request;
  IndicatorId indicator;
};

/// Sizes of a built matcher, for metrics and the benchmark.
struct MatcherStats {
  std::size_t observables = 0;  ///< (value, indicator) pairs added
  std::size_t distinct_values = 0;
  std::size_t value_bytes = 0;   ///< bytes of the distinct values themselves (addresses 16, prefixes 5 / 17)
  std::size_t memory_bytes = 0;  ///< everything the matcher holds, values included
};

/// Threading: immutable once built; all methods are const and may run on many threads at once.
/// Lookups allocate nothing once the caller's output vector and the per-thread scratch buffers (used
/// by match_url, match_batch and match_events) have grown.
class IndicatorMatcher {
 public:
  /// Collects observables, then builds the matcher. Not thread-safe; build on one thread (a reload
  /// builds aside while the old matcher keeps serving).
  class Builder {
   public:
    /// Adds an extracted observable (any of the five kinds) for indicator `id`.
    Status add(const Observable& observable, IndicatorId id);
    /// "10.0.0.1", "10.0.0.0/8", "2001:db8::/32": host addresses go to a hash set, networks to the
    /// longest-prefix table.
    Status add_ip(std::string_view address_or_cidr, IndicatorId id);
    void add_prefix(const IpPrefix& prefix, IndicatorId id);
    /// A domain matches itself and every sub-domain.
    Status add_domain(std::string_view domain, IndicatorId id);
    Status add_url(std::string_view url, IndicatorId id);
    Status add_hash(std::string_view hex_digest, IndicatorId id);
    Status add_email(std::string_view address, IndicatorId id);

    std::size_t size() const { return observables_; }
    /// Builds the matcher and leaves the builder empty.
    std::shared_ptr<const IndicatorMatcher> build();

   private:
    StringHashTable::Builder hosts_, domains_, urls_, hashes_, emails_;
    IpPrefixTable::Builder prefixes_;
    std::string scratch_;
    std::size_t observables_ = 0;
    std::uint64_t domain_labels_ = 0;
  };

  /// Each lookup appends the matching indicator ids to `out` and returns how many it appended.
  /// Addresses: the host entry first, then every enclosing network, most specific first.
  std::size_t match_ip(const IpAddress& ip, std::vector<IndicatorId>& out) const;
  /// The name itself first, then each parent domain (a.b.evil.vn hits evil.vn); case and a trailing
  /// dot are ignored.
  std::size_t match_domain(std::string_view domain, std::vector<IndicatorId>& out) const;
  /// Exact match after normalize_url on both sides.
  std::size_t match_url(std::string_view url, std::vector<IndicatorId>& out) const;
  /// Hex digest of any of the four lengths, any case.
  std::size_t match_hash(std::string_view hex_digest, std::vector<IndicatorId>& out) const;
  /// One address ("Ann <a@x.vn>" is not split here; match_event does that), any case.
  std::size_t match_email(std::string_view address, std::vector<IndicatorId>& out) const;

  /// Looks up many values at once: first every table slot the batch needs is requested from memory,
  /// then the probes run, so their cache misses overlap instead of queueing one after another (the
  /// per-lookup cost is then mostly computation). Hits are appended in request order, and within a
  /// request in the order the single lookups give. Batches of 16 to 256 requests work well.
  void match_batch(std::span<const LookupRequest> requests, std::vector<BatchHit>& out) const;

  /// Convenience forms returning a new vector.
  std::vector<IndicatorId> match_ip(const IpAddress& ip) const;
  std::vector<IndicatorId> match_domain(std::string_view domain) const;
  std::vector<IndicatorId> match_url(std::string_view url) const;
  std::vector<IndicatorId> match_hash(std::string_view hex_digest) const;
  std::vector<IndicatorId> match_email(std::string_view address) const;

  /// Checks every event field of a matched type and calls `on_match` once per (indicator, field,
  /// value) hit; an indicator hit through two fields is reported twice (the caller dedups).
  ///  - addresses: src_endpoint.ip, dst_endpoint.ip, device.ip (also when kept as text);
  ///  - domains: query.hostname, url.hostname, tls.sni, dst_endpoint.hostname;
  ///  - URLs: url.url_string (a bare path is joined to url.hostname); the URL's host is also
  ///    checked as a domain or address when the event has no url.hostname;
  ///  - digests: file.hashes.md5/sha1/sha256/sha512 and each digest listed in process.file.hashes;
  ///  - e-mail: each address of email.from and email.to.
  /// `on_match` may call the single lookups but not match_event / match_events / match_batch (they
  /// reuse per-thread buffers).
  void match_event(const Event& event, const std::function<void(const EventMatch&)>& on_match) const;

  /// match_event for a batch of events through match_batch (the form the pipeline uses): the same
  /// fields and hits, reported with the event's position in `events`.
  void match_events(std::span<const Event* const> events,
                    const std::function<void(std::size_t event_index, const EventMatch&)>& on_match) const;

  const MatcherStats& stats() const { return stats_; }

 private:
  /// The table of a kind's values (host addresses for Ip).
  const StringHashTable& table(ObservableKind kind) const;
  /// The lookup key of a text value (normalised into `buf` of kKeyBuffer bytes, or a per-thread
  /// buffer for very long URLs); empty when the text is not a value of that kind.
  static std::string_view normalized_key(ObservableKind kind, std::string_view text, char* buf);
  /// One text lookup of any kind but Ip (domains with their parents).
  std::size_t match_text(ObservableKind kind, std::string_view text, std::vector<IndicatorId>& out) const;

  StringHashTable hosts_, domains_, urls_, hashes_, emails_;
  IpPrefixTable prefixes_;
  /// Bit k set when a stored domain has k labels (bit 63: 63 or more): parents of a looked-up
  /// name with no stored name of their length are not probed.
  std::uint64_t domain_labels_ = 0;
  MatcherStats stats_;
};

}  // namespace khien
