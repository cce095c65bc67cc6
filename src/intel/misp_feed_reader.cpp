// MISP feed directories (manifest.json listing <uuid>.json event files, as MISP's feed
// generator and CIRCL's OSINT feed publish them) → STIX 2.1 through the event converter.
#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "intel/intel_import_formats.h"
#include "intel/misp_attribute_mapping.h"
#include "intel/misp_event_converter.h"

namespace khien {

namespace {

/// Feed event files are refused past this size; the largest OSINT feed events are a few MB.
constexpr std::uintmax_t kMaxEventBytes = 256u << 20;

Result<std::string> read_file(const std::filesystem::path& path) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec) return fail(fmt::format("{}: {}", path.string(), ec.message()));
  if (size > kMaxEventBytes) return fail(fmt::format("{}: larger than {} bytes", path.string(), kMaxEventBytes));
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(fmt::format("{}: cannot be opened", path.string()));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

Result<ConvertedIntel> misp_feed_to_stix(const std::filesystem::path& feed_dir, const IntelImportOptions& options) {
  auto manifest_path = feed_dir / "manifest.json";
  auto text = read_file(manifest_path);
  if (!text) return fail("MISP feed manifest: " + text.error().message);
  auto manifest = nlohmann::json::parse(*text, nullptr, false);
  if (manifest.is_discarded() || !manifest.is_object())
    return fail(fmt::format("{}: not a MISP feed manifest (expected a JSON object of event uuids)", manifest_path.string()));

  ConvertedIntel out;
  MispEventConverter converter(options, out);
  for (const auto& item : manifest.items()) {
    const std::string& uuid = item.key();
    // The uuid becomes a file name: anything but a UUID could name a file outside the feed.
    if (!is_uuid(uuid)) {
      out.errors.push_back(fmt::format("event '{}': manifest key is not a UUID", uuid.substr(0, 80)));
      continue;
    }
    auto event_path = feed_dir / (uuid + ".json");
    auto event_text = read_file(event_path);
    if (!event_text) {
      out.errors.push_back(fmt::format("event {}: {}", uuid, event_text.error().message));
      continue;
    }
    if (auto st = converter.add_text(*event_text); !st) {
      out.errors.push_back(fmt::format("event {}: {}: {}", uuid, event_path.string(), st.error().message));
    }
  }
  return out;
}

}  // namespace khien
