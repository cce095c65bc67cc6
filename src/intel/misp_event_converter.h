// Converts MISP events (the {"Event": {...}} export, REST search responses, bare attribute and
// object lists) into STIX 2.1 objects, keeping one identity per organisation across events.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/error.h"
#include "intel/intel_import_formats.h"

namespace khien {

/// Threading: one converter per import; not shared between threads.
class MispEventConverter {
 public:
  MispEventConverter(const IntelImportOptions& options, ConvertedIntel& out) : options_(options), out_(out) {}

  /// Converts the JSON text of one document. A document that is not JSON, or not one of the
  /// MISP shapes, is an error of the call; problems inside it go to out.errors.
  Status add_text(std::string_view text);
  /// Converts one parsed document (see add_text).
  Status add_document(const nlohmann::json& doc);

 private:
  struct EventContext {
    std::string uuid;                 ///< event uuid, empty for attributes outside an event
    std::string created_by;           ///< identity id, may be empty
    std::optional<std::int64_t> time_us;  ///< event timestamp
    std::optional<Tlp> tlp;           ///< event tlp:* tag, else the import default
    std::vector<std::string> refs;    ///< ids the report will list
  };

  void convert_event(const nlohmann::json& event);
  void convert_attribute(const nlohmann::json& attribute, EventContext& ctx, std::size_t index);
  void convert_object(const nlohmann::json& object, EventContext& ctx, std::size_t index);
  /// Validates and emits the objects of one attribute or MISP object; on a problem reports
  /// `what` with the reason and emits nothing.
  bool emit(std::vector<nlohmann::json>& objects, const std::string& what, EventContext& ctx);
  bool warninglisted(const std::vector<std::pair<std::string, std::string>>& identifying) const;

  const IntelImportOptions& options_;
  ConvertedIntel& out_;
  std::unordered_set<std::string> ids_;  ///< every id emitted so far
};

}  // namespace khien
