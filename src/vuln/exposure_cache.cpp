// ExposureCache: per-CVE exposure kept current incrementally.
#include "vuln/exposure_cache.h"

#include <algorithm>
#include <atomic>
#include <thread>

namespace khien {

void ExposureCache::rebuild(const VulnDatabase& db, const ExposureIndex& index) {
  by_cve_.clear();
  cves_by_product_.clear();
  unindexed_cves_.clear();
  std::vector<const VulnRecord*> records;
  records.reserve(db.size());
  db.for_each([&](const VulnRecord& rec) {
    if (!rec.configurations().empty()) records.push_back(&rec);
  });
  // The whole national picture is the costly question (every CVE against every system): the index
  // is only read, so the CVEs are split between threads, one per core, and their answers stored here
  // afterwards in one thread.
  std::vector<std::vector<std::uint32_t>> positions(records.size());
  std::size_t workers = std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 8);
  if (records.size() < 1024) workers = 1;
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    constexpr std::size_t kChunk = 256;
    for (std::size_t from; (from = next.fetch_add(kChunk)) < records.size();)
      for (std::size_t i = from; i < std::min(from + kChunk, records.size()); ++i)
        positions[i] = index.exposed_entries(records[i]->configurations());
  };
  std::vector<std::thread> threads;
  for (std::size_t w = 1; w < workers; ++w) threads.emplace_back(work);
  work();
  for (auto& t : threads) t.join();
  by_cve_.reserve(records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    note_products(*records[i]);
    if (!positions[i].empty()) by_cve_[records[i]->id] = std::move(positions[i]);
  }
}

void ExposureCache::note_products(const VulnRecord& rec) {
  std::vector<std::string> keys;
  if (vulnerable_product_keys(rec.configurations(), keys)) {
    for (const auto& k : keys) {
      auto& list = cves_by_product_[k];
      if (list.empty() || list.back() != rec.id) list.push_back(rec.id);
    }
  } else {
    unindexed_cves_.insert(rec.id);
  }
}

void ExposureCache::evaluate_cve(const VulnDatabase& db, const ExposureIndex& index, const std::string& id) {
  const VulnRecord* rec = db.find(id);
  if (!rec || rec->configurations().empty()) {
    by_cve_.erase(id);
    return;
  }
  note_products(*rec);
  auto positions = index.exposed_entries(rec->configurations());
  if (positions.empty())
    by_cve_.erase(id);
  else
    by_cve_[id] = std::move(positions);
}

void ExposureCache::update_cves(const VulnDatabase& db, const ExposureIndex& index, const std::vector<std::string>& ids) {
  for (const auto& id : ids) evaluate_cve(db, index, id);
}

void ExposureCache::set_member(const std::string& cve, std::uint32_t position, bool member) {
  auto it = by_cve_.find(cve);
  if (!member) {
    if (it == by_cve_.end()) return;
    auto& v = it->second;
    auto p = std::lower_bound(v.begin(), v.end(), position);
    if (p != v.end() && *p == position) v.erase(p);
    if (v.empty()) by_cve_.erase(it);
    return;
  }
  auto& v = it == by_cve_.end() ? by_cve_[cve] : it->second;
  auto p = std::lower_bound(v.begin(), v.end(), position);
  if (p == v.end() || *p != position) v.insert(p, position);
}

void ExposureCache::update_system(const VulnDatabase& db, const ExposureIndex& index, std::uint32_t position,
                                  const std::vector<Cpe>& old_cpes) {
  const InventoryEntry& entry = index.inventory()[position];
  std::vector<std::string> candidates(unindexed_cves_.begin(), unindexed_cves_.end());
  bool every_cve = false;
  auto add_products = [&](const std::vector<Cpe>& cpes) {
    for (const auto& c : cpes) {
      if (!indexable_cpe(c)) {
        every_cve = true;  // a wildcard vendor or product in the inventory can meet any criteria
        continue;
      }
      auto it = cves_by_product_.find(cpe_product_key(c));
      if (it != cves_by_product_.end()) candidates.insert(candidates.end(), it->second.begin(), it->second.end());
    }
  };
  add_products(old_cpes);
  add_products(entry.cpes);
  if (every_cve) {
    candidates.clear();
    db.for_each([&](const VulnRecord& rec) { candidates.push_back(rec.id); });
  }
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  for (const auto& id : candidates) {
    const VulnRecord* rec = db.find(id);
    bool member = rec && !entry.system_id.empty() && !rec->configurations().empty() &&
                  index.evaluate(rec->configurations(), position).applies;
    set_member(id, position, member);
  }
}

const std::vector<std::uint32_t>* ExposureCache::exposed(std::string_view cve) const {
  auto it = by_cve_.find(std::string(cve));
  return it == by_cve_.end() ? nullptr : &it->second;
}

}  // namespace khien
