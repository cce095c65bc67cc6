// Files in tests: a whole file read at once, and a scratch directory that goes away with its test.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>

namespace khien::test {

/// The bytes of `path`; a file that cannot be opened fails the test (and gives "").
inline std::string read_text_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot open " << path;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// A directory of its own for one test under the system's temporary directory, named after
/// `purpose`, this process and the running test; empty when made, and removed with everything in it
/// when the object goes, also when the test fails half-way.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& purpose) {
    std::string name = "khien-" + purpose + "-" + std::to_string(::getpid());
    if (const auto* test = ::testing::UnitTest::GetInstance()->current_test_info())
      name += std::string("-") + test->test_suite_name() + "." + test->name();
    for (char& c : name)
      if (c == '/') c = '_';  // parameterised tests' names hold slashes
    path_ = std::filesystem::temp_directory_path() / name;
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace khien::test
