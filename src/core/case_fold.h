// Case folding of UTF-8 text for case-insensitive search: ASCII, Latin (every Vietnamese letter), Greek, Cyrillic.
#pragma once

#include <string>
#include <string_view>

namespace khien {

/// The lower-case form of `c` used to compare text without regard to case: ASCII, Latin-1,
/// Latin Extended-A and -B letters (Đ, Ơ, Ư), Latin Extended Additional (Ạ … Ỹ), Greek and
/// Cyrillic capitals. Other code points are returned unchanged.
char32_t fold_code_point(char32_t c);

/// Appends `text` case-folded to `out`. Bytes that are not well-formed UTF-8 are copied as
/// they are, so folding never loses or invents text. Text is not normalised: a letter written
/// with combining marks (NFD) does not equal the same letter precomposed (NFC).
void fold_case_into(std::string_view text, std::string& out);
std::string fold_case(std::string_view text);

/// Whether every byte of `text` is ASCII.
bool is_ascii(std::string_view text);

/// Bytes of the UTF-8 sequence that starts with `lead` (1 for a byte that starts none).
std::size_t utf8_sequence_length(unsigned char lead);

}  // namespace khien
