// Micro-benchmarks of each ingest stage on ~500-byte events: decode+normalize per format,
// JSON serialization, zstd archive compression, syslog parsing, spool append, query matching.
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <filesystem>

#include <simdjson.h>

#include "app/bench_command.h"
#include "app/event_generator.h"
#include "app/registry_import.h"
#include "app/scenario.h"
#include "core/json_writer.h"
#include "decode/decoder.h"
#include "ingest/spool.h"
#include "ingest/syslog_message.h"
#include "store/archive_writer.h"
#include "store/event_query.h"

namespace khien {
namespace {

// Realistic records of one format from the simulator's generator (background traffic).
std::vector<std::string> sample_lines(const std::string& format, std::size_t n) {
  if (format == "eve" || format == "ecs") {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < n; ++i) out.push_back(bench_event_line(format, i));
    return out;
  }
  auto registry = load_registry("");
  auto socs = EventGenerator::socs_from_registry(*registry, 0);
  EventGenerator gen(socs, {}, 7);
  std::vector<std::string> out;
  TimeNs now = now_ns();
  for (std::size_t guard = 0; out.size() < n && guard < n * 400; ++guard) {
    auto rec = gen.next(now, 0);
    if (rec.format == format) out.push_back(std::move(rec.line));
  }
  return out;
}

void decode_format(benchmark::State& state, const std::string& format) {
  auto lines = sample_lines(format, 4096);
  auto decoder = std::move(*make_decoder(format));
  Arena arena(1 << 20);
  std::size_t i = 0, bytes = 0;
  for (auto _ : state) {
    if ((i & 1023) == 0) arena.reset();
    Event event(arena);
    const std::string& line = lines[i++ % lines.size()];
    auto st = decoder->decode(line, event);
    benchmark::DoNotOptimize(st);
    bytes += line.size();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

void BM_DecodeEve(benchmark::State& s) { decode_format(s, "eve"); }
void BM_DecodeEcs(benchmark::State& s) { decode_format(s, "ecs"); }
void BM_DecodeZeek(benchmark::State& s) { decode_format(s, "zeek"); }
void BM_DecodeWinlog(benchmark::State& s) { decode_format(s, "winlog"); }
void BM_DecodeWazuh(benchmark::State& s) { decode_format(s, "wazuh"); }
void BM_DecodeCef(benchmark::State& s) { decode_format(s, "cef"); }
void BM_DecodeLeef(benchmark::State& s) { decode_format(s, "leef"); }
void BM_DecodeOcsf(benchmark::State& s) { decode_format(s, "ocsf"); }
BENCHMARK(BM_DecodeEve);
BENCHMARK(BM_DecodeEcs);
BENCHMARK(BM_DecodeZeek);
BENCHMARK(BM_DecodeWinlog);
BENCHMARK(BM_DecodeWazuh);
BENCHMARK(BM_DecodeCef);
BENCHMARK(BM_DecodeLeef);
BENCHMARK(BM_DecodeOcsf);

void BM_EventToJson(benchmark::State& state) {
  auto lines = sample_lines("eve", 1024);
  auto decoder = std::move(*make_decoder("eve"));
  Arena arena(1 << 22);
  std::vector<Event> events;
  for (const auto& l : lines) {
    events.emplace_back(arena);
    (void)decoder->decode(l, events.back());
  }
  std::string out;
  std::size_t i = 0, bytes = 0;
  for (auto _ : state) {
    out.clear();
    append_event_json(out, events[i++ % events.size()]);
    bytes += out.size();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_EventToJson);

void BM_ArchiveCommit(benchmark::State& state) {
  // 8192 archived event lines per commit, zstd level 1, one SOC.
  auto dir = std::filesystem::temp_directory_path() / ("khien-bench-archive-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto writer = std::move(*ArchiveWriter::open(dir));
  auto lines = sample_lines("eve", 8192);
  std::uint64_t seq = 0, bytes = 0;
  for (auto _ : state) {
    for (const auto& l : lines) writer->add("soc-bench", 0, ++seq, l);
    (void)writer->commit(seq, now_ns(), false);
  }
  for (const auto& l : lines) bytes += l.size();
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * lines.size()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
  writer.reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_ArchiveCommit)->Unit(benchmark::kMillisecond);

// The whole per-event ingest path on one thread as the pipeline runs it: decode + normalize,
// the archive line, and the archive (zstd level 1, one frame per 8192 events, arena reset per
// 1024-event chunk as the pipeline does).
void ingest_path(benchmark::State& state, const std::string& format) {
  auto dir = std::filesystem::temp_directory_path() / ("khien-bench-path-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto writer = std::move(*ArchiveWriter::open(dir));
  auto lines = sample_lines(format, 8192);
  auto decoder = std::move(*make_decoder(format));
  Arena arena(1 << 20);
  std::string json;
  std::uint64_t seq = 0, bytes = 0;
  for (auto _ : state) {
    if ((seq & 8191) == 0 && seq > 0) (void)writer->commit(seq, now_ns(), false);
    if ((seq & 1023) == 0) arena.reset();
    const std::string& line = lines[seq & 8191];
    Event event(arena);
    auto st = decoder->decode(line, event);
    benchmark::DoNotOptimize(st);
    json.clear();
    append_event_json(json, event);
    writer->add("soc-bench", 0, ++seq, json);
    bytes += line.size();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  writer.reset();
  std::filesystem::remove_all(dir);
}
void BM_IngestPathEve(benchmark::State& s) { ingest_path(s, "eve"); }
void BM_IngestPathEcs(benchmark::State& s) { ingest_path(s, "ecs"); }
BENCHMARK(BM_IngestPathEve);
BENCHMARK(BM_IngestPathEcs);

void BM_SyslogParse5424(benchmark::State& state) {
  std::string line = "<134>1 2026-11-22T03:00:00.123456Z sensor-1 suricata 4242 alert [meta seq=\"1\"] " + bench_event_line("eve", 1);
  for (auto _ : state) {
    auto msg = parse_syslog(line, 0);
    benchmark::DoNotOptimize(msg);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_SyslogParse5424);

void BM_SpoolAppend(benchmark::State& state) {
  auto dir = std::filesystem::temp_directory_path() / ("khien-bench-spool-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto spool = std::move(*Spool::open(dir));
  auto lines = sample_lines("eve", 1024);
  std::vector<SpoolInput> batch;
  std::uint64_t bytes = 0;
  for (const auto& l : lines) {
    batch.push_back(SpoolInput{1, 3, SourceKind::Http, l});
    bytes += l.size();
  }
  for (auto _ : state) {
    auto r = spool->append(batch, false);
    benchmark::DoNotOptimize(r);
    spool->release(spool->last_seq());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * batch.size()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
  spool.reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_SpoolAppend);

void BM_QueryMatch(benchmark::State& state) {
  auto query = std::move(*EventQuery::parse("src_endpoint.ip:10.0.0.0/8 AND alert.signature:*curl* AND NOT class_uid:4003"));
  simdjson::dom::parser parser;
  std::string line = R"({"time":"2026-11-22T03:00:00.000000Z","class_uid":2004,"src_endpoint.ip":"10.1.2.3","raw":)" + bench_event_line("eve", 3) + "}";
  simdjson::dom::element ev;
  if (parser.parse(line).get(ev) != simdjson::SUCCESS) {
    state.SkipWithError("the benchmark's event line does not parse");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(query.matches(ev, line));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_QueryMatch);

}  // namespace
}  // namespace khien

BENCHMARK_MAIN();
