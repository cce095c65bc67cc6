// Literal prefilters: patterns with inner wildcards and regexes run only where one of their
// required literals occurs, and short literals are searched only when a rule needs them; a wrong
// literal or stale gate state would lose or invent matches.
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

// Each of `detections` (the lines under `detection:`) as a rule of its own, ids t0, t1, ...
RuleSet compile_detections(const std::vector<std::string>& detections) {
  static FieldPipeline pipeline = [] {
    FieldPipeline p;
    EXPECT_TRUE(p.load_text("logsources:\n  - match: {product: test}\n", "test.yaml"));
    return p;
  }();
  std::vector<SigmaRule> rules;
  std::vector<SigmaLoadError> errors;
  for (std::size_t i = 0; i < detections.size(); ++i)
    parse_sigma_text("title: t\nid: t" + std::to_string(i) + "\nlogsource: {product: test}\ndetection:\n" + detections[i],
                     "t.yml", rules, errors);
  EXPECT_TRUE(errors.empty()) << (errors.empty() ? "" : errors[0].reason);
  auto set = compile_rules(std::move(rules), pipeline);
  EXPECT_TRUE(set) << (set ? "" : set.error().message);
  EXPECT_EQ(set->size(), detections.size());
  return std::move(*set);
}

RuleSet compile_selection(const std::string& selection) {
  return compile_detections({"  sel:\n" + selection + "  condition: sel\n"});
}

// Ids of the rules that match an event of these field values, matched with `scratch`.
std::vector<std::string> matching(const RuleSet& set, RuleSet::Scratch& scratch, const Values& values) {
  Arena arena;
  Event e(arena);
  for (const auto& [name, v] : values) e.add(intern_field(name), Value::of_string(arena.copy(v)));
  std::vector<std::string> ids;
  set.match(e, scratch, [&](std::size_t r) { ids.push_back(set.rule(r).id); });
  return ids;
}

bool hits(const RuleSet& set, const Values& values) {
  auto scratch = set.make_scratch();
  return !matching(set, scratch, values).empty();
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

TEST(SigmaPrefilter, StarPatternsMatchedWithoutAScan) {
  // Gated patterns of literals and stars are matched piece by piece, with their anchors.
  RuleSet whole = compile_selection("    Value: 'abab*ab'\n");
  EXPECT_TRUE(whole.size() == 1 && hits(whole, {{"Value", "ABABab"}}));
  EXPECT_TRUE(hits(whole, {{"Value", "abab-x-ab"}}));
  EXPECT_FALSE(hits(whole, {{"Value", "abab"}}));  // the tail may not overlap the head
  EXPECT_FALSE(hits(whole, {{"Value", "abab-x-abc"}}));
  EXPECT_FALSE(hits(whole, {{"Value", "xabab-ab"}}));
  RuleSet starts = compile_selection("    Value|startswith: 'cmd*/c*del'\n");
  EXPECT_TRUE(hits(starts, {{"Value", "CMD.exe /c del x"}}));
  EXPECT_FALSE(hits(starts, {{"Value", "x cmd /c del"}}));
  EXPECT_FALSE(hits(starts, {{"Value", "cmd del /c"}}));  // pieces in order
  RuleSet ends = compile_selection("    Value|endswith: 'temp*.exe'\n");
  EXPECT_TRUE(hits(ends, {{"Value", "c:\\Temp\\a.EXE"}}));
  EXPECT_FALSE(hits(ends, {{"Value", "c:\\temp\\a.exe.txt"}}));
  RuleSet cased = compile_selection("    Value|contains|cased: 'Abc*Def'\n");
  EXPECT_TRUE(hits(cased, {{"Value", "xAbc-Defx"}}));
  EXPECT_FALSE(hits(cased, {{"Value", "xAbc-defx"}}));
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

// Short contains-literals (under 5 bytes) that trigger no rule are not scanned: a rule that
// needs one searches for it once its other conditions hold. Skipping the search, or reporting a
// literal that is absent, changes these results.
const std::string kToolImage = "  img:\n    Image|endswith: '\\tool.exe'\n";

TEST(SigmaShortLiterals, SearchedWhenTheRuleNeedsThem) {
  RuleSet set = compile_detections({kToolImage + "  cli:\n    CommandLine|contains: [' /s', ' -q']\n  condition: img and cli\n"});
  EXPECT_TRUE(hits(set, {{"Image", "C:\\x\\TOOL.exe"}, {"CommandLine", "tool /S x"}}));
  EXPECT_TRUE(hits(set, {{"Image", "C:\\x\\tool.exe"}, {"CommandLine", "tool -Q"}}));
  EXPECT_FALSE(hits(set, {{"Image", "C:\\x\\tool.exe"}, {"CommandLine", "tool /t -s"}}));
  EXPECT_FALSE(hits(set, {{"Image", "C:\\x\\tool.exe"}}));
  EXPECT_FALSE(hits(set, {{"Image", "C:\\x\\other.exe"}, {"CommandLine", "tool /s"}}));
  // Any value of a multi-valued field.
  EXPECT_TRUE(hits(set, {{"Image", "C:\\tool.exe"}, {"CommandLine", "a"}, {"CommandLine", "b /s"}}));
}

TEST(SigmaShortLiterals, LongListIsScannedOnDemand) {
  // More than a few literals: the list gets a database of its own, scanned when needed, and a
  // sieve for values of up to 64 bytes; both find the same.
  RuleSet set = compile_detections(
      {kToolImage + "  cli:\n    CommandLine|contains: [' /a', ' /b', ' /c', ' /d', ' /e', ' /f']\n  condition: img and cli\n"});
  for (const std::string pad : {"", "C:\\Program Files\\Some Vendor\\Some Product\\bin\\tool.exe --flag"}) {
    for (const char* cli : {"t /A", "t /b", "x /c y", "t /D", "t /e", "t /F"})
      EXPECT_TRUE(hits(set, {{"Image", "C:\\tool.exe"}, {"CommandLine", pad + cli}})) << pad << cli;
    EXPECT_FALSE(hits(set, {{"Image", "C:\\tool.exe"}, {"CommandLine", pad + "t /g -a"}})) << pad;
    EXPECT_FALSE(hits(set, {{"Image", "C:\\other.exe"}, {"CommandLine", pad + "t /a"}})) << pad;
  }
}

TEST(SigmaShortLiterals, CasedAndNegated) {
  RuleSet cased = compile_detections({kToolImage + "  cli:\n    CommandLine|contains|cased: ' /S'\n  condition: img and cli\n"});
  EXPECT_TRUE(hits(cased, {{"Image", "C:\\tool.exe"}, {"CommandLine", "t /S"}}));
  EXPECT_FALSE(hits(cased, {{"Image", "C:\\tool.exe"}, {"CommandLine", "t /s"}}));
  RuleSet negated = compile_detections({kToolImage + "  quiet:\n    CommandLine|contains: ' /q'\n  condition: img and not quiet\n"});
  EXPECT_TRUE(hits(negated, {{"Image", "C:\\tool.exe"}, {"CommandLine", "t /x"}}));
  EXPECT_FALSE(hits(negated, {{"Image", "C:\\tool.exe"}, {"CommandLine", "t /Q"}}));
}

TEST(SigmaShortLiterals, SharedWithARuleThatTriggersOnIt) {
  // t0 has nothing else to trigger on, so ' /s' stays scanned; t1 shares it.
  RuleSet set = compile_detections({"  cli:\n    CommandLine|contains: ' /s'\n  condition: cli\n",
                                    kToolImage + "  cli:\n    CommandLine|contains: ' /s'\n  condition: img and cli\n"});
  auto scratch = set.make_scratch();
  EXPECT_EQ(matching(set, scratch, {{"Image", "C:\\tool.exe"}, {"CommandLine", "t /s"}}), (std::vector<std::string>{"t0", "t1"}));
  EXPECT_EQ(matching(set, scratch, {{"Image", "C:\\other.exe"}, {"CommandLine", "t /s"}}), (std::vector<std::string>{"t0"}));
  EXPECT_TRUE(matching(set, scratch, {{"Image", "C:\\tool.exe"}, {"CommandLine", "t /t"}}).empty());
}

TEST(SigmaShortLiterals, SearchIsRedoneForEachEvent) {
  // Two rules reach the same list in one event; the next event must not reuse its result.
  RuleSet set = compile_detections(
      {kToolImage + "  cli:\n    CommandLine|contains: [' /s', ' -q']\n  condition: img and cli\n",
       "  img:\n    Image|endswith: 'tool.exe'\n  cli:\n    CommandLine|contains: [' /s', ' -q']\n  condition: img and cli\n"});
  auto scratch = set.make_scratch();
  const Values with{{"Image", "C:\\tool.exe"}, {"CommandLine", "t -q"}}, without{{"Image", "C:\\tool.exe"}, {"CommandLine", "t"}};
  EXPECT_EQ(matching(set, scratch, with).size(), 2u);
  EXPECT_TRUE(matching(set, scratch, without).empty());
  EXPECT_EQ(matching(set, scratch, with).size(), 2u);
}

// Regexes and patterns with inner wildcards that trigger no rule are not scanned (each would run
// an automaton over every value): a rule runs them once its trigger fired and its cheaper
// conditions held. database_count() counts the scanned field databases only.
TEST(SigmaCostlyPatterns, RunWhenTheRuleNeedsThem) {
  RuleSet set = compile_detections({kToolImage + "  cli:\n    CommandLine|re: '\\s-\\s*<'\n  condition: img and cli\n",
                                    kToolImage + "  cli:\n    CommandLine|contains: 'a*bcd*e'\n  condition: img and cli\n",
                                    kToolImage + "  cli:\n    CommandLine|re: 'foo[0-9]+bar'\n  condition: img and not cli\n"});
  EXPECT_EQ(set.database_count(), 0u);  // the rules trigger on Image, matched at its end
  auto scratch = set.make_scratch();
  EXPECT_EQ(matching(set, scratch, {{"Image", "C:\\TOOL.exe"}, {"CommandLine", "t - <x"}}), (std::vector<std::string>{"t0", "t2"}));
  EXPECT_EQ(matching(set, scratch, {{"Image", "C:\\tool.exe"}, {"CommandLine", "A-BCD-E foo12bar"}}), (std::vector<std::string>{"t1"}));
  EXPECT_TRUE(matching(set, scratch, {{"Image", "C:\\other.exe"}, {"CommandLine", "t - < a-bcd-e"}}).empty());
  // Any value of a multi-valued field; the next event does not reuse the result.
  EXPECT_EQ(matching(set, scratch, {{"Image", "C:\\tool.exe"}, {"CommandLine", "x"}, {"CommandLine", "abcde foo1bar"}}),
            (std::vector<std::string>{"t1"}));
  EXPECT_EQ(matching(set, scratch, {{"Image", "C:\\tool.exe"}, {"CommandLine", "abc"}}), (std::vector<std::string>{"t2"}));
}

TEST(SigmaCostlyPatterns, ScannedWhenARuleHasNothingElseToTriggerOn) {
  RuleSet set = compile_detections({"  cli:\n    CommandLine|re: '\\s-\\s*<'\n  condition: cli\n",
                                    kToolImage + "  cli:\n    CommandLine|re: '\\s-\\s*<'\n  condition: img and cli\n"});
  EXPECT_EQ(set.database_count(), 1u);
  auto scratch = set.make_scratch();
  EXPECT_EQ(matching(set, scratch, {{"Image", "C:\\tool.exe"}, {"CommandLine", "t -  <x"}}), (std::vector<std::string>{"t0", "t1"}));
  EXPECT_EQ(matching(set, scratch, {{"Image", "C:\\other.exe"}, {"CommandLine", "t -<x"}}), (std::vector<std::string>{"t0"}));
  EXPECT_TRUE(matching(set, scratch, {{"Image", "C:\\tool.exe"}, {"CommandLine", "t -x <"}}).empty());
}

TEST(SigmaCostlyPatterns, ListMixingShortLiteralsAndRegexes) {
  RuleSet set = compile_detections({kToolImage + "  cli:\n    - CommandLine|contains: ' /s'\n    - CommandLine|re: 'x[0-9]{3}y'\n"
                                                 "  condition: img and cli\n"});
  EXPECT_EQ(set.database_count(), 0u);
  auto scratch = set.make_scratch();
  EXPECT_EQ(matching(set, scratch, {{"Image", "C:\\tool.exe"}, {"CommandLine", "t /S"}}).size(), 1u);
  EXPECT_EQ(matching(set, scratch, {{"Image", "C:\\tool.exe"}, {"CommandLine", "t x123y"}}).size(), 1u);
  EXPECT_TRUE(matching(set, scratch, {{"Image", "C:\\tool.exe"}, {"CommandLine", "t x12y /t"}}).empty());
}

TEST(SigmaFewLiterals, SearchedSievedOrScannedAlike) {
  // Up to four contains-literals on a field are searched one by one; more are scanned, except
  // that with up to 512 a value of at most 64 bytes is sieved: whichever way, a literal matches
  // anywhere in the value, in any case unless cased, and nothing else does.
  std::vector<std::string> words = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf"};
  std::vector<std::size_t> sizes = {1, 2, 3, 4, 5, 6, 7, 600};
  for (std::size_t k = words.size(); k < sizes.back(); ++k) words.push_back("w" + std::to_string(k * 7919) + "z");
  for (std::size_t n : sizes) {
    std::string list;
    for (std::size_t k = 0; k < n; ++k) list += "      - '" + words[k] + "'\n";
    const RuleSet caseless = compile_selection("    f|contains:\n" + list);
    const RuleSet cased = compile_selection("    f|contains|cased:\n" + list);
    EXPECT_EQ(caseless.database_count(), n > 4 ? 1u : 0u) << n;
    for (const std::string& pad : {std::string(), std::string(70, '-')}) {  // sieved or scanned
      for (std::size_t k = 0; k < n; k += 1 + k / 8) {
        std::string upper = words[k];
        std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return char(std::toupper(c)); });
        EXPECT_TRUE(hits(caseless, {{"f", "x " + upper + " y" + pad}})) << n << " " << words[k] << pad.size();
        EXPECT_TRUE(hits(cased, {{"f", pad + "x" + words[k]}})) << n << " " << words[k] << pad.size();
        EXPECT_FALSE(hits(cased, {{"f", "x " + upper + " y" + pad}})) << n << " " << words[k] << pad.size();
      }
      EXPECT_FALSE(hits(caseless, {{"f", pad + words[n - 1].substr(1)}})) << n << " " << pad.size();
      EXPECT_FALSE(hits(caseless, {{"g", pad + words[0]}})) << n << " " << pad.size();
    }
  }
}

TEST(SigmaFewLiterals, ValuesShorterThanEveryPatternAreNotScanned) {
  // A regex with no literal puts the field's patterns in a Vectorscan database, whose shortest
  // match is three bytes: a value of three bytes is scanned (and matches), one of two cannot match
  // and is not scanned.
  const RuleSet set = compile_detections({"  sel:\n    f|re: '[a-c][0-9]{2}'\n  other:\n    f|contains:\n"
                                          "      - 'seven'\n      - 'eight'\n      - 'nine1'\n      - 'ten22'\n"
                                          "      - 'eleven'\n  condition: sel or other\n"});
  EXPECT_EQ(set.database_count(), 1u);
  EXPECT_TRUE(hits(set, {{"f", "a12"}}));
  EXPECT_TRUE(hits(set, {{"f", "xxc77"}}));
  EXPECT_TRUE(hits(set, {{"f", "ELEVEN"}}));
  EXPECT_FALSE(hits(set, {{"f", "a1"}}));
  EXPECT_FALSE(hits(set, {{"f", ""}}));
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
  // Of a conjunction, only the rarest part gates: a match must hold `werfault.exe`, so `.exe`
  // (in nearly every command line) would only make the regex run more often.
  EXPECT_EQ(regex_required_literals(R"(\.exe\s+.*werfault\.exe)", true, false, false), std::vector<std::string>{"werfault.exe"});
  // Of a disjunction, every branch is needed.
  const auto either = regex_required_literals("(powershell|pwsh) -enc", true, false, false);
  ASSERT_FALSE(either.empty());
  for (const std::string text : {"powershell -enc", "pwsh -enc"})
    EXPECT_TRUE(std::any_of(either.begin(), either.end(), [&](const std::string& a) { return text.find(a) != std::string::npos; }))
        << text;
  // No usable literal: the regex always runs.
  EXPECT_TRUE(regex_required_literals("[a-z]+[0-9]", false, false, false).empty());
  EXPECT_TRUE(regex_required_literals("caf\xC3\xA9 latte", true, false, false).empty());
  EXPECT_TRUE(regex_required_literals("(?<=x)abc", false, false, false).empty());  // RE2 refuses it
}

}  // namespace
}  // namespace khien
