// Tests of RFC 6587 framing: both framings, every split point, oversized and garbage frames, connection close.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ingest/syslog_framer.h"

namespace khien {
namespace {

using namespace std::string_literals;

// Frames as text; skipped frames as "ERROR: <message>".
struct Collected {
  std::vector<std::string> items;
  void add(const std::optional<Result<std::string_view>>& r) {
    if (*r) items.emplace_back(**r);
    else items.push_back("ERROR: " + (*r).error().message);
  }
};

void drain(SyslogFramer& framer, Collected& out) {
  while (auto r = framer.next()) out.add(r);
}

// Feeds `stream` in chunks that end at the given split points, then closes the connection.
std::vector<std::string> run(std::string_view stream, const std::vector<std::size_t>& splits, std::size_t max = 64 * 1024) {
  SyslogFramer framer(max);
  Collected out;
  std::size_t pos = 0;
  for (std::size_t split : splits) {
    framer.feed(stream.substr(pos, split - pos));
    drain(framer, out);
    pos = split;
  }
  framer.feed(stream.substr(pos));
  drain(framer, out);
  if (auto r = framer.finish()) out.add(r);
  EXPECT_FALSE(framer.finish().has_value());
  return out.items;
}

std::vector<std::string> run_whole(std::string_view stream, std::size_t max = 64 * 1024) { return run(stream, {}, max); }

TEST(SyslogFramer, NonTransparentTrailers) {
  EXPECT_EQ(run_whole("<13>a\n<13>b\r\n<13>c\0<13>d"s),
            (std::vector<std::string>{"<13>a", "<13>b", "<13>c", "<13>d"}));
}

TEST(SyslogFramer, EmptyFramesSkipped) {
  EXPECT_EQ(run_whole("\n\n<13>a\n\r\n\n<13>b\n"), (std::vector<std::string>{"<13>a", "<13>b"}));
}

TEST(SyslogFramer, OctetCounting) {
  EXPECT_EQ(run_whole("5 <13>a6 <13>bc10 <13>x\ny\nzz"), (std::vector<std::string>{"<13>a", "<13>bc", "<13>x\ny\nzz"}));
}

TEST(SyslogFramer, MixedFramingPerFrame) {
  EXPECT_EQ(run_whole("5 <13>a\n<13>lf frame\n7 <13>oct<13>last"),
            (std::vector<std::string>{"<13>a", "<13>lf frame", "<13>oct", "<13>last"}));
}

TEST(SyslogFramer, DigitsNotFollowedBySpaceAreText) {
  EXPECT_EQ(run_whole("2026-11-22T10:00:00Z host app: x\n"), (std::vector<std::string>{"2026-11-22T10:00:00Z host app: x"}));
}

TEST(SyslogFramer, EverySplitPointGivesTheSameFrames) {
  // The first frame is octet-counted and carries an LF inside it.
  const std::string first = "<34>1 - host app - - - two\nlines";
  const std::string stream = std::to_string(first.size()) + " " + first +
                             "<13>Nov 22 10:00:00 h a: lf one\r\n"
                             "13 <13>octet two"
                             "\n<13>tail without lf";
  const auto expected = run_whole(stream);
  EXPECT_EQ(expected, (std::vector<std::string>{first, "<13>Nov 22 10:00:00 h a: lf one", "<13>octet two", "<13>tail without lf"}));
  for (std::size_t a = 0; a <= stream.size(); ++a) {
    EXPECT_EQ(run(stream, {a}), expected) << "split at " << a;
    for (std::size_t b = a; b <= stream.size(); b += 7) EXPECT_EQ(run(stream, {a, b}), expected) << a << "," << b;
  }
  // One byte at a time.
  std::vector<std::size_t> every;
  for (std::size_t i = 1; i < stream.size(); ++i) every.push_back(i);
  EXPECT_EQ(run(stream, every), expected);
}

TEST(SyslogFramer, EverySplitPointCleanStream) {
  const std::string stream = "27 <13>1 - h a - - - octet one<13>Nov 22 10:00:00 h a: lf\n9 <13>third\n<13>end\n";
  const auto expected = run_whole(stream);
  ASSERT_EQ(expected, (std::vector<std::string>{"<13>1 - h a - - - octet one", "<13>Nov 22 10:00:00 h a: lf", "<13>third",
                                                "<13>end"}));
  for (std::size_t a = 0; a <= stream.size(); ++a)
    for (std::size_t b = a; b <= stream.size(); ++b) ASSERT_EQ(run(stream, {a, b}), expected) << a << "," << b;
}

TEST(SyslogFramer, OversizedOctetFrameSkippedExactly) {
  std::string body(40, 'x');
  std::string stream = "40 " + body + "5 <13>a<13>lf\n";
  auto expected = std::vector<std::string>{
      "ERROR: frame 1: declared length 40 exceeds the maximum frame size 16 bytes; skipped", "<13>a", "<13>lf"};
  EXPECT_EQ(run(stream, {}, 16), expected);
  for (std::size_t a = 0; a <= stream.size(); ++a) EXPECT_EQ(run(stream, {a}, 16), expected) << a;
}

TEST(SyslogFramer, OversizedLfFrameDiscardedToNextLf) {
  std::string stream = "<13>" + std::string(30, 'y') + "\n<13>ok\n<13>" + std::string(30, 'z') + "\n<13>ok2";
  auto got = run(stream, {}, 16);
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0], "ERROR: frame 1: longer than the maximum frame size 16 bytes (34 seen); discarded up to the next LF");
  EXPECT_EQ(got[1], "<13>ok");
  EXPECT_EQ(got[3], "<13>ok2");
  for (std::size_t a = 0; a <= stream.size(); ++a) {
    auto split = run(stream, {a}, 16);
    ASSERT_EQ(split.size(), 4u) << a;
    EXPECT_EQ(split[1], "<13>ok") << a;
    EXPECT_EQ(split[3], "<13>ok2") << a;
    EXPECT_EQ(split[2].substr(0, 15), "ERROR: frame 3:") << a;
  }
}

TEST(SyslogFramer, FrameOfExactlyMaxSize) {
  std::string frame(16, 'a');
  EXPECT_EQ(run_whole(frame + "\r\n" + "16 " + frame, 16), (std::vector<std::string>{frame, frame}));
}

TEST(SyslogFramer, GarbageLengthPrefix) {
  auto got = run_whole("0123 <13>bad\n99999999999999999999 <13>huge\n<13>good\n");
  EXPECT_EQ(got, (std::vector<std::string>{
                     "ERROR: frame 1: invalid octet count '0123' (leading zero or more than 10 digits); discarded up to the next LF",
                     "ERROR: frame 2: invalid octet count '99999999999' (leading zero or more than 10 digits); "
                     "discarded up to the next LF",
                     "<13>good"}));
}

TEST(SyslogFramer, GarbageLengthPrefixEverySplit) {
  const std::string stream = "0123 <13>bad\n99999999999999999999 <13>huge\n<13>good\n5 <13>x";
  const auto expected = run_whole(stream);
  ASSERT_EQ(expected.size(), 4u);
  EXPECT_EQ(expected[2], "<13>good");
  EXPECT_EQ(expected[3], "<13>x");
  for (std::size_t a = 0; a <= stream.size(); ++a)
    for (std::size_t b = a; b <= stream.size(); ++b) ASSERT_EQ(run(stream, {a, b}), expected) << a << "," << b;
}

TEST(SyslogFramer, TruncatedOctetFrameAtClose) {
  EXPECT_EQ(run_whole("5 <13>a20 <13>short"),
            (std::vector<std::string>{"<13>a", "ERROR: frame 2: connection closed after 9 of 20 declared bytes; frame dropped"}));
}

TEST(SyslogFramer, ZeroCopyWithinChunk) {
  std::string chunk = "<13>a\n5 <13>b";
  SyslogFramer framer;
  framer.feed(chunk);
  auto a = framer.next();
  ASSERT_TRUE(a && *a);
  EXPECT_EQ((**a).data(), chunk.data());
  auto b = framer.next();
  ASSERT_TRUE(b && *b);
  EXPECT_EQ((**b).data(), chunk.data() + 8);
  EXPECT_FALSE(framer.next().has_value());
  EXPECT_EQ(framer.frame_count(), 2u);
}

TEST(SyslogFramer, FeedWithoutDrainKeepsBytes) {
  SyslogFramer framer;
  Collected out;
  framer.feed("<13>a\n<13>");
  framer.feed("b\n");
  drain(framer, out);
  EXPECT_EQ(out.items, (std::vector<std::string>{"<13>a", "<13>b"}));
}

}  // namespace
}  // namespace khien
