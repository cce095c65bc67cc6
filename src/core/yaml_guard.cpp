// Checks run on YAML text before yaml-cpp parses it: text on which yaml-cpp 0.7 loops for ever.
#include "core/yaml_guard.h"

#include <fmt/format.h>

namespace khien {

std::optional<int> leading_comma_line(std::string_view yaml) {
  // A light tokenizer: it follows flow brackets, quoted scalars, comments and block scalars well
  // enough to know whether a line that starts with ',' is inside a flow collection.
  int depth = 0;
  char quote = 0;
  int block_indent = -1;  // while >= 0: lines indented deeper are block scalar content
  bool doc_first = true;  // no node of the current document seen yet
  int line_no = 0;
  std::size_t pos = 0;
  while (pos <= yaml.size()) {
    std::size_t end = yaml.find('\n', pos);
    if (end == std::string_view::npos) end = yaml.size();
    std::string_view line = yaml.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    int indent = 0;
    while (static_cast<std::size_t>(indent) < line.size() && line[static_cast<std::size_t>(indent)] == ' ') ++indent;
    std::string_view content = line.substr(static_cast<std::size_t>(indent));
    // A document marker may carry content on its line ("--- ,").
    if (indent == 0 && quote == 0 && content.starts_with("---") && (content.size() == 3 || content[3] == ' ' || content[3] == '\t')) {
      content.remove_prefix(3);
      block_indent = -1;
      depth = 0;
      doc_first = true;
    }
    while (!content.empty() && (content.front() == '\t' || content.front() == ' ')) content.remove_prefix(1);
    if (block_indent >= 0) {
      if (content.empty() || content.front() == '\r' || indent > block_indent) continue;
      block_indent = -1;
    }
    if (quote == 0 && depth == 0 && !content.empty() && content.front() == ',') return line_no;
    if (doc_first && quote == 0 && depth == 0 && block_indent < 0) {
      // The first node of a document: a ',' right after its tag or anchor is the same trap.
      std::string_view rest = content;
      while (!rest.empty() && (rest.front() == '!' || rest.front() == '&')) {
        std::size_t stop = rest.find_first_of(" \t,[]{}");
        rest = stop == std::string_view::npos ? std::string_view() : rest.substr(stop);
        while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
      }
      if (!rest.empty() && rest.front() == ',') return line_no;
      if (!rest.empty() && rest.front() != '#' && rest.front() != '%' && rest.front() != '\r') doc_first = false;
    }
    std::size_t last = std::string_view::npos;  // last significant character outside comments
    for (std::size_t i = 0; i < content.size(); ++i) {
      const char c = content[i];
      const bool token_start = i == 0 || content[i - 1] == ' ' || content[i - 1] == '\t' || content[i - 1] == '[' ||
                               content[i - 1] == '{' || content[i - 1] == ',' || content[i - 1] == ':';
      if (quote != 0) {
        if (quote == '"' && c == '\\') { ++i; continue; }
        if (c == quote) {
          if (quote == '\'' && i + 1 < content.size() && content[i + 1] == '\'') { ++i; continue; }
          quote = 0;
          last = i;
        }
        continue;
      }
      if (c == '#' && (i == 0 || content[i - 1] == ' ' || content[i - 1] == '\t')) break;
      if ((c == '\'' || c == '"') && token_start) { quote = c; continue; }
      if ((c == '[' || c == '{') && (token_start || depth > 0)) ++depth;
      else if ((c == ']' || c == '}') && depth > 0) --depth;
      if (c != ' ' && c != '\t' && c != '\r') last = i;
    }
    // A block scalar header (`key: |`, `- >-`, `|2`) ends the line: its content follows, indented.
    if (quote == 0 && depth == 0 && last != std::string_view::npos) {
      std::size_t k = last;
      while (k > 0 && (content[k] == '-' || content[k] == '+' || (content[k] >= '1' && content[k] <= '9'))) --k;
      if ((content[k] == '|' || content[k] == '>') && (k == 0 || content[k - 1] == ' ')) block_indent = indent;
    }
  }
  return std::nullopt;
}

std::optional<YamlRefusal> yaml_refusal(std::string_view yaml) {
  int line = 1;
  for (unsigned char c : yaml) {
    if (c == '\n') ++line;
    // YAML allows no C0 control character but tab, line feed and carriage return; yaml-cpp 0.7
    // loops for ever on a NUL byte.
    else if (c < 0x20 && c != '\t' && c != '\r') return YamlRefusal{line, fmt::format("control byte 0x{:02x} is not allowed in YAML", c)};
  }
  if (auto l = leading_comma_line(yaml)) return YamlRefusal{*l, "',' cannot start a line outside a flow collection"};
  return std::nullopt;
}

}  // namespace khien
