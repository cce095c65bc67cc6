// Cross-organisation campaign detection: the same indicator, CVE, file hash, domain, attacker
// network, ASN or Sigma rule in alerts of many organisations or sectors within a sliding window
// raises one national warning, which later sightings update until it goes quiet.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/alert.h"
#include "core/error.h"
#include "core/ip_address.h"
#include "core/time.h"

namespace khien {

/// What a campaign key is; the order is the priority when one alert carries several (the most
/// specific names the warning).
enum class CampaignKind : std::uint8_t { indicator, cve, hash, domain, ip, asn, sigma };
inline constexpr std::size_t kCampaignKinds = 7;

std::string_view campaign_kind_name(CampaignKind kind);
std::optional<CampaignKind> parse_campaign_kind(std::string_view name);

/// When keys of one kind raise a warning.
struct KindThreshold {
  bool enabled = true;
  std::uint32_t min_orgs = 3;     ///< distinct organisations within the window, or
  std::uint32_t min_sectors = 3;  ///< distinct sectors within the window
  TimeNs window = 3600LL * 1'000'000'000;  ///< sliding window; also how long a quiet warning stays active
};

struct CampaignOptions {
  CampaignOptions();
  std::array<KindThreshold, kCampaignKinds> kinds;
  /// Keyed state is capped: beyond this many live keys new keys are dropped (and counted) until
  /// expiry frees room. 10 M keys take about 0.9 GB.
  std::size_t max_keys = 10'000'000;
  std::size_t max_evidence = 500;  ///< evidence events kept per warning
  /// Sigma alerts below this OCSF severity do not key campaigns (informational rules fire on
  /// routine activity everywhere).
  int min_sigma_severity = 3;
  /// A key that crosses its threshold with nothing linking it to a warning joins the active
  /// warning whose organisations overlap its own live organisations in at least overlap_min_orgs
  /// organisations that make at least overlap_min_similarity of the two sets' union (the same
  /// campaign reached the same victims through another attacker network or indicator; the union
  /// keeps a broad warning from swallowing every small key that touches a few of its victims).
  std::uint32_t overlap_min_orgs = 2;
  double overlap_min_similarity = 1.0 / 3.0;
  /// A new warning is published at once and settles for this long after it is raised (event time).
  /// While it settles every alert that reaches it looks again for a link to another active warning
  /// (a key claimed by it or seen in its alerts, the same detection rule, or overlapping
  /// organisations), and a link merges the two: a campaign whose second file or network crossed at
  /// other victims first ends as one warning, the younger shown as merged into the older.
  /// Notifications wait for the settle (one per campaign); the watch floor does not.
  TimeNs settle = 10LL * 1'000'000'000;

  KindThreshold& operator[](CampaignKind k) { return kinds[static_cast<std::size_t>(k)]; }
  const KindThreshold& operator[](CampaignKind k) const { return kinds[static_cast<std::size_t>(k)]; }
};

/// Parses "N orgs" style thresholds from text: "min_orgs=3,min_sectors=2,window=30m". Used by the
/// config loader; errors name the bad part.
Status parse_duration(std::string_view text, TimeNs& out);
std::string format_duration(TimeNs d);

/// What the detector knows of the constituency, for severity and for telling attackers from members.
struct CampaignContext {
  std::unordered_map<std::string, int> sector_criticality;  ///< sector id -> 1..5
  std::unordered_map<std::string, int> org_security_level;  ///< org id -> highest level of its systems (1..5)
  std::vector<IpPrefix> member_ranges;                       ///< addresses of member organisations
  std::vector<std::string> member_domains;                   ///< domains of member organisations (suffix match)
};

/// One campaign key found in an alert.
struct Sighting {
  CampaignKind kind;
  std::string value;
  friend bool operator==(const Sighting&, const Sighting&) = default;
};

/// The campaign keys of an alert: the indicator id (ioc), the Sigma rule (at or above the
/// severity floor), CVE ids anywhere in the event or title, file hashes, external domains, the
/// /24 (IPv4) or /48 (IPv6) network of external addresses, and their ASN when enriched. Sorted
/// by priority, without duplicates.
std::vector<Sighting> extract_sightings(const Alert& alert, const CampaignContext& context, int min_sigma_severity);

/// A key attached to a warning. Routing keys send later alerts to the warning; a Sigma rule
/// that joined a warning started by a more specific key only documents it (a rule fires on
/// unrelated events too).
struct WarningKey {
  CampaignKind kind;
  std::string value;
  bool routing = true;
};

/// An event whose alerts are evidence for a warning.
struct WarningEvidence {
  std::uint64_t event_seq = 0;
  TimeNs time = 0;
  std::string org;
};

/// A national warning: one campaign across organisations.
struct Warning {
  std::int64_t id = 0;
  CampaignKind kind = CampaignKind::indicator;  ///< kind of the key that raised it
  std::string key;                              ///< that key's value
  std::string title;
  int severity_id = 3;  ///< OCSF 2 low .. 5 critical
  std::string severity;
  int score = 0;        ///< severity points: breadth + sector criticality + system security levels
  bool active = true;
  bool settled = false;         ///< past its settle time: merged into nothing more; restored warnings are
  TimeNs settles_at = 0;        ///< event time at which a new warning settles
  std::int64_t merged_into = 0; ///< a settling warning joined to this one (inactive from then on)
  TimeNs first_seen = 0, last_seen = 0, updated = 0;
  TimeNs window = 0;
  std::uint64_t alert_count = 0;
  std::uint64_t version = 0;  ///< bumped on every published change; 1 when first published
  std::map<std::string, std::uint64_t> orgs;  ///< organisation -> alerts
  std::set<std::string> sectors, provinces;
  int max_criticality = 0, max_security_level = 0;
  std::vector<WarningKey> keys;
  std::vector<WarningEvidence> pending_evidence;  ///< not yet handed to the store
  std::size_t evidence_count = 0;                 ///< evidence kept so far (stored + pending)
  std::set<std::uint64_t> evidence_seqs;          ///< events already kept as evidence in this process
};

/// Severity of a warning from its breadth, the criticality of its sectors and the security
/// levels of its organisations' systems: 0..9 points onto low..critical.
void score_warning(Warning& w);

/// Detects campaigns in a stream of alerts.
///
/// Keyed state: one 56-byte slot per live key in an open-addressing table (linear probing,
/// backward-shift deletion), holding its first/last sighting and up to two organisations with
/// their last time; a key that reaches its threshold becomes a warning and leaves the table.
/// Keys quiet for their window are swept incrementally (a few slots per alert) and all at once
/// when the table is full.
///
/// Keys that appear in a warning's alerts without reaching a threshold themselves are remembered
/// as linked to it, and so are the keys of any alert that carries a linked key: when another key
/// of such an alert crosses its threshold, it joins that warning instead of opening a new one (a
/// phishing wave rotating its domains under one hunting rule or one hosting network is one
/// campaign). A key crossing with no link joins the active warning whose organisations overlap
/// its own (options overlap_min_orgs / overlap_min_similarity), or else the active warning whose
/// alerts came from the same detection rule (of level low or above, so also rules too weak to be
/// keys themselves), before it opens a new one. A new warning is handed out at once and settles for
/// options.settle; while it settles, a link (key, shared rule) or an overlap found on any later alert
/// merges it into the other warning (or the other, younger and also settling, into it), and the
/// merged one is handed out once more, inactive, naming the warning it joined.
///
/// Time is the alerts' event time; expire() takes the caller's notion of now.
///
/// Threading: none; one owner (the architecture's shard that owns these keys).
class CampaignDetector {
 public:
  explicit CampaignDetector(CampaignOptions options = {}, CampaignContext context = {});
  ~CampaignDetector();

  /// Reinstates active warnings (from the store at start-up) so their keys keep routing to them.
  void restore(std::vector<Warning> active, std::int64_t next_id);
  /// Reserves a warning id for a warning raised outside the detector, so ids stay unique.
  std::int64_t allocate_id() { return next_id_++; }
  /// Folds alerts in; returns the ids of warnings created or updated.
  std::vector<std::int64_t> observe(const std::vector<Alert>& alerts);
  /// Folds one alert whose sightings are already extracted (benchmarks, replays).
  void observe(const Alert& alert, const std::vector<Sighting>& sightings);
  /// Settles warnings whose settle time has passed at `now` and marks warnings quiet for their window inactive.
  void expire(TimeNs now);
  /// Warnings changed since the last call (raised, updated, settled, merged, gone inactive), with
  /// their pending evidence moved out; inactive ones are forgotten afterwards.
  std::vector<Warning> take_changes();
  /// Every active warning, settling ones included.
  std::vector<const Warning*> active() const;
  const Warning* find(std::int64_t id) const;
  void set_context(CampaignContext context) { context_ = std::move(context); }
  const CampaignOptions& options() const { return options_; }
  /// Newest alert time seen.
  TimeNs clock() const { return clock_; }

  struct Stats {
    std::size_t keys = 0;          ///< live keys in the table
    std::size_t table_slots = 0;
    std::size_t state_bytes = 0;   ///< table + overflow + claims + links, approximately
    std::uint64_t alerts = 0, sightings = 0, dropped_keys = 0, warnings_raised = 0;
    std::uint64_t warnings_merged = 0;  ///< settling warnings merged into a linked one
  };
  Stats stats() const;

 private:
  struct Slot;
  struct Hit;
  struct Claim {
    std::int64_t warning;
    bool routing;
  };
  struct OrgInfo {
    std::string id, sector, province;
    std::uint32_t sector_id = 0;  // 0: none
  };

  std::uint32_t intern_org(const Alert& a);
  Slot* find_or_insert(std::uint64_t hash, CampaignKind kind, std::uint32_t now_s);
  void erase_at(std::size_t index);
  void sweep(std::size_t slots, std::uint32_t now_s);
  void grow();
  bool crossed(Slot& slot, std::uint32_t org, std::uint32_t now_s, std::uint64_t seq,
               std::vector<std::pair<std::uint32_t, std::uint64_t>>& orgs_out);
  Warning& new_warning(CampaignKind kind, const std::string& value, TimeNs first_seen, TimeNs raised);
  Warning* overlapping(const std::vector<const std::string*>& orgs, TimeNs now, std::int64_t exclude, bool settling_only);
  Warning* linked_warning(const std::vector<Sighting>& sightings, std::int64_t exclude);
  Warning* rule_linked(const std::vector<const std::string*>& rules, std::int64_t exclude);
  void merge_if_linked(Warning& w, Warning* other, TimeNs now);
  void merge(Warning& from, Warning& into);
  void settle_due(TimeNs now);
  void link(const std::vector<Sighting>& sightings, std::int64_t warning, bool keep_live_links);
  void add_org(Warning& w, std::uint32_t org, std::uint64_t seq, TimeNs t, std::uint64_t alerts);
  void mark_changed(std::int64_t id);

  CampaignOptions options_;
  CampaignContext context_;
  std::vector<Slot> table_;
  std::size_t live_ = 0;
  std::size_t sweep_cursor_ = 0;
  std::unordered_map<std::uint64_t, std::vector<Hit>> overflow_;
  std::unordered_map<std::uint64_t, Claim> claims_;
  std::unordered_map<std::uint64_t, std::int64_t> soft_links_;  // unclaimed key seen in a warning's alerts -> warning
  std::unordered_map<std::string, std::int64_t> rule_links_;     // detection rule (low or above) of a warning's alerts -> warning
  // Keys and rules of the other alerts on the same event in the batch being observed: one
  // observation, so they link like the alert's own.
  std::vector<Sighting> beside_;
  std::vector<std::string> beside_rules_;
  std::unordered_map<std::string, std::uint32_t> org_ids_;
  std::vector<OrgInfo> orgs_;
  std::unordered_map<std::string, std::uint32_t> sector_ids_;
  std::map<std::int64_t, Warning> warnings_;
  std::size_t settling_ = 0;  // active warnings not yet settled
  std::vector<std::int64_t> changed_;
  std::int64_t next_id_ = 1;
  TimeNs clock_ = 0;
  Stats stats_;
};

/// Hash of a campaign key (kind and value).
std::uint64_t campaign_key_hash(CampaignKind kind, std::string_view value);

}  // namespace khien
