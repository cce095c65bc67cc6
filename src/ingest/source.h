// The Source interface (a transport that receives records and appends them to the spool) and what sources share.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/ip_address.h"
#include "ingest/soc_stats.h"
#include "ingest/spool.h"
#include "ingest/tls_context.h"

namespace khien {

/// Limits every source enforces.
struct IngestLimits {
  std::size_t max_line_bytes = 1u << 20;       ///< longer records are rejected
  std::size_t max_body_bytes = 256u << 20;     ///< decompressed HTTP body limit
  std::uint64_t max_backlog_records = 4'000'000;  ///< spool backlog at which sources push back
};

/// Checks one record of `format` ("auto" detects) and returns the spool format code to store
/// it under, or a message saying why it is rejected. Injected by the app layer (it decodes).
using RecordValidator = std::function<Result<std::uint8_t>(std::string_view record, std::string_view format)>;

/// A registered flow exporter as the NetFlow/IPFIX collector needs it.
struct ExporterMatch {
  std::uint32_t soc_row = 0;  ///< SOC row id its flows are filed under
  std::string soc_id;
  std::string exporter_id;
  std::string org;  ///< organisation the exporter belongs to
};

/// What a source needs from the rest of khien, injected so ingest/ depends on core/ only.
struct SourceContext {
  Spool* spool = nullptr;
  SocStats* stats = nullptr;
  IngestLimits limits;
  RecordValidator validate;
  /// The `format=` values HTTP bulk ingest takes ("auto" and the decoders'); any other refuses
  /// the whole request. Empty: not checked before the lines are.
  std::vector<std::string> http_formats;
  /// The SOC (row id and id) registered for a syslog sender address, if any.
  std::function<std::optional<std::pair<std::uint32_t, std::string>>(const IpAddress&)> soc_for_sender;
  /// The SOC (row id and id) with this id, if any: a client certificate's name is looked up here.
  std::function<std::optional<std::pair<std::uint32_t, std::string>>(const std::string&)> soc_by_id;
  /// The flow exporter registered for a NetFlow/IPFIX packet's source address, if any.
  std::function<std::optional<ExporterMatch>(const IpAddress&)> exporter_for_address;
  /// Certificate, key and client CA for the TLS listeners.
  TlsOptions tls;
};

/// A transport that receives records and appends them to the spool.
///
/// Threading: start() spawns the source's own threads and returns once it listens; stop() makes
/// them finish and joins them. Sources only append to the spool (thread-safe) and update
/// counters; they never decode into the pipeline's state.
class Source {
 public:
  virtual ~Source() = default;
  virtual std::string_view name() const = 0;
  /// Binds and starts; returns the bound address ("127.0.0.1:5514").
  virtual Result<std::string> start() = 0;
  virtual void stop() = 0;
};

struct SourceInfo {
  std::string_view name;
  std::string_view description;
  std::unique_ptr<Source> (*make)(const SourceContext& context, const std::string& listen);
};

/// Every listening source, defined in register_sources.cpp.
const std::vector<SourceInfo>& registered_sources();

/// Spool backpressure: true while the pipeline is this far behind.
inline bool spool_saturated(const SourceContext& ctx) {
  return ctx.spool->backlog() >= ctx.limits.max_backlog_records;
}

}  // namespace khien
