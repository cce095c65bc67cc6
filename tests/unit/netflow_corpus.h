// The NetFlow/IPFIX exporter packets of the shared corpus, as the collector tests read them.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace khien::test {

/// ../shared/corpus/netflow: one UDP payload per .dat file.
inline std::filesystem::path netflow_corpus_dir() { return std::filesystem::path(KHIEN_CORPUS_DIR) / "netflow"; }

/// The bytes of one packet file; a file that cannot be read fails the test.
inline std::vector<std::uint8_t> read_packet(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// A packet of the corpus by file name.
inline std::vector<std::uint8_t> corpus_packet(const std::string& name) { return read_packet(netflow_corpus_dir() / name); }

/// Every packet file of the corpus, sorted by name.
inline std::vector<std::filesystem::path> corpus_packet_files() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(netflow_corpus_dir()))
    if (entry.path().extension() == ".dat") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace khien::test
