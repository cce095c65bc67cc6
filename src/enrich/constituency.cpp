// Constituency snapshot construction and lookups.
#include "enrich/constituency.h"

#include <mutex>

namespace khien {

std::shared_ptr<const Constituency> Constituency::build(StateStore& store) {
  auto c = std::make_shared<Constituency>();
  std::unordered_map<std::string, OrgRow> orgs;
  for (auto& o : store.organisations()) orgs.emplace(o.id, std::move(o));
  for (const auto& s : store.socs()) {
    SocInfo info;
    info.row_id = s.row_id;
    info.id = s.id;
    info.org = s.org;
    info.revoked = s.revoked;
    if (auto it = orgs.find(s.org); it != orgs.end()) {
      info.sector = it->second.sector;
      info.province = it->second.province;
    }
    for (const auto& r : s.sender_ranges)
      if (auto p = IpPrefix::parse(r)) info.sender_ranges.push_back(*p);
    if (!s.syslog_local_time.empty()) info.syslog_local_offset_seconds = parse_utc_offset(s.syslog_local_time);
    c->by_row_[info.row_id] = c->socs_.size();
    c->by_id_[info.id] = c->socs_.size();
    c->socs_.push_back(std::move(info));
  }
  return c;
}

const SocInfo* Constituency::soc_by_row(std::int64_t row_id) const {
  auto it = by_row_.find(row_id);
  return it == by_row_.end() ? nullptr : &socs_[it->second];
}

const SocInfo* Constituency::soc_by_id(const std::string& id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &socs_[it->second];
}

const SocInfo* Constituency::soc_by_sender(const IpAddress& sender) const {
  // A few hundred SOCs with a handful of ranges each: a scan is cheaper than keeping a trie in
  // sync, and it runs once per syslog connection or datagram batch, not per event.
  const SocInfo* best = nullptr;
  int best_bits = -1;
  for (const auto& s : socs_) {
    if (s.revoked) continue;
    for (const auto& r : s.sender_ranges) {
      if (r.bits > best_bits && r.contains(sender)) {
        best = &s;
        best_bits = r.bits;
      }
    }
  }
  return best;
}

ConstituencyHolder::ConstituencyHolder(StateStore& store) : store_(store) {}

std::shared_ptr<const Constituency> ConstituencyHolder::get() {
  std::lock_guard lock(mutex_);
  if (!current_ || generation_ != store_.generation()) {
    generation_ = store_.generation();
    current_ = Constituency::build(store_);
  }
  return current_;
}

}  // namespace khien
