// MISP warninglists (lists of well-known, benign values: public resolvers, cloud ranges, top
// domains, empty-file hashes) and the lookup that tells an importer to leave such values out.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace khien {

/// How a list's entries are compared with a value (the list.json "type").
enum class WarninglistMatch { string, substring, hostname, cidr, regex };

/// The facts of one loaded list.
struct WarninglistInfo {
  std::string name, description;
  WarninglistMatch match = WarninglistMatch::string;
  std::vector<std::string> matching_attributes;  ///< MISP attribute types the list applies to
  std::size_t entries = 0;
  /// Entries left out, with the reason ("regex '/(?<=a)b/': invalid perl operator: (?<").
  std::vector<std::string> rejected;
};

/// A set of warninglists compiled for lookup. Threading: immutable after loading; listed() may be
/// called from any number of threads at once.
class WarninglistSet {
 public:
  WarninglistSet();
  ~WarninglistSet();
  WarninglistSet(WarninglistSet&&) noexcept;
  WarninglistSet& operator=(WarninglistSet&&) noexcept;

  /// Loads every list.json found under `dir` (MISP's lists/<name>/list.json layout, or list
  /// files directly in `dir`). A list that cannot be read or parsed fails the load with its path.
  static Result<WarninglistSet> load_dir(const std::filesystem::path& dir);

  /// Adds one list from the text of a list.json; `origin` names it in error messages.
  Status add_list_json(std::string_view text, std::string_view origin);

  /// True when `value` is on a list that applies to `observable_type`: "ipv4-addr", "ipv6-addr",
  /// "domain-name", "url", "file-hash", "email-addr" (STIX names; MISP attribute types such as
  /// "ip-dst" or "md5" are accepted too). cidr lists match by longest-prefix containment, hostname
  /// lists the name and its sub-domains, string lists exactly (case-insensitive), substring and
  /// regex lists anywhere in the value.
  bool listed(std::string_view observable_type, std::string_view value) const;

  /// The name of the first list that has `value` for `observable_type`, empty when none.
  std::string listed_by(std::string_view observable_type, std::string_view value) const;

  /// Number of lists loaded.
  std::size_t size() const;

  /// The loaded lists, in load order.
  const std::vector<WarninglistInfo>& lists() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace khien
