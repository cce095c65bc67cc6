// Pipeline implementation.
#include "app/pipeline.h"

#include <spdlog/spdlog.h>

#include "core/field_dictionary.h"
#include "core/json_writer.h"
#include "core/metrics.h"
#include "ingest/syslog_message.h"

namespace khien {

namespace {

// Records decoded per arena reset: ~2.5 MB of events, which stays in the cache.
constexpr std::size_t kChunkRecords = 1024;

}  // namespace

int format_code(std::string_view format) {
  const auto& list = registered_decoders();
  for (std::size_t i = 0; i < list.size(); ++i)
    if (list[i].name == format) return static_cast<int>(i);
  return -1;
}

RecordDecoder::RecordDecoder(std::int64_t syslog_local_offset_seconds)
    : syslog_local_offset_seconds_(syslog_local_offset_seconds) {
  for (const auto& info : registered_decoders()) decoders_.push_back(info.make());
  auto_ = std::make_unique<AutoDecoder>();
}

namespace {

// The syslog header's fields, and its time and host where the payload gave none.
void apply_syslog_header(const SyslogMessage& msg, Event& event) {
  event.set_int(field::syslog_facility, msg.facility);
  event.set_int(field::syslog_severity, msg.severity);
  if (!msg.hostname.empty()) {
    event.set_string(field::syslog_hostname, msg.hostname);
    if (!event.has(field::device_hostname)) event.set_string(field::device_hostname, msg.hostname);
  }
  if (!msg.app_name.empty()) event.set_string(field::syslog_appname, msg.app_name);
  if (!msg.procid.empty()) event.set_string(field::syslog_procid, msg.procid);
  if (!msg.msgid.empty()) event.set_string(field::syslog_msgid, msg.msgid);
  if (msg.timestamp && !event.has(field::time)) event.set_time(field::time, *msg.timestamp);
  if (!event.has(field::severity_id)) {
    // Syslog severity 0 (emergency) .. 7 (debug) onto OCSF 1..6.
    static constexpr int kMap[8] = {6, 5, 5, 4, 3, 2, 1, 1};
    event.set_int(field::severity_id, kMap[msg.severity & 7]);
  }
}

}  // namespace

Status RecordDecoder::decode(const SpoolRecord& record, Event& event, const SocInfo* soc) {
  const std::int64_t local_offset = soc && soc->syslog_local_offset_seconds ? *soc->syslog_local_offset_seconds
                                                                             : syslog_local_offset_seconds_;
  if (record.format != kSyslogFormat) {
    if (record.format >= decoders_.size()) return fail("record has an unknown format code");
    last_format_ = registered_decoders()[record.format].name;
    auto st = decoders_[record.format]->decode(record.payload, event);
    // CEF and LEEF lines sent over HTTP may keep the syslog header they were logged with: its
    // time, host and app are the record's too.
    if (st && (last_format_ == "cef" || last_format_ == "leef") && record.payload.starts_with('<'))
      if (auto msg = parse_syslog(record.payload, record.received, local_offset)) apply_syslog_header(*msg, event);
    return st;
  }
  last_format_ = "syslog";
  auto msg = parse_syslog(record.payload, record.received, local_offset);
  if (!msg) return tl::unexpected(msg.error());
  // The payload decides the format: JSON (auto-detected), CEF, LEEF, or plain text.
  std::string_view payload = msg->msg;
  bool structured = !payload.empty() && (payload.front() == '{' || payload.find("CEF:") != std::string_view::npos ||
                                         payload.find("LEEF:") != std::string_view::npos);
  auto base_event = [&] {
    event.set_string(field::message, payload);
    event.set_int(field::class_uid, 0);
    event.set_string(field::class_name, "Base Event");
    event.set_raw(event.arena().copy(record.payload), RawKind::Text);
  };
  if (structured && auto_) {
    // khien.format names the payload's format; khien.source says it came by syslog.
    if (auto st = auto_->decode(payload, event); st) {
      last_format_ = auto_->last_format();
    } else {
      // A sender cannot be told, so nothing is dropped: the message stays a base event with its
      // syslog header (time, host, app), and the reason is kept with it and counted.
      static Counter& unparsed = Metrics::instance().counter(
          "khien_syslog_unparsed_payloads_total",
          "Syslog messages whose JSON, CEF or LEEF payload did not decode (archived as base events with khien.decode_error)");
      unparsed.add();
      event.clear();
      base_event();
      event.set_string(intern_field("khien.decode_error"), st.error().message);
    }
  } else {
    base_event();
  }
  apply_syslog_header(*msg, event);
  return {};
}

void enrich_event(Event& event, const SpoolRecord& record, const SocInfo* soc, std::string_view format) {
  // Views, not arena copies: the SOC's registry entry and the format and source names outlive
  // the event (see the header).
  if (soc) {
    event.set(field::khien_soc, Value::of_string(soc->id));
    event.set(field::khien_org, Value::of_string(soc->org));
    if (!soc->sector.empty()) event.set(field::khien_sector, Value::of_string(soc->sector));
    if (!soc->province.empty()) event.set(field::khien_province, Value::of_string(soc->province));
  }
  event.set(field::khien_format, Value::of_string(format));
  event.set(field::khien_source, Value::of_string(source_kind_name(record.source)));
  event.set_time(field::khien_received, record.received);
  event.set_int(field::khien_seq, static_cast<std::int64_t>(record.seq));
  if (!event.has(field::time)) event.set_time(field::time, record.received);
}

Pipeline::Pipeline(Spool& spool, ArchiveWriter& archive, ConstituencyHolder& constituency, PipelineOptions options,
                   AlertStore* alerts)
    : spool_(spool), archive_(archive), constituency_(constituency), options_(options), alert_store_(alerts),
      decoder_(options.syslog_local_offset_seconds), arena_(1 << 20) {
  processed_seq_ = archive_.committed_seq();
  released_seq_ = processed_seq_;
  spool_.release(processed_seq_);
}

Pipeline::~Pipeline() { stop(); }

void Pipeline::start() {
  stopping_ = false;
  worker_ = std::thread([this] { loop(); });
}

void Pipeline::stop() {
  stopping_ = true;
  if (worker_.joinable()) worker_.join();
}

Status Pipeline::drain() {
  for (;;) {
    auto n = run_once();
    if (!n) return tl::unexpected(n.error());
    if (*n == 0 && processed_seq_ >= spool_.durable_seq()) return {};
  }
}

void Pipeline::loop() {
  while (!stopping_) {
    auto n = run_once();
    if (!n) {
      spdlog::error("pipeline: {}", n.error().message);
      spool_.wait_for_records(processed_seq_, 1000);
      continue;
    }
    if (*n == 0) spool_.wait_for_records(processed_seq_, 100);
  }
}

Result<std::size_t> Pipeline::run_once() {
  static Counter& processed = Metrics::instance().counter("khien_pipeline_events_total", "Events decoded and archived");
  static Counter& failed = Metrics::instance().counter("khien_pipeline_decode_errors_total",
                                                       "Spooled records that failed to decode in the pipeline");
  static Histogram& latency = Metrics::instance().histogram(
      "khien_ingest_to_archive_seconds", "Time from acceptance (spool) to archive commit");

  auto n = spool_.read(processed_seq_, options_.batch_records, options_.batch_bytes, records_, buffer_);
  if (!n) return tl::unexpected(n.error());
  if (*n == 0) {
    // Idle: what was archived since the last sync still holds the spool (and counts as backlog
    // against the 429 threshold) until it is on disk, so sync it once the interval has passed.
    const TimeNs now = now_ns();
    if (released_seq_ < processed_seq_ && now - last_sync_ >= options_.sync_interval_ns) {
      if (auto st = archive_.sync(); !st) return tl::unexpected(st.error());
      release(processed_seq_, now);
    }
    return 0;
  }
  auto constituency = constituency_.get();
  alerts_.clear();
  std::uint64_t last = processed_seq_;
  TimeNs oldest = records_.front().received;
  // The batch is decoded, detected and archived a chunk at a time, with the arena reset between
  // chunks: a whole batch of events (~2.5 KB each) no longer fits in the cache, and every event
  // written to memory the cache has lost cost more than its decoding. The commit (one archive
  // frame per SOC, the journal line, the spool release) stays one per batch.
  for (std::size_t from = 0; from < records_.size(); from += kChunkRecords) {
    const std::size_t to = std::min(records_.size(), from + kChunkRecords);
    arena_.reset();
    for (auto& e : enrichers_) e->begin_batch();
    // Decode and enrich the whole chunk first, so that detectors can look it up at once.
    events_.clear();
    events_.reserve(to - from);
    for (std::size_t r = from; r < to; ++r) {
      const SpoolRecord& rec = records_[r];
      Event& event = events_.emplace_back(arena_);
      if (rec.source == SourceKind::Marker) continue;
      const SocInfo* soc = constituency->soc_by_row(rec.soc);
      if (auto st = decoder_.decode(rec, event, soc); !st) {
        // Ingest validated the record already; a failure here means a decoder changed between
        // acceptance and processing. Keep the record: archive it as a plain event with the reason.
        failed.add();
        event.clear();
        event.set_string(field::message, rec.payload);
        event.set_string(intern_field("khien.decode_error"), st.error().message);
        event.set_raw(arena_.copy(rec.payload), RawKind::Text);
      }
      enrich_event(event, rec, soc, decoder_.last_format());
      for (auto& e : enrichers_) e->enrich(event, soc);
    }
    detect_batch_.clear();
    for (std::size_t r = from; r < to; ++r)
      if (records_[r].source != SourceKind::Marker) detect_batch_.push_back(&events_[r - from]);
    for (auto& d : detectors_) d->begin_batch(detect_batch_);
    for (std::size_t r = from; r < to; ++r) {
      const SpoolRecord& rec = records_[r];
      last = rec.seq;
      if (rec.source == SourceKind::Marker) continue;
      const Event& event = events_[r - from];
      const SocInfo* soc = constituency->soc_by_row(rec.soc);
      const Value* t = event.get(field::time);
      // The line is written straight into its SOC's archive frame; alerts take a copy of it.
      const std::string_view line =
          archive_.add_line(soc ? std::string_view(soc->id) : std::string_view("unknown"), t ? t->t : rec.received, rec.seq,
                            [&](ByteBuffer& frame) { append_event_json(frame, event); });
      std::size_t first_alert = alerts_.size();
      for (auto& d : detectors_) d->detect(event, alerts_);
      for (std::size_t i = first_alert; i < alerts_.size(); ++i) {
        Alert& a = alerts_[i];
        a.time = t ? t->t : rec.received;
        if (soc) {
          a.soc = soc->id;
          a.org = soc->org;
          a.sector = soc->sector;
          a.province = soc->province;
        }
        a.event_seq = rec.seq;
        a.event_json = line;
      }
      oldest = std::min(oldest, rec.received);
    }
  }
  // Alerts first: a crash before the archive commit replays the batch, and the alert store
  // ignores alerts it already has (unique per detector, rule, event and value).
  if (alert_store_ && !alerts_.empty()) {
    static Counter& alert_count = Metrics::instance().counter("khien_alerts_total", "Alerts raised by detectors");
    if (auto st = alert_store_->insert(alerts_); !st) return tl::unexpected(st.error());
    alert_count.add(alerts_.size());
  }
  if (alert_hook_ && !alerts_.empty()) alert_hook_(alerts_);
  TimeNs now = now_ns();
  // The spool may drop a record only once the archive copy is on disk, so archive files are
  // fsynced at least every sync_interval and the spool released up to that point.
  bool sync = options_.sync_archive || now - last_sync_ >= options_.sync_interval_ns;
  if (auto st = archive_.commit(last, now, sync); !st) return tl::unexpected(st.error());
  processed_seq_ = last;
  if (sync) release(last, now);
  processed.add(records_.size());
  for (const SpoolRecord& rec : records_) {
    if (rec.source != SourceKind::Marker) latency.observe(static_cast<double>(now - rec.received) / 1e9);
  }
  publish_spool_gauges();
  return records_.size();
}

void Pipeline::release(std::uint64_t seq, TimeNs synced_at) {
  last_sync_ = synced_at;
  released_seq_ = seq;
  spool_.release(seq);
  publish_spool_gauges();
}

void Pipeline::publish_spool_gauges() {
  static Gauge& backlog = Metrics::instance().gauge("khien_spool_backlog_records", "Spooled records not yet archived");
  static Gauge& spool_bytes = Metrics::instance().gauge("khien_spool_bytes", "Bytes in the spool on disk");
  backlog.set(static_cast<std::int64_t>(spool_.backlog()));
  spool_bytes.set(static_cast<std::int64_t>(spool_.bytes_on_disk()));
}

}  // namespace khien
