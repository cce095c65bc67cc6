// CSV and plain-list indicators → STIX 2.1 indicators, one per line, under a column mapping.
#include "intel/csv_indicator_reader.h"

#include <fmt/format.h>

#include <charconv>
#include <unordered_set>

#include "core/ip_address.h"
#include "core/text.h"
#include "core/time.h"
#include "intel/intel_import_formats.h"
#include "intel/misp_attribute_mapping.h"
#include "intel/observable_normalizer.h"
#include "intel/stix_object.h"
#include "intel/stix_pattern_parser.h"
#include "intel/warninglist.h"

namespace khien {

using nlohmann::json;

namespace {

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

std::string clip(std::string_view s) {
  return std::string(s.substr(0, 80)) + (s.size() > 80 ? "…" : "");
}

}  // namespace

Result<CsvColumnMapping> CsvColumnMapping::parse(std::string_view text) {
  CsvColumnMapping m;
  std::unordered_set<std::string> seen;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto comma = text.find(',', pos);
    auto item = trim_whitespace(text.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos));
    pos = comma == std::string_view::npos ? text.size() + 1 : comma + 1;
    if (item.empty()) continue;
    auto eq = item.find('=');
    if (eq == std::string_view::npos) return fail(fmt::format("csv mapping: '{}' is not key=value", clip(item)));
    std::string key = ascii_lower(trim_whitespace(item.substr(0, eq)));
    std::string_view val = trim_whitespace(item.substr(eq + 1));
    if (!seen.insert(key).second) return fail(fmt::format("csv mapping: key '{}' is given twice", key));
    if (val.empty()) return fail(fmt::format("csv mapping: key '{}' has no value", key));
    if (key == "header") {
      auto v = ascii_lower(val);
      if (v == "yes" || v == "true" || v == "1") m.header = true;
      else if (v == "no" || v == "false" || v == "0") m.header = false;
      else return fail(fmt::format("csv mapping: header '{}' must be yes or no", clip(val)));
      continue;
    }
    if (key == "delimiter") {
      auto v = ascii_lower(val);
      if (v == "comma") m.delimiter = ',';
      else if (v == "semicolon" || v == ";") m.delimiter = ';';
      else if (v == "tab") m.delimiter = '\t';
      else if (v == "pipe" || v == "|") m.delimiter = '|';
      else if (v == "space") m.delimiter = ' ';
      else return fail(fmt::format("csv mapping: delimiter '{}' must be comma, semicolon, tab, pipe or space", clip(val)));
      continue;
    }
    CsvField* field = key == "value"                                   ? &m.value
                      : key == "type"                                  ? &m.type
                      : key == "tlp"                                   ? &m.tlp
                      : key == "comment" || key == "description"       ? &m.comment
                      : key == "first_seen" || key == "valid_from"     ? &m.first_seen
                      : key == "last_seen" || key == "valid_until"     ? &m.last_seen
                                                                       : nullptr;
    if (!field)
      return fail(fmt::format("csv mapping: key '{}' is unknown (value, type, tlp, comment, first_seen, last_seen, "
                              "header, delimiter)",
                              clip(key)));
    if (all_digits(val)) {
      std::size_t column = 0;
      auto [p, ec] = std::from_chars(val.data(), val.data() + val.size(), column);
      if (ec != std::errc() || column == 0 || column > 1000)
        return fail(fmt::format("csv mapping: key '{}': column '{}' must be 1..1000", key, clip(val)));
      field->column = column;
    } else if (key == "type" && misp_attribute_type_known(val)) {
      field->constant = std::string(val);
    } else if (key == "tlp" && parse_tlp(val)) {
      field->constant = std::string(val);
    } else if (key == "value" || key == "type" || key == "tlp" || key == "comment" || key == "first_seen" ||
               key == "last_seen" || key == "valid_from" || key == "valid_until" || key == "description") {
      field->header_name = std::string(val);
    }
  }
  bool named = false;
  for (const CsvField* f : {&m.value, &m.type, &m.tlp, &m.comment, &m.first_seen, &m.last_seen})
    named = named || !f->header_name.empty();
  if (named && !m.header)
    return fail("csv mapping: columns named by header need header=yes (or give column numbers; a type or TLP that is "
                "not a column must be a known type or TLP level)");
  if (!m.value.present()) m.value.column = 1;
  if (!m.value.constant.empty()) return fail("csv mapping: value must be a column");
  return m;
}

std::vector<std::string> split_csv_record(std::string_view line, char delimiter) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"' && trim_whitespace(fields.back()).empty()) {
      fields.back().clear();
      quoted = true;
    } else if (c == delimiter) {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  for (auto& f : fields) f = std::string(trim_whitespace(f));
  return fields;
}

std::optional<std::string> guess_indicator_type(std::string_view value) {
  value = trim_whitespace(value);
  if (value.empty()) return std::nullopt;
  if (IpAddress::parse(value) || IpPrefix::parse(value)) return "ip";
  if (normalize_hash_hex(value)) {
    switch (value.size()) {
      case 32: return "md5";
      case 40: return "sha1";
      case 64: return "sha256";
      default: return "sha512";
    }
  }
  if (value.find("://") != std::string_view::npos) return "url";
  if (value.find('@') != std::string_view::npos && normalize_email(value)) return "email";
  if (value.find('.') != std::string_view::npos && normalize_domain(value)) return "domain";
  return std::nullopt;
}

Result<ConvertedIntel> csv_to_stix(std::string_view text, const IntelImportOptions& options) {
  auto mapping = CsvColumnMapping::parse(options.csv_mapping);
  if (!mapping) return tl::unexpected(mapping.error());
  const CsvColumnMapping& m = *mapping;
  std::size_t max_column = 0;
  for (const CsvField* f : {&m.value, &m.type, &m.tlp, &m.comment, &m.first_seen, &m.last_seen})
    max_column = std::max(max_column, f->column);
  // A plain list (only column 1, no header, no delimiter named) keeps the whole line: URLs hold commas.
  bool whole_line = !m.header && !m.delimiter && max_column <= 1;
  char delimiter = m.delimiter.value_or(',');

  ConvertedIntel out;
  // Millisecond precision: STIX readers commonly keep no more.
  std::int64_t now_us = now_ns() / 1000 / 1000 * 1000;
  std::string now = stix_time(now_us, true);
  std::string created_by;
  if (!options.source.empty()) {
    json identity{{"type", "identity"},   {"spec_version", "2.1"},
                  {"id", "identity--" + uuid_v5("source/" + options.source)},
                  {"created", now},       {"modified", now},
                  {"name", options.source}, {"identity_class", "organization"}};
    created_by = identity["id"];
    out.objects.push_back(std::move(identity));
  }

  std::vector<std::string> header;
  std::unordered_set<std::string> ids;
  // Resolves a field of one record; nullopt with `error` set when the column is missing.
  auto field_of = [&](const CsvField& f, const std::vector<std::string>& record, const char* key, std::string& error,
                      bool required = false) -> std::optional<std::string> {
    if (!f.constant.empty()) return f.constant;
    std::size_t column = f.column;
    if (!f.header_name.empty()) {
      for (std::size_t i = 0; i < header.size(); ++i)
        if (ascii_lower(header[i]) == ascii_lower(f.header_name)) column = i + 1;
      if (column == 0) {
        error = fmt::format("column '{}': the header has no column '{}'", key, clip(f.header_name));
        return std::nullopt;
      }
    }
    if (column == 0) return std::string();
    if (column > record.size()) {
      // Short lines are common in hand-written lists: only the value and its type must be there.
      if (!required) return std::string();
      error = fmt::format("column '{}': missing (column {}, the line has {} field{})", key, column, record.size(),
                          record.size() == 1 ? "" : "s");
      return std::nullopt;
    }
    return record[column - 1];
  };

  std::size_t line_no = 0, pos = 0;
  bool header_pending = m.header;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line_no;
    if (line_no == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
    line = trim_whitespace(line);
    if (line.empty() || line.front() == '#') continue;
    std::vector<std::string> record =
        whole_line ? std::vector<std::string>{std::string(line)} : split_csv_record(line, delimiter);
    if (header_pending) {
      header = std::move(record);
      header_pending = false;
      continue;
    }
    std::string error;
    auto report = [&](const std::string& reason) { out.errors.push_back(fmt::format("line {}: {}", line_no, reason)); };
    auto value = field_of(m.value, record, "value", error, true);
    auto type = field_of(m.type, record, "type", error, true);
    auto tlp_text = field_of(m.tlp, record, "tlp", error);
    auto comment = field_of(m.comment, record, "comment", error);
    auto first_text = field_of(m.first_seen, record, "first_seen", error);
    auto last_text = field_of(m.last_seen, record, "last_seen", error);
    if (!error.empty()) {
      report(error);
      continue;
    }
    if (value->empty()) {
      report("column 'value': empty");
      continue;
    }
    std::string kind = *type;
    if (kind.empty()) {
      auto guessed = guess_indicator_type(*value);
      if (!guessed) {
        report(fmt::format("column 'value': '{}' is not an address, network, digest, URL, e-mail address or domain",
                           clip(*value)));
        continue;
      }
      kind = *guessed;
    } else if (!misp_attribute_type_known(kind)) {
      report(fmt::format("column 'type': '{}' is not a known indicator type", clip(kind)));
      continue;
    }
    std::optional<Tlp> tlp = options.default_tlp;
    if (!tlp_text->empty()) {
      tlp = parse_tlp(*tlp_text);
      if (!tlp) {
        report(fmt::format("column 'tlp': '{}' is not a TLP level (clear, green, amber, amber+strict, red)",
                           clip(*tlp_text)));
        continue;
      }
    }
    std::optional<std::int64_t> first, last;
    if (!first_text->empty() && !(first = parse_misp_time_us(*first_text))) {
      report(fmt::format("column 'first_seen': '{}' is not a time (ISO 8601 or epoch seconds)", clip(*first_text)));
      continue;
    }
    if (!last_text->empty() && !(last = parse_misp_time_us(*last_text))) {
      report(fmt::format("column 'last_seen': '{}' is not a time (ISO 8601 or epoch seconds)", clip(*last_text)));
      continue;
    }
    std::string uuid = uuid_v5(fmt::format("csv/{}/{}/{}", options.source, kind, *value));
    auto mapped = map_misp_attribute(kind, *value, uuid);
    if (!mapped) {
      report(fmt::format("column 'value': {}", mapped.error().message));
      continue;
    }
    if (options.warninglists) {
      bool listed = false;
      for (const auto& [t, v] : mapped->identifying) listed = listed || options.warninglists->listed(t, v);
      if (listed) {
        ++out.skipped;
        continue;
      }
    }
    std::string id = "indicator--" + uuid;
    if (!ids.insert(id).second) {
      ++out.skipped;  // the same value twice in one list
      continue;
    }
    json ind{{"type", "indicator"}, {"spec_version", "2.1"}, {"id", id}};
    if (!created_by.empty()) ind["created_by_ref"] = created_by;
    ind["created"] = now;
    ind["modified"] = now;
    ind["name"] = *value;
    if (!comment->empty()) ind["description"] = *comment;
    ind["pattern"] = stix_observation(mapped->comparisons);
    ind["pattern_type"] = "stix";
    ind["pattern_version"] = "2.1";
    std::int64_t valid_from = first.value_or(now_us);
    ind["valid_from"] = stix_time(valid_from, first.has_value() ? false : true);
    if (last) {
      if (*last <= valid_from) {
        report(first ? "column 'last_seen': must be later than first_seen"
                     : "column 'last_seen': already past (the indicator has expired)");
        continue;
      }
      ind["valid_until"] = stix_time(*last, false);
    }
    ind["labels"] = json::array({fmt::format("csv:type=\"{}\"", kind)});
    if (tlp) ind["object_marking_refs"] = json::array({std::string(tlp_marking_id(*tlp))});
    if (auto ast = parse_stix_pattern(ind["pattern"].get<std::string>()); !ast) {
      report(fmt::format("column 'value': pattern: {}", ast.error().message));
      continue;
    }
    if (auto info = validate_stix_object(ind); !info) {
      report(fmt::format("column 'value': {}", info.error().message));
      continue;
    }
    out.objects.push_back(std::move(ind));
  }
  return out;
}

}  // namespace khien
