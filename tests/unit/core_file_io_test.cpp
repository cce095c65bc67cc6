// Whole writes and owner-only files: content, mode 0600 even over an existing file, errors naming the path.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "core/file_io.h"
#include "test_files.h"

namespace khien {
namespace {

namespace fs = std::filesystem;

class FileIo : public ::testing::Test {
 protected:
  static std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }
  static unsigned mode_of(const fs::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0);
    return st.st_mode & 0777;
  }
  test::ScratchDir scratch_{"file-io"};
  std::filesystem::path dir_ = scratch_.path();
};

TEST_F(FileIo, WriteAllWritesEveryByte) {
  const fs::path p = dir_ / "big";
  const int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0);
  std::string data(3 << 20, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7);
  EXPECT_TRUE(write_all(fd, data));
  ::close(fd);
  EXPECT_EQ(read(p), data);
  EXPECT_FALSE(write_all(-1, "x"));
}

TEST_F(FileIo, PrivateFileIsOwnerOnlyEvenOverAReadableOne) {
  const fs::path p = dir_ / "admin.token";
  ASSERT_TRUE(write_private_file(p, "kha_first\n"));
  EXPECT_EQ(read(p), "kha_first\n");
  EXPECT_EQ(mode_of(p), 0600u);
  ::chmod(p.c_str(), 0644);
  ASSERT_TRUE(write_private_file(p, "second"));
  EXPECT_EQ(read(p), "second");
  EXPECT_EQ(mode_of(p), 0600u);
}

TEST_F(FileIo, PrivateFileErrorNamesThePathAndTheReason) {
  auto r = write_private_file(dir_ / "missing" / "keys.json", "{}");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "cannot write " + (dir_ / "missing" / "keys.json").string() + ": No such file or directory");
}

}  // namespace
}  // namespace khien
