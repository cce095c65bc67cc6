// TAXII 2.1 envelopes as a client reads them: objects, more and next, and every shape refused by name.
#include <gtest/gtest.h>

#include <string>

#include "intel/taxii_envelope_reader.h"

namespace khien {
namespace {

TEST(TaxiiEnvelope, ReadsObjectsMoreAndNext) {
  auto env = read_taxii_envelope(R"({"more":true,"next":"page-2","objects":[{"type":"indicator"},{"type":"malware"}]})");
  ASSERT_TRUE(env) << env.error().message;
  EXPECT_TRUE(env->more);
  EXPECT_EQ(env->next, "page-2");
  ASSERT_EQ(env->objects.size(), 2u);
  EXPECT_EQ(env->objects[1]["type"], "malware");

  auto empty = read_taxii_envelope("{}");
  ASSERT_TRUE(empty) << empty.error().message;
  EXPECT_FALSE(empty->more);
  EXPECT_TRUE(empty->next.empty());
  EXPECT_TRUE(empty->objects.empty());
}

TEST(TaxiiEnvelope, RefusesSizeDepthAndShapesNamingWhatIsWrong) {
  auto error_of = [](const std::string& body, std::size_t max_bytes = 1 << 20) {
    auto r = read_taxii_envelope(body, max_bytes);
    return r ? std::string("accepted") : r.error().message;
  };
  EXPECT_EQ(error_of("{}", 1), "envelope: 2 bytes, above the limit of 1");
  EXPECT_EQ(error_of(std::string(200, '[')), "envelope: JSON nested deeper than 128 levels at byte 128");
  EXPECT_EQ(error_of("{\"more\":"), "envelope: not valid JSON");
  EXPECT_EQ(error_of("[]"), "envelope: expected a JSON object (a TAXII 2.1 envelope)");
  EXPECT_EQ(error_of(R"({"more":"yes"})"), "envelope: property 'more' must be true or false");
  EXPECT_EQ(error_of(R"({"objects":{}})"), "envelope: property 'objects' must be a list");
  EXPECT_EQ(error_of(R"({"objects":[{},1]})"), "envelope: objects[1] is not a JSON object");
  EXPECT_EQ(error_of(R"({"next":5})"), "envelope: property 'next' must be a string");
  EXPECT_EQ(error_of(R"({"next":"a b"})"), "envelope: property 'next' holds a byte that is not printable ASCII");
  EXPECT_EQ(error_of(R"({"next":")" + std::string(1025, 'a') + "\"}"), "envelope: property 'next' is longer than 1024 bytes");
  EXPECT_EQ(error_of(R"({"next":")" + std::string(1024, 'a') + "\"}"), "accepted");
}

}  // namespace
}  // namespace khien
