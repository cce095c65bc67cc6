// Metrics registry and Prometheus rendering.
#include "core/metrics.h"

#include <fmt/format.h>

namespace khien {

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(new std::atomic<std::uint64_t>[bounds_.size() + 1]) {
  for (std::size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0);
}

void Histogram::observe(double seconds) {
  std::size_t i = 0;
  while (i < bounds_.size() && seconds > bounds_[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_ns_.fetch_add(static_cast<std::uint64_t>(seconds * 1e9), std::memory_order_relaxed);
}

double Histogram::sum() const { return static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9; }

double Histogram::quantile(double q) const {
  std::uint64_t total = count();
  if (total == 0) return 0;
  auto target = static_cast<std::uint64_t>(q * static_cast<double>(total));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < bounds_.size(); ++i) {
    seen += bucket(i);
    if (seen > target) return bounds_[i];
  }
  return bounds_.empty() ? 0 : bounds_.back();
}

Metrics& Metrics::instance() {
  static Metrics metrics;
  return metrics;
}

Metrics::Family& Metrics::family(const std::string& name, const std::string& help, const char* type) {
  auto& f = families_[name];
  if (f.type.empty()) {
    f.help = help;
    f.type = type;
  }
  return f;
}

Counter& Metrics::counter(const std::string& name, const std::string& help, const std::string& labels) {
  std::lock_guard lock(mutex_);
  auto& slot = family(name, help, "counter").counters[labels];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Gauge& Metrics::gauge(const std::string& name, const std::string& help, const std::string& labels) {
  std::lock_guard lock(mutex_);
  auto& slot = family(name, help, "gauge").gauges[labels];
  if (!slot) slot = std::make_unique<Gauge>();
  return *slot;
}

Histogram& Metrics::histogram(const std::string& name, const std::string& help, const std::string& labels) {
  std::lock_guard lock(mutex_);
  auto& slot = family(name, help, "histogram").histograms[labels];
  if (!slot)
    slot = std::make_unique<Histogram>(
        std::vector<double>{0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10});
  return *slot;
}

std::string Metrics::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  auto braces = [](const std::string& labels) { return labels.empty() ? std::string() : "{" + labels + "}"; };
  for (const auto& [name, f] : families_) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, f.help, name, f.type);
    for (const auto& [labels, c] : f.counters) out += fmt::format("{}{} {}\n", name, braces(labels), c->value());
    for (const auto& [labels, g] : f.gauges) out += fmt::format("{}{} {}\n", name, braces(labels), g->value());
    for (const auto& [labels, h] : f.histograms) {
      std::uint64_t cumulative = 0;
      std::string sep = labels.empty() ? "" : ",";
      for (std::size_t i = 0; i < h->bounds().size(); ++i) {
        cumulative += h->bucket(i);
        out += fmt::format("{}_bucket{{{}{}le=\"{}\"}} {}\n", name, labels, sep, h->bounds()[i], cumulative);
      }
      cumulative += h->bucket(h->bounds().size());
      out += fmt::format("{}_bucket{{{}{}le=\"+Inf\"}} {}\n", name, labels, sep, cumulative);
      out += fmt::format("{}_sum{} {}\n{}_count{} {}\n", name, braces(labels), h->sum(), name, braces(labels), h->count());
    }
  }
  return out;
}

}  // namespace khien
