// ExposureIndex answers a criteria from its version order (binary search over the distinct versions
// of a product) instead of comparing every inventory CPE: over random inventories and random NVD
// statements (ranges, exact versions, pre-releases, updates, ANY/NA, wildcards, platforms, AND/negate),
// the systems it reports are exactly those a full evaluation of every system finds.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "vuln/exposure_index.h"

namespace khien {
namespace {

class RandomStatements {
 public:
  explicit RandomStatements(unsigned seed) : rng_(seed) {}

  std::string version() {
    static const std::vector<std::string> kWords = {"", "-rc1", "-beta2", "-alpha", "p1", "k", ".GA", "-sp1", "-dev"};
    std::string v = std::to_string(pick(3));
    int parts = pick(3);
    for (int i = 0; i < parts; ++i) v += "." + std::to_string(pick(4));
    if (pick(3) == 0) v += kWords[static_cast<std::size_t>(pick(static_cast<int>(kWords.size()) - 1))];
    return v;
  }

  // An inventory CPE: mostly plain versions, sometimes an update, ANY, NA, a wildcard or another part.
  std::string inventory_cpe() {
    std::string part = pick(9) == 0 ? "o" : "a";
    std::string product = "prod" + std::to_string(pick(2));
    std::string v, u = "*";
    switch (pick(11)) {
      case 0: v = "*"; break;
      case 1: v = "-"; break;
      case 2: v = version() + "*"; break;
      case 3: v = version(); u = "beta" + std::to_string(pick(3)); break;
      case 4: v = version(); u = "upd*"; break;
      case 5: v = version(); u = "-"; break;
      default: v = version();
    }
    std::string target_sw = pick(7) == 0 ? "node\\.js" : "*";
    return "cpe:2.3:" + part + ":vendor:" + product + ":" + v + ":" + u + ":*:*:*:" + target_sw + ":*:*";
  }

  CpeMatch criteria(bool vulnerable) {
    CpeMatch m;
    m.vulnerable = vulnerable;
    std::string part = pick(6) == 0 ? "*" : (pick(9) == 0 ? "o" : "a");
    std::string product = "prod" + std::to_string(pick(2));
    std::string v = "*", u = "*";
    int kind = pick(9);
    if (kind <= 3) {  // a range
      auto bound = [&] { return std::optional<PackageVersion>(PackageVersion(version())); };
      int shape = pick(5);
      if (shape == 0 || shape == 2) m.start_including = bound();
      if (shape == 1 || shape == 3) m.start_excluding = bound();
      if (shape == 2 || shape == 4) m.end_including = bound();
      if (shape == 0 || shape == 1 || shape == 3) m.end_excluding = bound();
    } else if (kind == 4) {
      v = version();
    } else if (kind == 5) {
      v = version();
      u = pick(2) == 0 ? "-" : "beta" + std::to_string(pick(3));
    } else if (kind == 6) {
      v = pick(2) == 0 ? "-" : version() + "*";
    } else if (kind == 7) {
      u = "beta" + std::to_string(pick(3));
    }
    std::string target_sw = pick(8) == 0 ? "node\\.js" : "*";
    m.criteria_text = "cpe:2.3:" + part + ":vendor:" + product + ":" + v + ":" + u + ":*:*:*:" + target_sw + ":*:*";
    m.criteria = Cpe::parse(m.criteria_text).value();
    return m;
  }

  std::vector<Configuration> statement() {
    std::vector<Configuration> out;
    int configs = 1 + pick(1);
    for (int c = 0; c < configs; ++c) {
      Configuration config;
      ConfigNode vulnerable;
      int n = 1 + pick(3);
      for (int i = 0; i < n; ++i) vulnerable.matches.push_back(criteria(true));
      if (pick(5) == 0) vulnerable.op = NodeOperator::op_and;
      if (pick(5) == 0) {  // nested: a child node of vulnerable and platform criteria
        ConfigNode child;
        child.op = pick(1) == 0 ? NodeOperator::op_and : NodeOperator::op_or;
        child.negate = pick(6) == 0;
        child.matches.push_back(criteria(true));
        child.matches.push_back(criteria(false));
        vulnerable.children.push_back(std::move(child));
      }
      config.nodes.push_back(std::move(vulnerable));
      if (pick(3) == 0) {  // running on / with a platform, sometimes negated, sometimes OR'ed
        config.op = pick(4) == 0 ? NodeOperator::op_or : NodeOperator::op_and;
        ConfigNode platform;
        platform.negate = pick(4) == 0;
        platform.matches.push_back(criteria(false));
        config.nodes.push_back(std::move(platform));
      }
      out.push_back(std::move(config));
    }
    return out;
  }

  int pick(int max_inclusive) { return std::uniform_int_distribution<int>(0, max_inclusive)(rng_); }

 private:
  std::mt19937 rng_;
};

std::string bound(const char* name, const std::optional<PackageVersion>& v) {
  return v ? std::string(" ") + name + " " + v->text() : std::string();
}

std::string describe_node(const ConfigNode& n) {
  std::string out = n.negate ? " (NOT " : " (";
  out += n.op == NodeOperator::op_and ? "AND" : "OR";
  for (const auto& m : n.matches)
    out += " " + m.criteria_text + (m.vulnerable ? "" : " platform") + bound(">=", m.start_including) +
           bound(">", m.start_excluding) + bound("<=", m.end_including) + bound("<", m.end_excluding);
  for (const auto& child : n.children) out += describe_node(child);
  return out + ")";
}

// The statement as text, for a failure message.
std::string describe(const std::vector<Configuration>& configs) {
  std::string out;
  for (const auto& c : configs) {
    out += c.op == NodeOperator::op_and ? "[AND" : "[OR";
    for (const auto& n : c.nodes) out += describe_node(n);
    out += "]";
  }
  return out;
}

TEST(ExposureIndexTest, VersionOrderLookupsAgreeWithFullEvaluation) {
  RandomStatements random(20261123);
  std::size_t exposed_pairs = 0, statements = 0;
  for (int round = 0; round < 15; ++round) {
    std::vector<InventoryEntry> inventory;
    for (int s = 0; s < 60; ++s) {
      InventoryEntry e{"sys-" + std::to_string(s), "org", {}};
      int n = 1 + random.pick(3);
      for (int i = 0; i < n; ++i) e.cpes.push_back(Cpe::parse(random.inventory_cpe()).value());
      inventory.push_back(std::move(e));
    }
    ExposureIndex index(inventory);
    // A few systems replaced and removed, so positions with emptied variants are exercised too.
    for (int s = 0; s < 5; ++s) {
      InventoryEntry e{"sys-" + std::to_string(random.pick(59)), "org", {Cpe::parse(random.inventory_cpe()).value()}};
      index.upsert(e);
    }
    index.remove("sys-" + std::to_string(random.pick(59)));
    for (int t = 0; t < 60; ++t) {
      auto configs = random.statement();
      std::vector<std::uint32_t> want;
      for (std::uint32_t p = 0; p < index.inventory().size(); ++p) {
        const auto& e = index.inventory()[p];
        if (!e.system_id.empty() && evaluate(configs, e.cpes).applies) want.push_back(p);
      }
      ASSERT_EQ(index.exposed_entries(configs), want) << "round " << round << " statement " << t << ": " << describe(configs);
      exposed_pairs += want.size();
      ++statements;
    }
  }
  // The random statements must expose systems often enough for the comparison to mean something.
  EXPECT_GT(exposed_pairs, statements * 3);
}

TEST(ExposureIndexTest, RangeLookupFindsEveryVersionBetweenItsBounds) {
  std::vector<InventoryEntry> inventory;
  const std::vector<std::string> versions = {"2.0-beta9", "2.0", "2.3.1", "2.14.1", "2.15.0-rc1", "2.15.0", "2.16.0", "2.17.1", "2.9"};
  for (std::size_t i = 0; i < versions.size(); ++i)
    inventory.push_back({"sys-" + versions[i], "org", {Cpe::parse("cpe:2.3:a:apache:log4j:" + versions[i] + ":*:*:*:*:*:*:*").value()}});
  ExposureIndex index(inventory);
  CpeMatch m;
  m.criteria = Cpe::parse("cpe:2.3:a:apache:log4j:*:*:*:*:*:*:*:*").value();
  m.start_including = PackageVersion("2.0-beta9");
  m.end_excluding = PackageVersion("2.15.0");
  Configuration config;
  config.nodes.push_back(ConfigNode{NodeOperator::op_or, false, {m}, {}});
  std::vector<std::string> exposed;
  for (auto p : index.exposed_entries({config})) exposed.push_back(index.inventory()[p].system_id);
  EXPECT_EQ(exposed, (std::vector<std::string>{"sys-2.0-beta9", "sys-2.0", "sys-2.3.1", "sys-2.14.1", "sys-2.15.0-rc1", "sys-2.9"}));
}

}  // namespace
}  // namespace khien
