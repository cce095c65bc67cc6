// Minimal multipart/form-data reading (RFC 7578): enough to take one uploaded file out of a form.
#include "app/case_multipart.h"


#include <fmt/format.h>

#include "core/text.h"

namespace khien {

namespace {

// The value of `key=` in a header's parameters (quoted or bare), or "".
std::string header_param(std::string_view header, std::string_view key) {
  std::string low = ascii_lower(header);
  std::size_t pos = 0;
  while ((pos = low.find(key, pos)) != std::string::npos) {
    bool starts = pos == 0 || low[pos - 1] == ';' || low[pos - 1] == ' ' || low[pos - 1] == '\t';
    std::size_t eq = pos + key.size();
    if (!starts || eq >= low.size() || low[eq] != '=') {
      pos = eq;
      continue;
    }
    std::size_t v = eq + 1;
    if (v < header.size() && header[v] == '"') {
      std::string out;
      for (std::size_t i = v + 1; i < header.size() && header[i] != '"'; ++i) {
        if (header[i] == '\\' && i + 1 < header.size()) ++i;
        out.push_back(header[i]);
      }
      return out;
    }
    std::size_t end = header.find(';', v);
    std::string_view raw = header.substr(v, end == std::string_view::npos ? std::string_view::npos : end - v);
    while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t')) raw.remove_suffix(1);
    return std::string(raw);
  }
  return {};
}

}  // namespace

Result<std::pair<std::string, std::string>> parse_multipart_file(std::string_view body, std::string_view content_type) {
  std::string boundary = header_param(content_type, "boundary");
  if (boundary.empty() || boundary.size() > 70) return fail("multipart/form-data: missing or invalid boundary");
  std::string delimiter = "--" + boundary;
  std::size_t pos = body.find(delimiter);
  while (pos != std::string_view::npos) {
    pos += delimiter.size();
    if (body.substr(pos, 2) == "--") break;  // closing delimiter
    if (body.substr(pos, 2) != "\r\n") return fail("multipart/form-data: malformed delimiter line");
    pos += 2;
    std::size_t headers_end = body.find("\r\n\r\n", pos);
    if (headers_end == std::string_view::npos) return fail("multipart/form-data: a part has no end of headers");
    std::string_view headers = body.substr(pos, headers_end - pos);
    std::size_t data = headers_end + 4;
    std::size_t next = body.find("\r\n" + delimiter, data);
    if (next == std::string_view::npos) return fail("multipart/form-data: a part is not closed by the boundary");
    std::string filename;
    bool has_filename = false;
    std::size_t line = 0;
    while (line < headers.size()) {
      std::size_t eol = headers.find("\r\n", line);
      if (eol == std::string_view::npos) eol = headers.size();
      std::string_view h = headers.substr(line, eol - line);
      if (ascii_lower(h.substr(0, 20)) == "content-disposition:") {
        std::string low = ascii_lower(h);
        has_filename = low.find("filename=") != std::string::npos;
        filename = header_param(h, "filename");
      }
      line = eol + 2;
    }
    if (has_filename) return std::make_pair(filename, std::string(body.substr(data, next - data)));
    pos = next + 2;
  }
  return fail("multipart/form-data: no part carries a file (a part with a filename)");
}

Result<std::pair<std::string, std::string>> upload_of(const HttpRequest& req) {
  std::string type = req.header("content-type");
  if (ascii_lower(type).rfind("multipart/form-data", 0) == 0) return parse_multipart_file(req.body, type);
  std::string name = req.param("name");
  if (name.empty()) name = req.header("x-file-name");
  if (name.empty())
    return fail("name the file: send multipart/form-data, or the raw body with ?name=FILE or an X-File-Name header");
  return std::make_pair(name, req.body);
}

}  // namespace khien
