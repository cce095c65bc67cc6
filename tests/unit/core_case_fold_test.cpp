// Case folding for search: Vietnamese, other Latin, Greek and Cyrillic letters; bad UTF-8 kept.
#include <gtest/gtest.h>

#include <string>

#include "core/case_fold.h"

namespace khien {

TEST(CaseFold, VietnameseCapitalsFoldToTheirSmallLetters) {
  EXPECT_EQ(fold_case("TẤN CÔNG ĐĂNG NHẬP CỔNG THÔNG TIN"), "tấn công đăng nhập cổng thông tin");
  EXPECT_EQ(fold_case("ƠN ƯỚC Ỹ Ỵ Ạ À Ả Ã Á"), "ơn ước ỹ ỵ ạ à ả ã á");
  EXPECT_EQ(fold_case("Bộ Công An"), "bộ công an");
  // Every capital of the Vietnamese alphabet with every tone folds onto its small letter.
  const std::u32string capitals = U"ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬĐÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ";
  const std::u32string smalls = U"àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ";
  ASSERT_EQ(capitals.size(), smalls.size());
  for (std::size_t i = 0; i < capitals.size(); ++i) {
    EXPECT_EQ(fold_code_point(capitals[i]), smalls[i]) << "U+" << std::hex << static_cast<unsigned>(capitals[i]);
    EXPECT_EQ(fold_code_point(smalls[i]), smalls[i]) << "a small letter stays";
  }
}

TEST(CaseFold, OtherScriptsAndWhatIsLeftAlone) {
  EXPECT_EQ(fold_case("ÄÖÜ ÆØÅ ŁŃŚŹŻ ŽŠČ"), "äöü æøå łńśźż žšč");
  EXPECT_EQ(fold_case("ΑΘΉΝΑ МОСКВА ЁЖ"), "αθήνα москва ёж");
  EXPECT_EQ(fold_case("× ß 日本 123 !?"), "× ß 日本 123 !?");
  // Bytes that are not UTF-8 are copied, never dropped or replaced.
  const std::string bad = std::string("A\xff") + "B\xc3" + "\xe1\xba";
  EXPECT_EQ(fold_case(bad), std::string("a\xff") + "b\xc3" + "\xe1\xba");
  EXPECT_TRUE(is_ascii("plain text 123"));
  EXPECT_FALSE(is_ascii("plain tẽxt"));
  EXPECT_EQ(utf8_sequence_length(0xE1), 3u);
}

}  // namespace khien
