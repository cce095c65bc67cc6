// The printable situation report for the national steering committee: one self-contained HTML page with inline SVG charts.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/time.h"

namespace khien {

/// One labelled count for a chart or a table.
struct ReportCount {
  std::string label;
  std::int64_t value = 0;
};

/// A directive's progress at the end of the period.
struct ReportDirective {
  std::string id, kind, title, issuer;
  TimeNs deadline = 0;
  std::size_t targets = 0;
  double acknowledged_pct = 0, completed_pct = 0;
  std::size_t overdue = 0;
};

/// An organisation's position now and in the period compared with.
struct ReportRankChange {
  std::string org, name;
  int rank = 0;
  double score = 0;
  int previous_rank = 0;  ///< 0: not ranked then
  double previous_score = 0;
};

/// Everything the page shows; the route gathers it, render_situation_report only formats it.
struct SituationReport {
  TimeNs from = 0, to = 0, generated = 0;
  std::int64_t incidents_opened = 0, incidents_closed = 0, incidents_open_at_end = 0, incidents_breached = 0;
  std::int64_t alerts_total = 0;
  std::vector<ReportCount> by_severity;  ///< incidents opened, low..critical
  /// Incidents opened per sector (label) and severity (the four values low..critical).
  std::vector<std::pair<std::string, std::vector<std::int64_t>>> by_sector_severity;
  bool warnings_available = false;         ///< the early-warning table exists
  std::vector<ReportCount> top_warnings;   ///< when warnings_available
  std::vector<ReportCount> alerts_by_rule;  ///< otherwise (and always listed)
  std::vector<ReportDirective> directives;  ///< issued within the period
  std::string ranking_period, compared_period;  ///< compared_period empty: no earlier snapshot
  std::vector<ReportRankChange> ranking;        ///< national ranking, best first
};

/// Escapes text for HTML element content and attribute values.
std::string html_escape(std::string_view text);

/// A horizontal bar chart as inline SVG; labels are escaped.
std::string svg_bar_chart(const std::vector<ReportCount>& rows, const std::string& title);

/// The whole page: no external asset, no script; every string from data is escaped.
std::string render_situation_report(const SituationReport& r);

}  // namespace khien
