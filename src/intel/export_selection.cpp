// Export selection: TLP, confidence, age and revocation filters over the active indicators.
#include "intel/export_selection.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "intel/stix_pattern_parser.h"

namespace khien {

namespace {

constexpr std::int64_t kMicrosPerDay = 86'400'000'000LL;

Result<int> parse_int(std::string_view text, const char* name, int lo, int hi) {
  int v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < lo || v > hi)
    return fail(fmt::format("parameter '{}': '{}' is not an integer {}..{}", name, text, lo, hi));
  return v;
}

}  // namespace

Status check_export_filter(const ExportFilter& f) {
  if (f.max_tlp >= Tlp::red)
    return fail("max_tlp: TLP:RED is never exported in bulk (it is for named recipients only); use amber+strict or lower");
  if (f.min_confidence < 0 || f.min_confidence > 100) return fail("min_confidence: expected 0..100");
  if (f.max_age_days < 0 || f.max_age_days > 36500) return fail("max_age_days: expected 0 (no limit)..36500");
  return {};
}

Result<ExportFilter> parse_export_filter(std::string_view max_tlp, std::string_view min_confidence,
                                         std::string_view max_age_days, std::int64_t now_us) {
  ExportFilter f;
  f.now_us = now_us;
  if (!max_tlp.empty()) {
    auto t = parse_tlp(max_tlp);
    if (!t) return fail(fmt::format("parameter 'max_tlp': '{}' is not clear, green, amber or amber+strict", max_tlp));
    f.max_tlp = *t;
  }
  if (!min_confidence.empty()) {
    auto v = parse_int(min_confidence, "min_confidence", 0, 100);
    if (!v) return tl::unexpected(v.error());
    f.min_confidence = *v;
  }
  if (!max_age_days.empty()) {
    auto v = parse_int(max_age_days, "max_age_days", 0, 36500);
    if (!v) return tl::unexpected(v.error());
    f.max_age_days = *v;
  }
  if (auto st = check_export_filter(f); !st) return fail("parameter " + st.error().message);
  return f;
}

std::string describe_export_filter(const ExportFilter& f) {
  return fmt::format("max_tlp={} min_confidence={} max_age_days={}", tlp_name(f.max_tlp), f.min_confidence,
                     f.max_age_days);
}

Result<ExportSelection> select_for_export(StixStore& store, const ExportFilter& filter) {
  if (auto st = check_export_filter(filter); !st) return tl::unexpected(st.error());
  ExportSelection out;
  auto records = store.active_indicators(filter.now_us);
  out.considered = records.size();
  for (auto& rec : records) {
    if (rec.revoked) {
      ++out.skipped_revoked;
      continue;
    }
    // An unreadable level is treated as the most restricted one: when in doubt, do not share.
    Tlp tlp = parse_tlp(rec.tlp).value_or(Tlp::red);
    if (tlp > filter.max_tlp) {
      ++out.skipped_tlp;
      continue;
    }
    nlohmann::json object = nlohmann::json::parse(rec.json, nullptr, false);
    if (!object.is_object()) continue;  // the store only keeps validated objects
    std::optional<int> confidence;
    if (auto c = object.find("confidence"); c != object.end() && c->is_number_integer()) confidence = c->get<int>();
    if (filter.min_confidence > 0 && (!confidence || *confidence < filter.min_confidence)) {
      ++out.skipped_confidence;
      continue;
    }
    if (filter.max_age_days > 0) {
      std::int64_t newest = std::max(rec.version_us, rec.valid_from_us.value_or(0));
      if (newest < filter.now_us - filter.max_age_days * kMicrosPerDay) {
        ++out.skipped_age;
        continue;
      }
    }
    SelectedIndicator s;
    s.tlp = tlp;
    s.confidence = confidence;
    std::string pattern_type = object.value("pattern_type", "");
    auto pattern = object.find("pattern");
    if (pattern_type != "stix" || pattern == object.end() || !pattern->is_string()) {
      s.not_matchable = fmt::format("pattern_type '{}' is not stix", pattern_type);
    } else if (auto ast = parse_stix_pattern(pattern->get_ref<const std::string&>()); !ast) {
      s.not_matchable = "pattern does not parse: " + ast.error().message;
    } else {
      auto ex = extract_observables(*ast);
      if (ex.compiled)
        s.observables = std::move(ex.observables);
      else
        s.not_matchable = std::move(ex.reason);
    }
    if (s.observables.empty()) ++out.not_matchable;
    s.object = std::move(object);
    s.record = std::move(rec);
    out.indicators.push_back(std::move(s));
  }
  std::sort(out.indicators.begin(), out.indicators.end(),
            [](const SelectedIndicator& a, const SelectedIndicator& b) { return a.record.id < b.record.id; });
  return out;
}

Result<std::string> check_export_domain(std::string_view domain) {
  std::string d(domain);
  if (!d.empty() && d.back() == '.') d.pop_back();
  if (d.empty()) return fail("empty domain");
  if (d.size() > 253) return fail(fmt::format("'{}…' is longer than 253 bytes", d.substr(0, 40)));
  for (char& c : d)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  std::size_t labels = 0, start = 0;
  std::string_view last;
  while (start <= d.size()) {
    auto dot = d.find('.', start);
    if (dot == std::string::npos) dot = d.size();
    std::string_view label(d.data() + start, dot - start);
    if (label.empty()) return fail(fmt::format("'{}' has an empty label", d));
    if (label.size() > 63) return fail(fmt::format("'{}' has a label longer than 63 bytes", d));
    if (label.front() == '-' || label.back() == '-')
      return fail(fmt::format("'{}': label '{}' starts or ends with '-'", d, label));
    for (char c : label)
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
        return fail(fmt::format("'{}': label '{}' has a character other than letters, digits, '-' and '_'", d, label));
    ++labels;
    last = label;
    start = dot + 1;
  }
  if (labels < 2) return fail(fmt::format("'{}' is a single label: listing it would cover a whole top-level domain", d));
  if (std::all_of(last.begin(), last.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return fail(fmt::format("'{}' ends in a numeric label (an address, not a domain)", d));
  return d;
}

}  // namespace khien
