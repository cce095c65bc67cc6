// Golden tests: tests/golden/<format>/<case>.input (or .json) decoded and compared with <case>.expected.
//
// Each input record gives one expected line: the event as append_event_json writes it, or
// "ERROR: <message>". Every case is decoded by the decoder named by its folder and again by "auto",
// which must print the same. KHIEN_UPDATE_GOLDEN=1 rewrites the .expected files (review the diff).
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/arena.h"
#include "core/event.h"
#include "core/json_writer.h"
#include "decode/decoder.h"
#include "decode/json_documents.h"
#include "test_files.h"

namespace khien {
namespace {

namespace fs = std::filesystem;

struct GoldenCase {
  std::string format;
  fs::path input;
  fs::path expected;
  bool documents = false;  // .json: documents back to back, not one per line
};

void PrintTo(const GoldenCase& c, std::ostream* os) { *os << c.input.string(); }

std::vector<GoldenCase> find_cases() {
  std::vector<GoldenCase> cases;
  fs::path root = fs::path(KHIEN_SOURCE_DIR) / "tests" / "golden";
  if (!fs::exists(root)) return cases;
  for (const auto& dir : fs::directory_iterator(root)) {
    if (!dir.is_directory()) continue;
    for (const auto& file : fs::directory_iterator(dir.path())) {
      auto ext = file.path().extension();
      if (ext != ".input" && ext != ".json") continue;
      GoldenCase c;
      c.format = dir.path().filename().string();
      c.input = file.path();
      c.expected = fs::path(file.path()).replace_extension(".expected");
      c.documents = ext == ".json";
      cases.push_back(std::move(c));
    }
  }
  std::sort(cases.begin(), cases.end(), [](const auto& a, const auto& b) { return a.input < b.input; });
  return cases;
}

std::vector<std::string_view> records_of(std::string_view text, bool documents) {
  if (documents) return split_json_documents(text);
  std::vector<std::string_view> out;
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

std::vector<std::string> decode_all(Decoder& decoder, const std::vector<std::string_view>& records) {
  std::vector<std::string> lines;
  for (auto record : records) {
    Arena arena;
    Event event(arena);
    auto status = decoder.decode(record, event);
    if (!status) {
      lines.push_back("ERROR: " + status.error().message);
      continue;
    }
    std::string out;
    append_event_json(out, event);
    lines.push_back(std::move(out));
  }
  return lines;
}

std::string diff(const std::vector<std::string>& expected, const std::vector<std::string>& actual) {
  std::string out;
  std::size_t n = std::max(expected.size(), actual.size());
  for (std::size_t i = 0; i < n; ++i) {
    const std::string* e = i < expected.size() ? &expected[i] : nullptr;
    const std::string* a = i < actual.size() ? &actual[i] : nullptr;
    if (e && a && *e == *a) continue;
    out += "record " + std::to_string(i + 1) + ":\n";
    out += "  - expected: " + (e ? *e : std::string("(no line)")) + "\n";
    out += "  + actual:   " + (a ? *a : std::string("(no line)")) + "\n";
  }
  return out;
}

class DecodeGolden : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(DecodeGolden, MatchesExpected) {
  const GoldenCase& c = GetParam();
  std::string text = test::read_text_file(c.input);
  auto records = records_of(text, c.documents);
  ASSERT_FALSE(records.empty()) << c.input << " holds no records";

  auto decoder = make_decoder(c.format);
  ASSERT_TRUE(decoder) << decoder.error().message;
  auto actual = decode_all(**decoder, records);

  const char* update = std::getenv("KHIEN_UPDATE_GOLDEN");
  if (update != nullptr && std::string_view(update) == "1") {
    std::ofstream out(c.expected, std::ios::binary | std::ios::trunc);
    for (const auto& line : actual) out << line << '\n';
  } else {
    ASSERT_TRUE(fs::exists(c.expected)) << c.expected << " is missing; run with KHIEN_UPDATE_GOLDEN=1 and review it";
    std::string expected_text = test::read_text_file(c.expected);
    auto expected = records_of(expected_text, false);
    std::vector<std::string> expected_lines(expected.begin(), expected.end());
    EXPECT_EQ(expected_lines, actual) << c.input << " (format " << c.format << ") differs from " << c.expected
                                      << ":\n" << diff(expected_lines, actual);
  }

  auto auto_decoder = make_decoder("auto");
  ASSERT_TRUE(auto_decoder);
  auto detected = decode_all(**auto_decoder, records);
  EXPECT_EQ(actual, detected) << c.input << ": format=auto prints differently from format=" << c.format << ":\n"
                              << diff(actual, detected);
}

std::string case_name(const ::testing::TestParamInfo<GoldenCase>& info) {
  std::string name = info.param.format + "_" + info.param.input.stem().string();
  for (char& ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Cases, DecodeGolden, ::testing::ValuesIn(find_cases()), case_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(DecodeGolden);

}  // namespace
}  // namespace khien
