// Document boundaries found by bracket depth, outside strings.
#include "decode/json_documents.h"

namespace khien {

std::vector<std::string_view> split_json_documents(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
      continue;
    }
    const std::size_t start = i;
    if (c != '{' && c != '[') {
      std::size_t eol = text.find('\n', i);
      if (eol == std::string_view::npos) eol = n;
      std::size_t end = eol;
      while (end > start && (text[end - 1] == '\r' || text[end - 1] == ' ' || text[end - 1] == '\t')) --end;
      out.push_back(text.substr(start, end - start));
      i = eol;
      continue;
    }
    std::size_t depth = 0;
    bool in_string = false;
    for (; i < n; ++i) {
      char d = text[i];
      if (in_string) {
        if (d == '\\') ++i;  // skips the escaped character, including \"
        else if (d == '"') in_string = false;
        continue;
      }
      if (d == '"') in_string = true;
      else if (d == '{' || d == '[') ++depth;
      else if ((d == '}' || d == ']') && --depth == 0) {
        ++i;
        break;
      }
    }
    if (i > n) i = n;
    out.push_back(text.substr(start, i - start));
  }
  return out;
}

}  // namespace khien
