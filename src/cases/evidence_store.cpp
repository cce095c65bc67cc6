// Content-addressed evidence store.
#include "cases/evidence_store.h"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <sstream>

#include "store/state_store.h"

namespace khien {

namespace {

bool starts_with(std::string_view b, std::string_view magic) {
  return b.substr(0, magic.size()) == magic;
}

// Valid UTF-8 without NUL or other C0 controls except tab, CR, LF, FF: what a log excerpt or note looks like.
bool is_text(std::string_view b) {
  std::size_t i = 0;
  while (i < b.size()) {
    auto c = static_cast<unsigned char>(b[i]);
    if (c < 0x80) {
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') return false;
      if (c == 0x7f) return false;
      ++i;
      continue;
    }
    int extra = (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;
    if (extra < 0 || c == 0xC0 || c == 0xC1 || c > 0xF4) return false;
    if (i + static_cast<std::size_t>(extra) >= b.size()) return false;
    for (int k = 1; k <= extra; ++k)
      if ((static_cast<unsigned char>(b[i + k]) & 0xC0) != 0x80) return false;
    i += static_cast<std::size_t>(extra) + 1;
  }
  return true;
}

bool is_hex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace

std::optional<std::string> sniff_media_type(std::string_view b) {
  if (starts_with(b, "%PDF-")) return "application/pdf";
  if (starts_with(b, "\x89PNG\r\n\x1a\n")) return "image/png";
  if (starts_with(b, "\xFF\xD8\xFF")) return "image/jpeg";
  if (starts_with(b, "GIF87a") || starts_with(b, "GIF89a")) return "image/gif";
  if (starts_with(b, std::string_view("PK\x03\x04", 4)) || starts_with(b, std::string_view("PK\x05\x06", 4)))
    return "application/zip";
  if (starts_with(b, "\xD4\xC3\xB2\xA1") || starts_with(b, "\xA1\xB2\xC3\xD4") || starts_with(b, "\x4D\x3C\xB2\xA1") ||
      starts_with(b, "\xA1\xB2\x3C\x4D"))
    return "application/vnd.tcpdump.pcap";
  if (starts_with(b, "\x0A\x0D\x0D\x0A")) return "application/x-pcapng";
  if (starts_with(b, "MZ")) return "application/x-msdownload";
  if (starts_with(b,
                  "\x7F"
                  "ELF"))
    return "application/x-executable";
  if (!b.empty() && is_text(b)) {
    auto first = b.find_first_not_of(" \t\r\n");
    if (first != std::string_view::npos && (b[first] == '{' || b[first] == '[')) return "application/json";
    return "text/plain";
  }
  return std::nullopt;
}

std::string sanitize_file_name(std::string_view name) {
  // Only the last path component counts, whichever separator the uploader's system uses.
  auto slash = name.find_last_of("/\\");
  if (slash != std::string_view::npos) name = name.substr(slash + 1);
  std::string out;
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == ':' || c == '"' || c == '<' || c == '>' || c == '|' || c == '*' || c == '?')
      out += '_';
    else
      out += c;
  }
  // Leading dots would make a hidden file or a ".." component.
  auto first = out.find_first_not_of(". ");
  out = first == std::string::npos ? std::string() : out.substr(first);
  while (!out.empty() && (out.back() == ' ' || out.back() == '.')) out.pop_back();
  if (out.size() > 200) {
    out.resize(200);
    // Do not leave half of a UTF-8 sequence at the end.
    while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
    if (!out.empty() && static_cast<unsigned char>(out.back()) >= 0xC0) out.pop_back();
  }
  return out.empty() ? "attachment" : out;
}

std::string file_name_traversal(std::string_view name) {
  if (name.find('\0') != std::string_view::npos) return "NUL byte in the file name";
  if (!name.empty() && (name.front() == '/' || name.front() == '\\')) return "absolute path as the file name";
  if (!name.empty() && name.front() == '~') return "home-directory path as the file name";
  std::string_view rest = name;
  while (true) {
    auto sep = rest.find_first_of("/\\");
    if (rest.substr(0, sep) == "..") return "'..' component in the file name";
    if (sep == std::string_view::npos) break;
    rest.remove_prefix(sep + 1);
  }
  return {};
}

EvidenceStore::EvidenceStore(std::filesystem::path root, EvidenceLimits limits)
    : root_(std::move(root)), limits_(std::move(limits)) {}

std::filesystem::path EvidenceStore::path_of(const std::string& sha256) const {
  return root_ / sha256.substr(0, 2) / sha256;
}

bool EvidenceStore::contains(const std::string& sha256) const {
  std::error_code ec;
  return is_hex64(sha256) && std::filesystem::is_regular_file(path_of(sha256), ec);
}

Result<EvidenceRef> EvidenceStore::put(std::string_view name, std::string_view bytes) {
  EvidenceRef ref;
  ref.name = sanitize_file_name(name);
  ref.size = bytes.size();
  if (bytes.empty()) return fail(fmt::format("attachment '{}': the file is empty", ref.name));
  if (bytes.size() > limits_.max_bytes)
    return fail(fmt::format("attachment '{}': {} bytes is over the limit of {} bytes", ref.name, bytes.size(),
                            limits_.max_bytes));
  auto type = sniff_media_type(bytes);
  if (!type) return fail(fmt::format("attachment '{}': the content is of no known type", ref.name));
  if (!limits_.allowed_types.count(*type)) {
    std::string allowed;
    for (const auto& t : limits_.allowed_types) allowed += (allowed.empty() ? "" : ", ") + t;
    return fail(
        fmt::format("attachment '{}': content of type {} is not accepted (accepted: {})", ref.name, *type, allowed));
  }
  ref.media_type = *type;
  ref.sha256 = sha256_hex(bytes);
  auto target = path_of(ref.sha256);
  std::error_code ec;
  if (std::filesystem::is_regular_file(target, ec)) return ref;
  std::filesystem::create_directories(target.parent_path(), ec);
  if (ec) return fail(fmt::format("evidence store: cannot create {}: {}", target.parent_path().string(), ec.message()));
  static std::atomic<std::uint64_t> counter{0};
  auto tmp = target.parent_path() / fmt::format(".tmp-{}-{}", ::getpid(), counter++);
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) {
      std::filesystem::remove(tmp, ec);
      return fail(fmt::format("evidence store: cannot write {}", tmp.string()));
    }
  }
  std::filesystem::rename(tmp, target, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    return fail(fmt::format("evidence store: cannot store {}: {}", target.string(), ec.message()));
  }
  return ref;
}

Result<std::string> EvidenceStore::read(const std::string& sha256) const {
  if (!is_hex64(sha256)) return fail(fmt::format("'{}' is not a SHA-256 in lower-case hex", sha256));
  std::ifstream in(path_of(sha256), std::ios::binary);
  if (!in) return fail(fmt::format("no evidence file {}", sha256));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace khien
