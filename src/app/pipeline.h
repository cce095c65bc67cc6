// The pipeline worker: spool → decode → normalize → enrich → archive, run to completion per batch.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/alert.h"
#include "core/arena.h"
#include "core/error.h"
#include "decode/auto_decoder.h"
#include "decode/decoder.h"
#include "enrich/constituency.h"
#include "enrich/enricher.h"
#include "ingest/spool.h"
#include "store/alert_store.h"
#include "store/archive_writer.h"

namespace khien {

struct PipelineOptions {
  std::size_t batch_records = 8192;
  std::size_t batch_bytes = 8u << 20;
  bool sync_archive = false;  ///< fdatasync archive frames on every commit
  std::int64_t sync_interval_ns = 1'000'000'000;  ///< otherwise at least this often
  std::int64_t syslog_local_offset_seconds = 0;   ///< UTC offset of RFC 3164 timestamps (no zone of their own)
};

/// Decodes one spooled record into `event`: the format recorded at ingest, or for syslog
/// records the header plus the payload (JSON, CEF, LEEF, or plain text).
class RecordDecoder {
 public:
  explicit RecordDecoder(std::int64_t syslog_local_offset_seconds = 0);
  /// `soc` (when known) may set its own offset for RFC 3164 timestamps.
  Status decode(const SpoolRecord& record, Event& event, const SocInfo* soc = nullptr);
  /// Name of the format the last record was decoded as.
  std::string_view last_format() const { return last_format_; }

 private:
  std::vector<std::unique_ptr<Decoder>> decoders_;  // indexed like registered_decoders()
  std::unique_ptr<AutoDecoder> auto_;
  std::string_view last_format_;
  std::int64_t syslog_local_offset_seconds_;
};

/// Index of `format` in registered_decoders() (the code stored in spool records), or -1.
int format_code(std::string_view format);

/// Adds khien.* fields (SOC, organisation, sector, province, source, seq, received) and fills
/// `time` from the receive time when the record had none. The event refers to `soc`'s strings and
/// to `format` rather than copying them: both must outlive it (the pipeline holds the registry
/// snapshot for the whole batch, and format names are static).
void enrich_event(Event& event, const SpoolRecord& record, const SocInfo* soc, std::string_view format);

/// One worker thread consuming the spool. Resumes after the archive's committed seq, so after a
/// crash every durable record is archived exactly once.
///
/// Threading: start() spawns the worker; stop() drains nothing further and joins. The archive
/// and decoders are owned by the worker; the spool is shared with the sources.
class Pipeline {
 public:
  Pipeline(Spool& spool, ArchiveWriter& archive, ConstituencyHolder& constituency, PipelineOptions options = {},
           AlertStore* alerts = nullptr);
  /// Adds a detection stage (before start()); its alerts go to the alert store.
  void add_detector(std::unique_ptr<Detector> detector) { detectors_.push_back(std::move(detector)); }
  /// Called on the worker thread with each batch's alerts once the alert store has them (correlation).
  void set_alert_hook(std::function<void(const std::vector<Alert>&)> hook) { alert_hook_ = std::move(hook); }
  /// Adds an enrichment stage (before start()), run on every event after the khien.* SOC fields.
  void add_enricher(std::unique_ptr<Enricher> enricher) { enrichers_.push_back(std::move(enricher)); }
  ~Pipeline();
  void start();
  void stop();
  /// Processes every durable record now in the spool on the calling thread (for `khien ingest`).
  Status drain();
  /// Processes one batch; returns the number of records handled (0 when idle).
  Result<std::size_t> run_once();
  std::uint64_t processed_seq() const { return processed_seq_.load(); }

 private:
  void loop();
  // Lets the spool drop records up to `seq`, now that the archive holding them is synced.
  void release(std::uint64_t seq, TimeNs synced_at);
  void publish_spool_gauges();

  Spool& spool_;
  ArchiveWriter& archive_;
  ConstituencyHolder& constituency_;
  PipelineOptions options_;
  AlertStore* alert_store_;
  std::vector<std::unique_ptr<Enricher>> enrichers_;
  std::vector<std::unique_ptr<Detector>> detectors_;
  std::vector<Alert> alerts_;
  std::function<void(const std::vector<Alert>&)> alert_hook_;
  RecordDecoder decoder_;
  Arena arena_;
  std::vector<SpoolRecord> records_;
  std::vector<Event> events_;               // one per record of the batch (markers stay empty)
  std::vector<const Event*> detect_batch_;  // the events detectors see in begin_batch
  std::string buffer_;
  std::atomic<std::uint64_t> processed_seq_{0};
  TimeNs last_sync_ = 0;
  std::uint64_t released_seq_ = 0;  // spool released up to here: archived and synced (pipeline thread only)
  std::atomic<bool> stopping_{false};
  std::thread worker_;
};

}  // namespace khien
