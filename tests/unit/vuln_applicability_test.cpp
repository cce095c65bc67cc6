// NVD applicability: cpeMatch version ranges, AND/OR/negate nodes, running-on platforms, and which
// inventory CPEs made a configuration apply.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "vuln/applicability.h"
#include "vuln/feed_parsers.h"

namespace khien {
namespace {

std::vector<Cpe> inventory(std::initializer_list<const char*> names) {
  std::vector<Cpe> out;
  for (const char* n : names) out.push_back(Cpe::parse(n).value());
  return out;
}

std::vector<Configuration> configs(const char* json_text) {
  auto parsed = parse_nvd_configurations(nlohmann::json::parse(json_text));
  EXPECT_TRUE(parsed) << (parsed ? "" : parsed.error().message);
  return parsed ? *parsed : std::vector<Configuration>{};
}

CpeMatch match(const char* criteria) {
  CpeMatch m;
  m.criteria = Cpe::parse(criteria).value();
  m.criteria_text = criteria;
  return m;
}

TEST(VulnApplicability, VersionRangeBounds) {
  auto m = match("cpe:2.3:a:apache:log4j:*:*:*:*:*:*:*:*");
  m.start_including = PackageVersion("2.4.0");
  m.end_excluding = PackageVersion("2.12.2");
  EXPECT_TRUE(m.matches(Cpe::parse("cpe:2.3:a:apache:log4j:2.4.0:*:*:*:*:*:*:*").value()));
  EXPECT_TRUE(m.matches(Cpe::parse("cpe:2.3:a:apache:log4j:2.12.1:*:*:*:*:*:*:*").value()));
  EXPECT_FALSE(m.matches(Cpe::parse("cpe:2.3:a:apache:log4j:2.12.2:*:*:*:*:*:*:*").value()));
  EXPECT_FALSE(m.matches(Cpe::parse("cpe:2.3:a:apache:log4j:2.3:*:*:*:*:*:*:*").value()));
  EXPECT_FALSE(m.matches(Cpe::parse("cpe:2.3:a:apache:log4j:*:*:*:*:*:*:*:*").value())) << "unknown version is not in range";
  EXPECT_FALSE(m.matches(Cpe::parse("cpe:2.3:a:apache:tomcat:2.5:*:*:*:*:*:*:*").value()));
  CpeMatch ex = match("cpe:2.3:a:x:y:*:*:*:*:*:*:*:*");
  ex.start_excluding = PackageVersion("1.0");
  ex.end_including = PackageVersion("1.5");
  EXPECT_FALSE(ex.matches(Cpe::parse("cpe:/a:x:y:1.0").value()));
  EXPECT_TRUE(ex.matches(Cpe::parse("cpe:/a:x:y:1.0.1").value()));
  EXPECT_TRUE(ex.matches(Cpe::parse("cpe:/a:x:y:1.5").value()));
  EXPECT_FALSE(ex.matches(Cpe::parse("cpe:/a:x:y:1.5.1").value()));
  EXPECT_TRUE(ex.matches(Cpe::parse("cpe:/a:x:y:1.5:-").value()));
}

TEST(VulnApplicability, ExactVersionsWithUpdates) {
  auto beta = match("cpe:2.3:a:apache:log4j:2.0:beta9:*:*:*:*:*:*");
  EXPECT_TRUE(beta.matches(Cpe::parse("cpe:2.3:a:apache:log4j:2.0:beta9:*:*:*:*:*:*").value()));
  EXPECT_TRUE(beta.matches(Cpe::parse("cpe:2.3:a:apache:log4j:2.0-beta9:*:*:*:*:*:*:*").value()));
  EXPECT_FALSE(beta.matches(Cpe::parse("cpe:2.3:a:apache:log4j:2.0:*:*:*:*:*:*:*").value()));
  EXPECT_FALSE(beta.matches(Cpe::parse("cpe:2.3:a:apache:log4j:2.0-beta8:*:*:*:*:*:*:*").value()));
  auto release = match("cpe:2.3:a:apache:log4j:2.0:-:*:*:*:*:*:*");
  EXPECT_TRUE(release.matches(Cpe::parse("cpe:2.3:a:apache:log4j:2.0:*:*:*:*:*:*:*").value()));
  EXPECT_TRUE(release.matches(Cpe::parse("cpe:2.3:a:apache:log4j:2.0.0:-:*:*:*:*:*:*").value()));
  EXPECT_FALSE(release.matches(Cpe::parse("cpe:2.3:a:apache:log4j:2.0-rc1:*:*:*:*:*:*:*").value()));
  auto any_update = match("cpe:2.3:a:x:y:2.0:*:*:*:*:*:*:*");
  EXPECT_TRUE(any_update.matches(Cpe::parse("cpe:/a:x:y:2.0:beta1").value()));
  EXPECT_TRUE(any_update.matches(Cpe::parse("cpe:/a:x:y:2.0-rc2").value()));
  EXPECT_FALSE(any_update.matches(Cpe::parse("cpe:/a:x:y:2.0.1").value()));
  auto wildcard = match("cpe:2.3:a:x:y:2.*:*:*:*:*:*:*:*");
  EXPECT_TRUE(wildcard.matches(Cpe::parse("cpe:/a:x:y:2.7").value()));
  EXPECT_FALSE(wildcard.matches(Cpe::parse("cpe:/a:x:y:3.0").value()));
  auto target_sw = match("cpe:2.3:a:x:y:*:*:*:*:*:wordpress:*:*");
  EXPECT_TRUE(target_sw.matches(Cpe::parse("cpe:2.3:a:x:y:1.0:*:*:*:*:wordpress:*:*").value()));
  EXPECT_FALSE(target_sw.matches(Cpe::parse("cpe:2.3:a:x:y:1.0:*:*:*:*:joomla:*:*").value()));
  EXPECT_FALSE(target_sw.matches(Cpe::parse("cpe:2.3:a:x:y:1.0:*:*:*:*:*:*:*").value())) << "ANY target is SUBSET, not a match";
}

TEST(VulnApplicability, RunningOnPlatformNeedsBothNodes) {
  auto c = configs(R"([{"operator":"AND","nodes":[
    {"operator":"OR","negate":false,"cpeMatch":[{"vulnerable":true,"criteria":"cpe:2.3:o:vendor:fw:*:*:*:*:*:*:*:*","versionEndExcluding":"2.7.0"}]},
    {"operator":"OR","negate":false,"cpeMatch":[{"vulnerable":false,"criteria":"cpe:2.3:h:vendor:box:-:*:*:*:*:*:*:*"}]}]}])");
  ASSERT_EQ(c.size(), 1u);
  auto both = inventory({"cpe:2.3:o:vendor:fw:2.6:*:*:*:*:*:*:*", "cpe:2.3:h:vendor:box:-:*:*:*:*:*:*:*"});
  auto r = evaluate(c[0], both);
  EXPECT_TRUE(r.applies);
  EXPECT_EQ(r.vulnerable, std::vector<std::size_t>{0});
  EXPECT_EQ(r.platform, std::vector<std::size_t>{1});
  EXPECT_FALSE(applies(c[0], inventory({"cpe:2.3:o:vendor:fw:2.6:*:*:*:*:*:*:*"})));
  EXPECT_FALSE(applies(c[0], inventory({"cpe:2.3:h:vendor:box:-:*:*:*:*:*:*:*"})));
  EXPECT_FALSE(applies(c[0], inventory({"cpe:2.3:o:vendor:fw:2.7.0:*:*:*:*:*:*:*", "cpe:2.3:h:vendor:box:-:*:*:*:*:*:*:*"})));
}

TEST(VulnApplicability, NestedNodesAndNegate) {
  // (app 1.x AND NOT on os:legacy) OR (lib AND (os:a OR os:b))
  auto c = configs(R"([{"operator":"OR","nodes":[
    {"operator":"AND","children":[
      {"operator":"OR","cpeMatch":[{"vulnerable":true,"criteria":"cpe:2.3:a:v:app:*:*:*:*:*:*:*:*","versionStartIncluding":"1.0","versionEndExcluding":"2.0"}]},
      {"operator":"OR","negate":true,"cpeMatch":[{"vulnerable":false,"criteria":"cpe:2.3:o:v:legacy:*:*:*:*:*:*:*:*"}]}]},
    {"operator":"AND","cpeMatch":[{"vulnerable":true,"criteria":"cpe:2.3:a:v:lib:*:*:*:*:*:*:*:*"}],"children":[
      {"operator":"OR","cpeMatch":[{"vulnerable":false,"criteria":"cpe:2.3:o:v:a:*:*:*:*:*:*:*:*"},{"vulnerable":false,"criteria":"cpe:2.3:o:v:b:*:*:*:*:*:*:*:*"}]}]}]}])");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_TRUE(applies(c[0], inventory({"cpe:/a:v:app:1.5"})));
  EXPECT_FALSE(applies(c[0], inventory({"cpe:/a:v:app:1.5", "cpe:/o:v:legacy:3"})));
  EXPECT_FALSE(applies(c[0], inventory({"cpe:/a:v:lib:1"})));
  auto r = evaluate(c[0], inventory({"cpe:/o:v:b:1", "cpe:/a:v:lib:1"}));
  EXPECT_TRUE(r.applies);
  EXPECT_EQ(r.vulnerable, std::vector<std::size_t>{1});
  EXPECT_EQ(r.platform, std::vector<std::size_t>{0});
}

TEST(VulnApplicability, InconsistentConfigurationsAreRejectedWithTheirPath) {
  auto err = [](const char* text) {
    auto r = parse_nvd_configurations(nlohmann::json::parse(text));
    EXPECT_FALSE(r) << text;
    return r ? std::string() : r.error().message;
  };
  EXPECT_NE(err(R"([{"nodes":[]}])").find("configurations[0]: configuration has no nodes"), std::string::npos);
  EXPECT_NE(err(R"([{"nodes":[{"operator":"XOR","cpeMatch":[]}]}])").find("operator 'XOR'"), std::string::npos);
  EXPECT_NE(err(R"([{"nodes":[{"operator":"OR","cpeMatch":[{"vulnerable":true,"criteria":"cpe:2.3:a:x"}]}]}])")
                .find("configurations[0].nodes[0].cpeMatch[0]: criteria 'cpe:2.3:a:x'"), std::string::npos);
  EXPECT_NE(err(R"([{"nodes":[{"operator":"OR","cpeMatch":[{"vulnerable":false,"criteria":"cpe:2.3:a:x:y:*:*:*:*:*:*:*:*"}]}]}])")
                .find("no cpeMatch is marked vulnerable"), std::string::npos);
  EXPECT_NE(err(R"([{"nodes":[{"operator":"OR","cpeMatch":[{"vulnerable":true,"criteria":"cpe:2.3:a:x:y:*:*:*:*:*:*:*:*","versionStartIncluding":"3","versionEndExcluding":"2"}]}]}])")
                .find("range start '3' is after its end '2'"), std::string::npos);
  EXPECT_NE(err(R"([{"nodes":[{"operator":"OR","cpeMatch":[{"vulnerable":true,"criteria":"cpe:2.3:a:x:y:1.0:*:*:*:*:*:*:*","versionEndExcluding":"2"}]}]}])")
                .find("whose version is not *"), std::string::npos);
  EXPECT_NE(err(R"([{"nodes":[{"operator":"OR","cpeMatch":[{"criteria":"cpe:2.3:a:x:y:*:*:*:*:*:*:*:*"}]}]}])")
                .find("vulnerable is missing"), std::string::npos);
}

}  // namespace
}  // namespace khien
