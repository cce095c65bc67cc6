// Constituency snapshot: SOC → organisation, sector, province; syslog sender address → SOC.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/ip_address.h"
#include "core/time.h"
#include "store/state_store.h"

namespace khien {

/// What an event inherits from the SOC that delivered it.
struct SocInfo {
  std::int64_t row_id = 0;
  std::string id, org, sector, province;
  std::vector<IpPrefix> sender_ranges;
  bool revoked = false;
  /// UTC offset (seconds) of its senders' RFC 3164 timestamps, when the SOC sets one.
  std::optional<std::int64_t> syslog_local_offset_seconds;
};

/// An immutable snapshot; share it between threads through std::shared_ptr<const Constituency>.
class Constituency {
 public:
  static std::shared_ptr<const Constituency> build(StateStore& store);

  const SocInfo* soc_by_row(std::int64_t row_id) const;
  const SocInfo* soc_by_id(const std::string& id) const;
  /// The SOC whose sender ranges hold `sender` most specifically (longest prefix); nullptr if none.
  const SocInfo* soc_by_sender(const IpAddress& sender) const;
  const std::vector<SocInfo>& socs() const { return socs_; }

 private:
  std::vector<SocInfo> socs_;
  std::unordered_map<std::int64_t, std::size_t> by_row_;
  std::unordered_map<std::string, std::size_t> by_id_;
};

/// Holds the current snapshot and rebuilds it when the store's generation changes.
class ConstituencyHolder {
 public:
  explicit ConstituencyHolder(StateStore& store);
  /// The current snapshot (rebuilt first if the registry changed since the last call).
  std::shared_ptr<const Constituency> get();

 private:
  StateStore& store_;
  std::mutex mutex_;
  std::shared_ptr<const Constituency> current_;
  std::uint64_t generation_ = 0;
};

}  // namespace khien
