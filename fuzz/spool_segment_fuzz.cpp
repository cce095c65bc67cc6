// Fuzzes spool recovery: arbitrary bytes as a segment file must be cut back, never crash.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>

#include "ingest/spool.h"
#include "store/archive_writer.h"

namespace {

// The run's one directory, removed when the fuzzer exits (each input starts it afresh).
struct RunDirectory {
  std::filesystem::path path = std::filesystem::temp_directory_path() / ("khien-spool-fuzz-" + std::to_string(::getpid()));
  ~RunDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const RunDirectory run;
  const std::filesystem::path& dir = run.path;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    std::ofstream out(dir / "00000000000000000001.spool", std::ios::binary);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  auto spool = khien::Spool::open(dir);
  if (spool) {
    std::vector<khien::SpoolRecord> records;
    std::string buffer;
    std::uint64_t after = 0;
    for (int i = 0; i < 100; ++i) {
      auto n = (*spool)->read(after, 64, 1 << 20, records, buffer);
      if (!n || *n == 0) break;
      after = records.back().seq;
    }
    std::vector<khien::SpoolInput> in{{1, 0, khien::SourceKind::Http, "after recovery"}};
    (void)(*spool)->append(in, true);
  }
  // The archive journal parser gets the same bytes as one line.
  (void)khien::parse_journal_line(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
