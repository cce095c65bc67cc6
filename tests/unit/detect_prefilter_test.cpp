// Literal prefilters: patterns with inner wildcards and regexes run only where one of their
// required literals occurs; a wrong literal or stale gate state would lose or invent matches.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/field_dictionary.h"
#include "detect/field_pipeline.h"
#include "detect/required_literal.h"
#include "detect/rule_set.h"
#include "detect/sigma_rule.h"

namespace khien {
namespace {

using Values = std::vector<std::pair<std::string, std::string>>;

RuleSet compile_selection(const std::string& selection) {
  static FieldPipeline pipeline = [] {
    FieldPipeline p;
    EXPECT_TRUE(p.load_text("logsources:\n  - match: {product: test}\n", "test.yaml"));
    return p;
  }();
  std::vector<SigmaRule> rules;
  std::vector<SigmaLoadError> errors;
  parse_sigma_text("title: t\nid: t1\nlogsource: {product: test}\ndetection:\n  sel:\n" + selection + "  condition: sel\n",
                   "t.yml", rules, errors);
  EXPECT_TRUE(errors.empty()) << (errors.empty() ? "" : errors[0].reason);
  auto set = compile_rules(std::move(rules), pipeline);
  EXPECT_TRUE(set) << (set ? "" : set.error().message);
  EXPECT_EQ(set->size(), 1u);
  return std::move(*set);
}

bool hits(const RuleSet& set, const Values& values) {
  Arena arena;
  Event e(arena);
  for (const auto& [name, v] : values) e.add(intern_field(name), Value::of_string(arena.copy(v)));
  auto scratch = set.make_scratch();
  bool hit = false;
  set.match(e, scratch, [&](std::size_t) { hit = true; });
  return hit;
}

TEST(SigmaPrefilter, InnerWildcardRunsOnlyWithItsLiteral) {
  // Longest literal part "-urlcache" gates the whole pattern.
  RuleSet set = compile_selection("    CommandLine|contains: 'certutil*-urlcache*http'\n");
  EXPECT_TRUE(hits(set, {{"CommandLine", "CERTUTIL.exe -URLcache -f http://x/a"}}));
  // The literal occurs but the pattern does not match: no hit.
  EXPECT_FALSE(hits(set, {{"CommandLine", "certutil -urlcache -f ftp://x/a"}}));
  EXPECT_FALSE(hits(set, {{"CommandLine", "-urlcache certutil http"}}));
  // Everything but the gate literal: no hit.
  EXPECT_FALSE(hits(set, {{"CommandLine", "certutil -f http://x/a"}}));
}

TEST(SigmaPrefilter, GateIsPerValueOfAMultiValuedField) {
  RuleSet set = compile_selection("    CommandLine|contains: 'certutil*-urlcache*http'\n");
  // The first value fires the gate without matching; the second must still be tried.
  EXPECT_TRUE(hits(set, {{"CommandLine", "-urlcache only"}, {"CommandLine", "certutil -urlcache http"}}));
  // Pieces spread over two values never make one match.
  EXPECT_FALSE(hits(set, {{"CommandLine", "certutil -urlcache"}, {"CommandLine", "http"}}));
}

TEST(SigmaPrefilter, CasedPatternKeepsItsCase) {
  RuleSet set = compile_selection("    Value|cased: 'Abc*Def'\n");
  EXPECT_TRUE(hits(set, {{"Value", "Abc x Def"}}));
  EXPECT_FALSE(hits(set, {{"Value", "abc x Def"}}));
  EXPECT_FALSE(hits(set, {{"Value", "Abc x def"}}));
}

TEST(SigmaPrefilter, RegexAtomsAreFoundWhateverTheCase) {
  // RE2's atoms are lower case; the case-sensitive regex must still see upper-case text.
  RuleSet cased = compile_selection("    Value|re: 'ABC[0-9]+DEF'\n");
  EXPECT_TRUE(hits(cased, {{"Value", "xxABC123DEFxx"}}));
  EXPECT_FALSE(hits(cased, {{"Value", "xxabc123defxx"}}));  // atoms present, regex is cased
  EXPECT_FALSE(hits(cased, {{"Value", "xxABC DEFxx"}}));     // atoms present, no digits
  RuleSet caseless = compile_selection("    Value|re|i: 'invoke-(web)?request.+-outfile'\n");
  EXPECT_TRUE(hits(caseless, {{"Value", "Invoke-WebRequest http://x -OutFile y"}}));
  EXPECT_TRUE(hits(caseless, {{"Value", "INVOKE-REQUEST http://x -OUTFILE y"}}));
  EXPECT_FALSE(hits(caseless, {{"Value", "Invoke-WebRequest-OutFile"}}));  // `.+` needs a byte between
}

TEST(SigmaPrefilter, WindashChoicesBecomeLiterals) {
  auto spelled = expand_choices([] {
    SigmaPattern p = SigmaPattern::parse(" -exec bypass");
    p.windash();
    return p;
  }());
  ASSERT_EQ(spelled.size(), 5u);
  for (const auto& p : spelled) EXPECT_FALSE(p.has_wildcards());
  EXPECT_EQ(spelled[1].literal_text(), " /exec bypass");
  RuleSet set = compile_selection("    CommandLine|windash|contains: ' -exec * bypass'\n");
  EXPECT_TRUE(hits(set, {{"CommandLine", "ps /exec x bypass"}}));
  EXPECT_TRUE(hits(set, {{"CommandLine", "ps \xE2\x80\x94" "exec x bypass"}}));
  EXPECT_FALSE(hits(set, {{"CommandLine", "ps +exec x bypass"}}));
}

TEST(SigmaPrefilter, RequiredLiterals) {
  EXPECT_EQ(required_literal(SigmaPattern::parse("*a*bcdef*gh*")), "bcdef");
  EXPECT_EQ(required_literal(SigmaPattern::parse("*a*b?c*")), "");  // nothing of 3 bytes
  EXPECT_TRUE(is_plain_literal(SigmaPattern::parse("*abc*")));
  EXPECT_FALSE(is_plain_literal(SigmaPattern::parse("*a*c*")));
  EXPECT_FALSE(is_plain_literal(SigmaPattern::parse("a?c")));

  const auto atoms = regex_required_literals("(foo|barbaz)[0-9]+qux", false, false, false);
  ASSERT_FALSE(atoms.empty());
  // Every text the regex matches contains one of them.
  for (const std::string text : {"foo1qux", "xbarbaz22quxx"}) {
    std::string lower = text;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    EXPECT_TRUE(std::any_of(atoms.begin(), atoms.end(), [&](const std::string& a) { return lower.find(a) != std::string::npos; }))
        << text;
  }
  // No usable literal: the regex always runs.
  EXPECT_TRUE(regex_required_literals("[a-z]+[0-9]", false, false, false).empty());
  EXPECT_TRUE(regex_required_literals("caf\xC3\xA9 latte", true, false, false).empty());
  EXPECT_TRUE(regex_required_literals("(?<=x)abc", false, false, false).empty());  // RE2 refuses it
}

}  // namespace
}  // namespace khien
