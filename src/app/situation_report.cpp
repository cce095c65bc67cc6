// Rendering of the situation report: HTML with inline CSS and SVG, printable on A4.
#include "app/situation_report.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace khien {

namespace {

constexpr const char* kSeverityNames[4] = {"low", "medium", "high", "critical"};
constexpr const char* kSeverityColours[4] = {"#7fb3d5", "#f4d03f", "#e67e22", "#c0392b"};

std::string when(TimeNs t) { return t ? format_rfc3339(t, 0) : std::string("-"); }

std::string pct(double v) { return fmt::format("{:.1f}%", v); }

// Keeps long labels from running under the bars.
std::string clip(const std::string& s, std::size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // stay on a UTF-8 boundary
  return s.substr(0, cut) + "…";
}

std::string stacked_sector_chart(const std::vector<std::pair<std::string, std::vector<std::int64_t>>>& rows) {
  if (rows.empty()) return "<p class=\"none\">No incident was opened in the period.</p>";
  std::int64_t max = 1;
  for (const auto& [_, v] : rows) {
    std::int64_t sum = 0;
    for (auto x : v) sum += x;
    max = std::max(max, sum);
  }
  const int label_w = 220, bar_w = 420, row_h = 22, top = 28;
  int height = top + static_cast<int>(rows.size()) * row_h + 10;
  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" role=\"img\" "
      "aria-label=\"Incidents by sector and severity\">",
      label_w + bar_w + 60, height);
  for (int i = 0; i < 4; ++i)
    out += fmt::format(
        "<rect x=\"{}\" y=\"6\" width=\"12\" height=\"12\" fill=\"{}\"/><text x=\"{}\" y=\"16\" "
        "font-size=\"11\">{}</text>",
        label_w + i * 90, kSeverityColours[i], label_w + i * 90 + 16, kSeverityNames[i]);
  int y = top;
  for (const auto& [label, values] : rows) {
    out += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\">{}</text>", label_w - 6, y + 15,
                       html_escape(clip(label, 40)));
    double x = label_w;
    std::int64_t sum = 0;
    for (std::size_t i = 0; i < values.size() && i < 4; ++i) {
      double w = static_cast<double>(values[i]) / static_cast<double>(max) * bar_w;
      if (values[i] > 0)
        out += fmt::format("<rect x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"16\" fill=\"{}\"/>", x, y + 2, w,
                           kSeverityColours[i]);
      x += w;
      sum += values[i];
    }
    out += fmt::format("<text x=\"{:.1f}\" y=\"{}\" font-size=\"12\">{}</text>", x + 4, y + 15, sum);
    y += row_h;
  }
  return out + "</svg>";
}

std::string count_table(const std::vector<ReportCount>& rows, const char* what) {
  if (rows.empty()) return "<p class=\"none\">None in the period.</p>";
  std::string out = fmt::format("<table><tr><th>{}</th><th class=\"n\">count</th></tr>", what);
  for (const auto& r : rows)
    out += fmt::format("<tr><td>{}</td><td class=\"n\">{}</td></tr>", html_escape(r.label), r.value);
  return out + "</table>";
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        // Control characters other than tab and newline have no place in a printed report.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') out += ' ';
        else out += c;
    }
  }
  return out;
}

std::string svg_bar_chart(const std::vector<ReportCount>& rows, const std::string& title) {
  if (rows.empty()) return "<p class=\"none\">Nothing to chart.</p>";
  std::int64_t max = 1;
  for (const auto& r : rows) max = std::max(max, r.value);
  const int label_w = 260, bar_w = 380, row_h = 22;
  int height = static_cast<int>(rows.size()) * row_h + 8;
  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" role=\"img\" aria-label=\"{}\">",
      label_w + bar_w + 60, height, html_escape(title));
  int y = 4;
  for (const auto& r : rows) {
    double w = static_cast<double>(r.value) / static_cast<double>(max) * bar_w;
    out += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\">{}</text>", label_w - 6, y + 14,
                       html_escape(clip(r.label, 44)));
    out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{:.1f}\" height=\"16\" fill=\"#2e86c1\"/>", label_w, y + 1, w);
    out += fmt::format("<text x=\"{:.1f}\" y=\"{}\" font-size=\"12\">{}</text>", label_w + w + 4, y + 14, r.value);
    y += row_h;
  }
  return out + "</svg>";
}

std::string render_situation_report(const SituationReport& r) {
  std::string h;
  h += "<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">";
  h += fmt::format("<title>Báo cáo tình hình an toàn thông tin {} – {}</title>", html_escape(when(r.from)),
                   html_escape(when(r.to)));
  h += R"css(<style>
body{font-family:"DejaVu Sans",Arial,sans-serif;margin:24px;color:#1b2631;font-size:13px}
h1{font-size:20px;margin-bottom:2px}h2{font-size:16px;border-bottom:2px solid #1b4f72;padding-bottom:2px;margin-top:22px}
.meta{color:#566573}.cards{display:flex;gap:12px;flex-wrap:wrap}.card{border:1px solid #aab7b8;padding:8px 12px;min-width:120px}
.card b{display:block;font-size:22px}table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #ccd1d1;padding:3px 8px;text-align:left}
th{background:#eaf2f8}.n{text-align:right}.up{color:#1e8449}.down{color:#c0392b}.none{color:#7b7d7d;font-style:italic}
@media print{body{margin:10mm}h2{page-break-after:avoid}svg,table{page-break-inside:avoid}}
</style></head><body>)css";
  h += "<h1>Báo cáo tình hình an toàn thông tin mạng — Situation report</h1>";
  h += fmt::format("<p class=\"meta\">Period {} to {} · generated {} by khien</p>", html_escape(when(r.from)),
                   html_escape(when(r.to)), html_escape(when(r.generated)));

  h += "<h2>Summary</h2><div class=\"cards\">";
  for (const auto& [label, value] :
       {std::pair{"incidents opened", r.incidents_opened}, std::pair{"incidents closed", r.incidents_closed},
        std::pair{"open at end of period", r.incidents_open_at_end}, std::pair{"with an SLA breach", r.incidents_breached},
        std::pair{"alerts", r.alerts_total}, std::pair{"directives issued", static_cast<std::int64_t>(r.directives.size())}})
    h += fmt::format("<div class=\"card\"><b>{}</b>{}</div>", value, label);
  h += "</div>";

  h += "<h2>Incidents by severity</h2>" + svg_bar_chart(r.by_severity, "Incidents opened by severity");
  h += "<h2>Incidents by sector and severity</h2>" + stacked_sector_chart(r.by_sector_severity);

  if (r.warnings_available) {
    h += "<h2>Top early warnings</h2>" + svg_bar_chart(r.top_warnings, "Top warnings") + count_table(r.top_warnings, "warning");
  }
  h += "<h2>Alerts by rule</h2>" + svg_bar_chart(r.alerts_by_rule, "Alerts by rule") + count_table(r.alerts_by_rule, "rule");

  h += "<h2>Directives and warnings issued</h2>";
  if (r.directives.empty()) {
    h += "<p class=\"none\">No directive or warning was issued in the period.</p>";
  } else {
    std::vector<ReportCount> done;
    h += "<table><tr><th>id</th><th>title</th><th>issuer</th><th>deadline</th><th class=\"n\">targets</th>"
         "<th class=\"n\">acknowledged</th><th class=\"n\">completed</th><th class=\"n\">overdue</th></tr>";
    for (const auto& d : r.directives) {
      h += fmt::format(
          "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
          "<td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
          html_escape(d.id), html_escape(d.title), html_escape(d.issuer), html_escape(when(d.deadline)), d.targets,
          pct(d.acknowledged_pct), pct(d.completed_pct), d.overdue);
      done.push_back({d.id, static_cast<std::int64_t>(std::lround(d.completed_pct))});
    }
    h += "</table>" + svg_bar_chart(done, "Completion per directive (%)");
  }

  h += "<h2>Compliance ranking</h2>";
  if (r.ranking.empty()) {
    h += "<p class=\"none\">No organisation is scored.</p>";
  } else {
    h += fmt::format("<p class=\"meta\">National ranking for {}{}.</p>", html_escape(r.ranking_period),
                     r.compared_period.empty() ? std::string(", no earlier snapshot to compare with")
                                               : ", compared with " + html_escape(r.compared_period));
    h += "<table><tr><th class=\"n\">rank</th><th>organisation</th><th class=\"n\">score</th><th class=\"n\">previous</th>"
         "<th class=\"n\">change</th></tr>";
    for (const auto& x : r.ranking) {
      std::string change = "–";
      if (x.previous_rank > 0) {
        int d = x.previous_rank - x.rank;
        change = d > 0 ? fmt::format("<span class=\"up\">▲ {}</span>", d)
                 : d < 0 ? fmt::format("<span class=\"down\">▼ {}</span>", -d)
                         : std::string("=");
      }
      h += fmt::format(
          "<tr><td class=\"n\">{}</td><td>{} <span class=\"meta\">({})</span></td><td class=\"n\">{:.1f}</td>"
          "<td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
          x.rank, html_escape(x.name), html_escape(x.org), x.score,
          x.previous_rank > 0 ? fmt::format("#{} ({:.1f})", x.previous_rank, x.previous_score) : std::string("–"),
          change);
    }
    h += "</table>";
  }
  h += "</body></html>\n";
  return h;
}

}  // namespace khien
