// Sigma rules: every modifier and condition form, positive and negative, plus parse errors.
#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

#include "core/field_dictionary.h"
#include "detect/field_pipeline.h"
#include "detect/rule_set.h"
#include "detect/rules_check.h"
#include "detect/sigma_rule.h"

namespace khien {
namespace {

using FieldValue = std::variant<std::string, std::int64_t>;
using Fields = std::vector<std::pair<std::string, FieldValue>>;

const FieldPipeline& test_pipeline() {
  static FieldPipeline p = [] {
    FieldPipeline x;
    auto st = x.load_text("logsources:\n  - match: {product: test}\n", "test.yaml");
    EXPECT_TRUE(st) << st.error().message;
    return x;
  }();
  return p;
}

std::string rule_text(const std::string& detection) {
  return "title: t\nid: 11111111-2222-3333-4444-555555555555\nstatus: test\nlevel: high\nlogsource:\n  product: test\n"
         "detection:\n" + detection;
}

RuleSet compile(const std::string& text, const SigmaPlaceholders& ph = {}) {
  std::vector<SigmaRule> rules;
  std::vector<SigmaLoadError> errors;
  parse_sigma_text(text, "t.yml", rules, errors, ph);
  EXPECT_TRUE(errors.empty()) << (errors.empty() ? "" : errors[0].reason);
  auto set = compile_rules(std::move(rules), test_pipeline());
  EXPECT_TRUE(set) << (set ? "" : set.error().message);
  for (const auto& s : set->skipped()) ADD_FAILURE() << "skipped: " << s.reason;
  return std::move(*set);
}

bool matches(const RuleSet& set, const Fields& fields) {
  Arena arena;
  Event e(arena);
  for (const auto& [name, v] : fields) {
    if (std::holds_alternative<std::string>(v)) e.add(intern_field(name), Value::of_string(arena.copy(std::get<std::string>(v))));
    else e.add(intern_field(name), Value::of_int(std::get<std::int64_t>(v)));
  }
  auto scratch = set.make_scratch();
  bool hit = false;
  set.match(e, scratch, [&](std::size_t) { hit = true; });
  return hit;
}

// One rule, one selection: `sel` is the YAML body of `selection:` (indented 4).
bool sel_matches(const std::string& sel, const Fields& fields) {
  return matches(compile(rule_text("  selection:\n" + sel + "  condition: selection\n")), fields);
}

std::string parse_error(const std::string& text) {
  std::vector<SigmaRule> rules;
  std::vector<SigmaLoadError> errors;
  parse_sigma_text(text, "bad.yml", rules, errors);
  if (errors.empty()) return "";
  return std::to_string(errors[0].line) + ": " + errors[0].reason;
}

TEST(SigmaModifiers, EqualsIsCaseInsensitiveWholeValue) {
  const std::string s = "    Image: 'C:\\Windows\\System32\\cmd.exe'\n";
  EXPECT_TRUE(sel_matches(s, {{"Image", std::string("c:\\windows\\system32\\CMD.EXE")}}));
  EXPECT_FALSE(sel_matches(s, {{"Image", std::string("c:\\windows\\system32\\cmd.exe2")}}));
  EXPECT_FALSE(sel_matches(s, {{"Other", std::string("C:\\Windows\\System32\\cmd.exe")}}));
}

TEST(SigmaModifiers, Contains) {
  const std::string s = "    CommandLine|contains: ' -enc '\n";
  EXPECT_TRUE(sel_matches(s, {{"CommandLine", std::string("powershell -ENC abc")}}));
  EXPECT_FALSE(sel_matches(s, {{"CommandLine", std::string("powershell -e abc")}}));
}

TEST(SigmaModifiers, StartsWithAndEndsWith) {
  EXPECT_TRUE(sel_matches("    Image|startswith: 'C:\\Users\\'\n", {{"Image", std::string("c:\\users\\x.exe")}}));
  EXPECT_FALSE(sel_matches("    Image|startswith: 'C:\\Users\\'\n", {{"Image", std::string("D:\\c:\\users\\x.exe")}}));
  EXPECT_TRUE(sel_matches("    Image|endswith: '\\cmd.exe'\n", {{"Image", std::string("C:\\x\\CMD.exe")}}));
  EXPECT_FALSE(sel_matches("    Image|endswith: '\\cmd.exe'\n", {{"Image", std::string("C:\\x\\cmd.exe.bak")}}));
  // A trailing newline is not the end of the value.
  EXPECT_FALSE(sel_matches("    Image|endswith: '\\cmd.exe'\n", {{"Image", std::string("C:\\x\\cmd.exe\n")}}));
}

TEST(SigmaModifiers, ListsAreOrAndAllIsAnd) {
  const std::string any = "    CommandLine|contains:\n      - 'alpha'\n      - 'beta'\n";
  EXPECT_TRUE(sel_matches(any, {{"CommandLine", std::string("x beta")}}));
  EXPECT_FALSE(sel_matches(any, {{"CommandLine", std::string("gamma")}}));
  const std::string all = "    CommandLine|contains|all:\n      - 'alpha'\n      - 'beta'\n";
  EXPECT_TRUE(sel_matches(all, {{"CommandLine", std::string("beta x alpha")}}));
  EXPECT_FALSE(sel_matches(all, {{"CommandLine", std::string("x beta")}}));
}

TEST(SigmaModifiers, WildcardsAndEscapes) {
  // In Sigma, `\\*` is a literal backslash followed by a wildcard.
  // In Sigma, `\\*` is a literal backslash followed by a wildcard.
  EXPECT_TRUE(sel_matches("    Image: 'C:\\\\*\\\\a?c.exe'\n", {{"Image", std::string("c:\\dir\\sub\\abc.exe")}}));
  EXPECT_FALSE(sel_matches("    Image: 'C:\\\\*\\\\a?c.exe'\n", {{"Image", std::string("c:\\dir\\ac.exe")}}));
  // \* is a literal star, \\ a literal backslash.
  EXPECT_TRUE(sel_matches("    Value: 'a\\*b'\n", {{"Value", std::string("a*b")}}));
  EXPECT_FALSE(sel_matches("    Value: 'a\\*b'\n", {{"Value", std::string("axxb")}}));
  EXPECT_TRUE(sel_matches("    Value: 'a\\\\*'\n", {{"Value", std::string("a\\tail")}}));
  EXPECT_TRUE(sel_matches("    Value: 'a\\?'\n", {{"Value", std::string("a?")}}));
  EXPECT_FALSE(sel_matches("    Value: 'a\\?'\n", {{"Value", std::string("ab")}}));
  // A lone '*' means: the field is present.
  EXPECT_TRUE(sel_matches("    Value: '*'\n", {{"Value", std::string("")}}));
  EXPECT_FALSE(sel_matches("    Value: '*'\n", {{"Other", std::string("x")}}));
}

TEST(SigmaModifiers, Cased) {
  EXPECT_TRUE(sel_matches("    Value|cased: 'AbC'\n", {{"Value", std::string("AbC")}}));
  EXPECT_FALSE(sel_matches("    Value|cased: 'AbC'\n", {{"Value", std::string("abc")}}));
  EXPECT_TRUE(sel_matches("    Value|contains|cased: 'B'\n", {{"Value", std::string("aBc")}}));
  EXPECT_FALSE(sel_matches("    Value|contains|cased: 'B'\n", {{"Value", std::string("abc")}}));
}

TEST(SigmaModifiers, RegexAndFlags) {
  EXPECT_TRUE(sel_matches("    Value|re: 'ab+c'\n", {{"Value", std::string("xxabbbcx")}}));
  EXPECT_FALSE(sel_matches("    Value|re: 'ab+c'\n", {{"Value", std::string("xxABBCx")}}));  // case-sensitive
  EXPECT_TRUE(sel_matches("    Value|re|i: 'ab+c'\n", {{"Value", std::string("xxABBCx")}}));
  EXPECT_FALSE(sel_matches("    Value|re: '^b$'\n", {{"Value", std::string("a\nb\nc")}}));
  EXPECT_TRUE(sel_matches("    Value|re|m: '^b$'\n", {{"Value", std::string("a\nb\nc")}}));
  EXPECT_FALSE(sel_matches("    Value|re: 'a.c'\n", {{"Value", std::string("a\nc")}}));
  EXPECT_TRUE(sel_matches("    Value|re|s: 'a.c'\n", {{"Value", std::string("a\nc")}}));
  // Backreferences are beyond Vectorscan and RE2 alike: a parse error, reported.
  EXPECT_NE(parse_error(rule_text("  sel:\n    Value|re: '(a)\\1'\n  condition: sel\n")), "");
}

TEST(SigmaModifiers, RegexVectorscanCannotTakeFallsBackToRe2) {
  // A very large bounded repeat is refused by Vectorscan but fine for RE2.
  EXPECT_TRUE(sel_matches("    Value|re: '^x(ab|cd){2,900}y'\n", {{"Value", std::string("xababcdy")}}));
  EXPECT_FALSE(sel_matches("    Value|re: '^x(ab|cd){2,900}y'\n", {{"Value", std::string("xaby")}}));
}

TEST(SigmaModifiers, Cidr) {
  const std::string s = "    DestinationIp|cidr:\n      - '10.0.0.0/8'\n      - '2001:db8::/32'\n";
  EXPECT_TRUE(sel_matches(s, {{"DestinationIp", std::string("10.1.2.3")}}));
  EXPECT_TRUE(sel_matches(s, {{"DestinationIp", std::string("2001:db8::1")}}));
  EXPECT_FALSE(sel_matches(s, {{"DestinationIp", std::string("11.1.2.3")}}));
  EXPECT_FALSE(sel_matches(s, {{"DestinationIp", std::string("not an ip")}}));
}

TEST(SigmaModifiers, Base64AndBase64Offset) {
  // base64('whoami') = d2hvYW1p
  EXPECT_TRUE(sel_matches("    Value|base64: 'whoami'\n", {{"Value", std::string("d2hvYW1p")}}));
  EXPECT_FALSE(sel_matches("    Value|base64: 'whoami'\n", {{"Value", std::string("whoami")}}));
  // The value at offsets 0, 1 and 2 inside a longer base64 text.
  const std::string s = "    Value|base64offset|contains: 'http://'\n";
  EXPECT_TRUE(sel_matches(s, {{"Value", std::string("aHR0cDovL2V4YW1wbGU=")}}));       // "http://example"
  EXPECT_TRUE(sel_matches(s, {{"Value", std::string("IGh0dHA6Ly9leGFtcGxl")}}));       // " http://example"
  EXPECT_TRUE(sel_matches(s, {{"Value", std::string("ICBodHRwOi8vZXhhbXBsZQ==")}}));   // "  http://example"
  EXPECT_FALSE(sel_matches(s, {{"Value", std::string("ZnRwOi8vZXhhbXBsZQ==")}}));      // "ftp://example"
}

TEST(SigmaModifiers, Utf16Encodings) {
  // base64(utf16le("cmd")) = YwBtAGQA
  EXPECT_TRUE(sel_matches("    Value|wide|base64: 'cmd'\n", {{"Value", std::string("YwBtAGQA")}}));
  EXPECT_TRUE(sel_matches("    Value|utf16le|base64: 'cmd'\n", {{"Value", std::string("YwBtAGQA")}}));
  EXPECT_FALSE(sel_matches("    Value|utf16le|base64: 'cmd'\n", {{"Value", std::string("Y21k")}}));
  // utf16be: 00 63 00 6d 00 64 -> AGMAbQBk
  EXPECT_TRUE(sel_matches("    Value|utf16be|base64: 'cmd'\n", {{"Value", std::string("AGMAbQBk")}}));
  // utf16 (BOM FF FE + LE): ff fe 63 00 6d 00 64 00 -> //5jAG0AZAA=
  EXPECT_TRUE(sel_matches("    Value|utf16|base64: 'cmd'\n", {{"Value", std::string("//5jAG0AZAA=")}}));
  // wide + base64offset + contains, as SigmaHQ uses it for PowerShell -enc.
  const std::string s = "    CommandLine|wide|base64offset|contains: 'IEX'\n";
  EXPECT_TRUE(sel_matches(s, {{"CommandLine", std::string("powershell -enc SQBFAFgAIAAoAE4AZQB3AA==")}}));
  EXPECT_FALSE(sel_matches(s, {{"CommandLine", std::string("powershell -enc SQBFAA==")}}));
}

TEST(SigmaModifiers, Windash) {
  const std::string s = "    CommandLine|contains|windash: ' -exec bypass'\n";
  EXPECT_TRUE(sel_matches(s, {{"CommandLine", std::string("ps -exec bypass")}}));
  EXPECT_TRUE(sel_matches(s, {{"CommandLine", std::string("ps /exec bypass")}}));
  EXPECT_TRUE(sel_matches(s, {{"CommandLine", std::string("ps \xE2\x80\x93" "exec bypass")}}));
  EXPECT_FALSE(sel_matches(s, {{"CommandLine", std::string("ps +exec bypass")}}));
}

TEST(SigmaModifiers, Exists) {
  EXPECT_TRUE(sel_matches("    Value|exists: true\n", {{"Value", std::string("x")}}));
  EXPECT_FALSE(sel_matches("    Value|exists: true\n", {{"Other", std::string("x")}}));
  EXPECT_TRUE(sel_matches("    Value|exists: false\n", {{"Other", std::string("x")}}));
  EXPECT_FALSE(sel_matches("    Value|exists: false\n", {{"Value", std::string("x")}}));
}

TEST(SigmaModifiers, NumericComparisons) {
  EXPECT_TRUE(sel_matches("    Port|lt: 1024\n", {{"Port", std::int64_t{80}}}));
  EXPECT_FALSE(sel_matches("    Port|lt: 1024\n", {{"Port", std::int64_t{1024}}}));
  EXPECT_TRUE(sel_matches("    Port|lte: 1024\n", {{"Port", std::int64_t{1024}}}));
  EXPECT_FALSE(sel_matches("    Port|lte: 1024\n", {{"Port", std::int64_t{1025}}}));
  EXPECT_TRUE(sel_matches("    Port|gt: 1024\n", {{"Port", std::string("8080")}}));
  EXPECT_FALSE(sel_matches("    Port|gt: 1024\n", {{"Port", std::string("http")}}));
  EXPECT_TRUE(sel_matches("    Port|gte: 1024\n", {{"Port", std::int64_t{1024}}}));
  EXPECT_FALSE(sel_matches("    Port|gte: 1024\n", {{"Port", std::int64_t{1023}}}));
  EXPECT_NE(parse_error(rule_text("  sel:\n    Port|gt: many\n  condition: sel\n")), "");
}

TEST(SigmaModifiers, NumbersMatchIntegerFields) {
  EXPECT_TRUE(sel_matches("    EventID: 4688\n", {{"EventID", std::int64_t{4688}}}));
  EXPECT_TRUE(sel_matches("    EventID: 4688\n", {{"EventID", std::string("4688")}}));
  EXPECT_FALSE(sel_matches("    EventID: 4688\n", {{"EventID", std::int64_t{46880}}}));
}

TEST(SigmaModifiers, Expand) {
  SigmaPlaceholders ph{{"admins", {"alice", "bob"}}};
  const std::string r = rule_text("  sel:\n    User|expand: '%admins%'\n  condition: sel\n");
  EXPECT_TRUE(matches(compile(r, ph), {{"User", std::string("BOB")}}));
  EXPECT_FALSE(matches(compile(r, ph), {{"User", std::string("carol")}}));
  const std::string r2 = rule_text("  sel:\n    Path|contains|expand: '\\%admins%\\'\n  condition: sel\n");
  EXPECT_TRUE(matches(compile(r2, ph), {{"Path", std::string("C:\\alice\\x")}}));
  // Without configured values the rule loads but is listed as not runnable.
  std::vector<SigmaRule> rules;
  std::vector<SigmaLoadError> errors;
  parse_sigma_text(r, "t.yml", rules, errors);
  ASSERT_TRUE(errors.empty());
  auto set = compile_rules(std::move(rules), test_pipeline());
  ASSERT_TRUE(set);
  ASSERT_EQ(set->skipped().size(), 1u);
  EXPECT_NE(set->skipped()[0].reason.find("admins"), std::string::npos);
}

TEST(SigmaModifiers, FieldRef) {
  const std::string s = "    SourceUser|fieldref: TargetUser\n";
  EXPECT_TRUE(sel_matches(s, {{"SourceUser", std::string("Alice")}, {"TargetUser", std::string("alice")}}));
  EXPECT_FALSE(sel_matches(s, {{"SourceUser", std::string("alice")}, {"TargetUser", std::string("bob")}}));
  const std::string c = "    CommandLine|fieldref|contains: User\n";
  EXPECT_TRUE(sel_matches(c, {{"CommandLine", std::string("run as alice now")}, {"User", std::string("alice")}}));
  EXPECT_FALSE(sel_matches(c, {{"CommandLine", std::string("run as bob")}, {"User", std::string("alice")}}));
}

TEST(SigmaValues, NullAndEmpty) {
  EXPECT_TRUE(sel_matches("    Value: null\n", {{"Other", std::string("x")}}));
  EXPECT_TRUE(sel_matches("    Value: null\n", {{"Value", std::string("")}}));
  EXPECT_FALSE(sel_matches("    Value: null\n", {{"Value", std::string("x")}}));
  EXPECT_TRUE(sel_matches("    Value: ''\n", {{"Value", std::string("")}}));
  EXPECT_FALSE(sel_matches("    Value: ''\n", {{"Value", std::string("x")}}));
  EXPECT_FALSE(sel_matches("    Value: ''\n", {{"Other", std::string("")}}));
}

TEST(SigmaValues, KeywordsSearchEveryField) {
  const std::string r = rule_text("  keywords:\n    - 'mimikatz'\n    - 'sekurlsa'\n  condition: keywords\n");
  EXPECT_TRUE(matches(compile(r), {{"message", std::string("running MIMIKATZ.exe")}}));
  EXPECT_TRUE(matches(compile(r), {{"a", std::string("x")}, {"b", std::string("sekurlsa::logonpasswords")}}));
  EXPECT_FALSE(matches(compile(r), {{"message", std::string("benign")}}));
}

TEST(SigmaValues, ListOfMapsIsOr) {
  const std::string s = "    - Image|endswith: '\\a.exe'\n      User: x\n    - Image|endswith: '\\b.exe'\n";
  EXPECT_TRUE(sel_matches(s, {{"Image", std::string("c:\\a.exe")}, {"User", std::string("X")}}));
  EXPECT_FALSE(sel_matches(s, {{"Image", std::string("c:\\a.exe")}, {"User", std::string("y")}}));
  EXPECT_TRUE(sel_matches(s, {{"Image", std::string("c:\\b.exe")}}));
}

TEST(SigmaValues, MultiValuedFieldsMatchAnyValue) {
  EXPECT_TRUE(sel_matches("    Tag: b\n", {{"Tag", std::string("a")}, {"Tag", std::string("b")}}));
}

// Conditions over three selections a, b, c (fields A, B, C equal to "1").
bool cond(const std::string& condition, bool a, bool b, bool c, const std::string& extra = "") {
  const std::string r = rule_text("  sel_a:\n    A: '1'\n  sel_b:\n    B: '1'\n  filter_c:\n    C: '1'\n" + extra +
                                  "  condition: " + condition + "\n");
  Fields f{{"Z", std::string("0")}};
  if (a) f.push_back({"A", std::string("1")});
  if (b) f.push_back({"B", std::string("1")});
  if (c) f.push_back({"C", std::string("1")});
  return matches(compile(r), f);
}

TEST(SigmaCondition, AndOrNot) {
  EXPECT_TRUE(cond("sel_a and sel_b", true, true, false));
  EXPECT_FALSE(cond("sel_a and sel_b", true, false, false));
  EXPECT_TRUE(cond("sel_a or sel_b", false, true, false));
  EXPECT_FALSE(cond("sel_a or sel_b", false, false, true));
  EXPECT_TRUE(cond("sel_a and not filter_c", true, false, false));
  EXPECT_FALSE(cond("sel_a and not filter_c", true, false, true));
  EXPECT_TRUE(cond("not filter_c", false, false, false));
  EXPECT_FALSE(cond("not filter_c", false, false, true));
}

TEST(SigmaCondition, PrecedenceAndParentheses) {
  // and binds tighter than or
  EXPECT_TRUE(cond("sel_a or sel_b and filter_c", true, false, false));
  EXPECT_FALSE(cond("(sel_a or sel_b) and filter_c", true, false, false));
  EXPECT_TRUE(cond("(sel_a or sel_b) and filter_c", true, false, true));
  EXPECT_TRUE(cond("not (sel_a and sel_b)", true, false, false));
  EXPECT_FALSE(cond("not (sel_a and sel_b)", true, true, false));
  EXPECT_TRUE(cond("sel_a AND NOT filter_c", true, false, false));
}

TEST(SigmaCondition, Quantifiers) {
  EXPECT_TRUE(cond("1 of sel_*", false, true, false));
  EXPECT_FALSE(cond("1 of sel_*", false, false, true));
  EXPECT_TRUE(cond("all of sel_*", true, true, false));
  EXPECT_FALSE(cond("all of sel_*", true, false, true));
  EXPECT_TRUE(cond("1 of them", false, false, true));
  EXPECT_FALSE(cond("1 of them", false, false, false));
  EXPECT_TRUE(cond("all of them", true, true, true));
  EXPECT_FALSE(cond("all of them", true, true, false));
  EXPECT_TRUE(cond("2 of them", true, false, true));
  EXPECT_FALSE(cond("2 of them", true, false, false));
  EXPECT_TRUE(cond("1 of sel_* and not 1 of filter_*", true, false, false));
  EXPECT_FALSE(cond("1 of sel_* and not 1 of filter_*", true, false, true));
  // `them` leaves out identifiers starting with '_'.
  EXPECT_TRUE(cond("all of them", true, true, true, "  _unused:\n    U: '1'\n"));
}

TEST(SigmaCondition, ConditionListIsOr) {
  EXPECT_TRUE(cond("\n    - sel_a\n    - sel_b", false, true, false));
  EXPECT_FALSE(cond("\n    - sel_a\n    - sel_b", false, false, true));
}

TEST(SigmaCondition, Errors) {
  std::vector<std::string> names{"a", "b"};
  EXPECT_FALSE(parse_condition("a and", names));
  EXPECT_FALSE(parse_condition("a and c", names));
  EXPECT_FALSE(parse_condition("(a or b", names));
  EXPECT_FALSE(parse_condition("a or b)", names));
  EXPECT_FALSE(parse_condition("1 of x*", names));
  EXPECT_FALSE(parse_condition("a | count() > 5", names));
  EXPECT_FALSE(parse_condition("0 of them", names));
  std::string deep(200, '(');
  deep += "a";
  deep += std::string(200, ')');
  auto r = parse_condition(deep, names);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("deeper"), std::string::npos);
  std::string nots;
  for (int i = 0; i < 100; ++i) nots += "not ";
  EXPECT_FALSE(parse_condition(nots + "a", names));
  EXPECT_TRUE(parse_condition("not not a", names));
}

TEST(SigmaParse, ErrorsNameLineAndReason) {
  EXPECT_EQ(parse_error(rule_text("  sel:\n    A|bogus: x\n  condition: sel\n")), "9: unknown modifier 'bogus'");
  EXPECT_NE(parse_error(rule_text("  sel:\n    A: x\n  condition: missing\n")).find("unknown search identifier 'missing'"),
            std::string::npos);
  EXPECT_NE(parse_error(rule_text("  sel:\n    A: x\n")).find("missing 'condition'"), std::string::npos);
  EXPECT_NE(parse_error("title: x\n  bad: [\n").find("invalid YAML"), std::string::npos);
  EXPECT_NE(parse_error(rule_text("  sel:\n    A|cidr: 10.0.0.0/99\n  condition: sel\n")).find("cidr"), std::string::npos);
  EXPECT_NE(parse_error(rule_text("  sel:\n    A|i: x\n  condition: sel\n")).find("only valid after 're'"), std::string::npos);
  EXPECT_NE(parse_error("title: x\nlogsource: {product: test}\n").find("detection"), std::string::npos);
}

TEST(SigmaParse, LeadingCommaIsRefusedBeforeYamlCpp) {
  // yaml-cpp 0.7 never returns on these (found by fuzzing).
  EXPECT_EQ(parse_error(",)"), "1: invalid YAML: ',' cannot start a line outside a flow collection");
  EXPECT_EQ(parse_error("title: x\n---\n# c\n  , x"), "4: invalid YAML: ',' cannot start a line outside a flow collection");
  EXPECT_EQ(parse_error("--- ,"), "1: invalid YAML: ',' cannot start a line outside a flow collection");
  EXPECT_EQ(parse_error("k:\n  - x\n, y\n"), "3: invalid YAML: ',' cannot start a line outside a flow collection");
  EXPECT_EQ(leading_comma_line("# c\n!tag ,x\n"), 2);
  EXPECT_EQ(leading_comma_line("&anchor,"), 1);
  EXPECT_FALSE(leading_comma_line("a: [1, 2]\n---\nb: ','\n"));
  EXPECT_FALSE(leading_comma_line("a: [x\n, y]\nd: |\n  , text\ne: 'it''s\n  , x'\n"));
}

TEST(SigmaParse, StalledYamlDocumentIsAnErrorNotALoop) {
  // Mid-line, after complete nodes, a ',' where a node should start: the line check above does not
  // see it, and yaml-cpp 0.7's LoadAll kept adding empty documents until memory ran out (fuzzing).
  const std::string stalled = "\t\"\"\"\"&\"\"\"\"#\"\"\xff\xff,\xff\"\"'";
  EXPECT_EQ(parse_error(stalled).rfind("1: invalid YAML: the parser does not advance here", 0), 0u) << parse_error(stalled);
  EXPECT_EQ(parse_error("title: x\n").rfind("1: ", 0), 0u);  // a normal error still comes through
}

TEST(SigmaParse, BadDocumentDoesNotStopOthers) {
  const std::string good = rule_text("  sel:\n    A: x\n  condition: sel\n");
  const std::string bad = rule_text("  sel:\n    A|nope: x\n  condition: sel\n");
  std::vector<SigmaRule> rules;
  std::vector<SigmaLoadError> errors;
  parse_sigma_text(good + "---\n" + bad + "---\n" + good, "multi.yml", rules, errors);
  EXPECT_EQ(rules.size(), 2u);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].file, "multi.yml");
  EXPECT_GT(errors[0].line, 10);
}

TEST(SigmaParse, Metadata) {
  const std::string text =
      "title: Meta\nid: 5f1d2c3b-0000-4000-8000-000000000001\nname: meta_rule\nstatus: experimental\nlevel: critical\n"
      "related:\n  - id: 5f1d2c3b-0000-4000-8000-000000000002\n    type: derived\n"
      "tags:\n  - attack.execution\n  - attack.t1059\nfields:\n  - CommandLine\nfalsepositives:\n  - Admins\n"
      "logsource:\n  product: Windows\n  category: process_creation\n"
      "detection:\n  sel:\n    CommandLine|contains|all: [a, b]\n  condition: sel\n";
  std::vector<SigmaRule> rules;
  std::vector<SigmaLoadError> errors;
  parse_sigma_text(text, "m.yml", rules, errors);
  ASSERT_EQ(rules.size(), 1u);
  const SigmaRule& r = rules[0];
  EXPECT_EQ(r.title, "Meta");
  EXPECT_EQ(r.name, "meta_rule");
  EXPECT_EQ(r.level, "critical");
  EXPECT_EQ(r.status, "experimental");
  ASSERT_EQ(r.related.size(), 1u);
  EXPECT_EQ(r.related[0].second, "derived");
  EXPECT_EQ(r.tags.size(), 2u);
  EXPECT_EQ(r.fields.size(), 1u);
  EXPECT_EQ(r.falsepositives.size(), 1u);
  EXPECT_EQ(r.logsource.product, "windows");
  EXPECT_EQ(r.logsource.category, "process_creation");
  EXPECT_EQ(r.modifiers.count("contains|all"), 1u);
}

TEST(SigmaFilter, ExcludesMatchesOfNamedRules) {
  const std::string text = rule_text("  sel:\n    Image|endswith: '\\rar.exe'\n  condition: sel\n") +
                           "---\ntitle: Filter admins\nlogsource:\n  product: test\nfilter:\n  rules:\n"
                           "    - 11111111-2222-3333-4444-555555555555\n  selection:\n    User|startswith: 'adm_'\n"
                           "  condition: selection\n";
  RuleSet set = compile(text);
  ASSERT_EQ(set.size(), 1u);
  EXPECT_TRUE(matches(set, {{"Image", std::string("c:\\rar.exe")}, {"User", std::string("bob")}}));
  EXPECT_FALSE(matches(set, {{"Image", std::string("c:\\rar.exe")}, {"User", std::string("adm_bob")}}));
}

TEST(SigmaRuleSet, SharedPatternsAcrossRulesReportEachRule) {
  std::string text;
  for (int i = 0; i < 3; ++i) {
    if (i) text += "---\n";
    text += "title: r" + std::to_string(i) + "\nid: r" + std::to_string(i) +
            "\nlogsource: {product: test}\ndetection:\n  sel:\n    Image|endswith: '\\x.exe'\n";
    if (i == 1) text += "  f:\n    User: root\n  condition: sel and not f\n";
    else text += "  condition: sel\n";
  }
  RuleSet set = compile(text);
  ASSERT_EQ(set.size(), 3u);
  Arena arena;
  Event e(arena);
  e.add(intern_field("Image"), Value::of_string("c:\\x.exe"));
  e.add(intern_field("User"), Value::of_string("root"));
  auto scratch = set.make_scratch();
  std::vector<std::size_t> hits;
  set.match(e, scratch, [&](std::size_t r) { hits.push_back(r); });
  std::sort(hits.begin(), hits.end());
  EXPECT_EQ(hits, (std::vector<std::size_t>{0, 2}));
}

TEST(SigmaRuleSet, UnmappedLogsourceIsListedNotLost) {
  std::vector<SigmaRule> rules;
  std::vector<SigmaLoadError> errors;
  parse_sigma_text("title: x\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  s:\n    a: b\n  condition: s\n",
                   "aws.yml", rules, errors);
  auto set = compile_rules(std::move(rules), test_pipeline());
  ASSERT_TRUE(set);
  EXPECT_EQ(set->size(), 0u);
  ASSERT_EQ(set->skipped().size(), 1u);
  EXPECT_NE(set->skipped()[0].reason.find("product=aws"), std::string::npos);
}

TEST(SigmaRuleSet, LogsourceConditionsOnIntegersAndText) {
  // Two logsources share `kind` and differ by `code`, so events are filed by `code`: an integer
  // value is looked up and compared as a number, a text value as text, and both agree with Sigma's
  // reading of the value as text ('007' is not 7; -5 is).
  FieldPipeline pipeline;
  ASSERT_TRUE(pipeline.load_text("logsources:\n"
                                 "  - match: {product: test, category: a}\n"
                                 "    conditions: {kind: Alpha, code: [1, 4688, '007', -5]}\n"
                                 "  - match: {product: test, category: b}\n"
                                 "    conditions: {kind: Alpha, code: [2]}\n",
                                 "test.yaml"));
  std::vector<SigmaRule> rules;
  std::vector<SigmaLoadError> errors;
  parse_sigma_text("title: a\nid: a\nlogsource: {product: test, category: a}\ndetection:\n  s:\n    x: y\n  condition: s\n"
                   "---\ntitle: b\nid: b\nlogsource: {product: test, category: b}\ndetection:\n  s:\n    x: y\n  condition: s\n",
                   "t.yml", rules, errors);
  ASSERT_TRUE(errors.empty());
  auto set = compile_rules(std::move(rules), pipeline);
  ASSERT_TRUE(set);
  ASSERT_EQ(set->size(), 2u);
  auto ids = [&](const FieldValue& code, const std::string& kind) {
    Arena arena;
    Event e(arena);
    e.add(intern_field("x"), Value::of_string("y"));
    e.add(intern_field("kind"), Value::of_string(arena.copy(kind)));
    if (std::holds_alternative<std::string>(code)) e.add(intern_field("code"), Value::of_string(arena.copy(std::get<std::string>(code))));
    else e.add(intern_field("code"), Value::of_int(std::get<std::int64_t>(code)));
    auto scratch = set->make_scratch();
    std::string out;
    set->match(e, scratch, [&](std::size_t r) { out += set->rule(r).id; });
    return out;
  };
  EXPECT_EQ(ids(std::int64_t{1}, "alpha"), "a");
  EXPECT_EQ(ids(std::int64_t{4688}, "ALPHA"), "a");
  EXPECT_EQ(ids(std::int64_t{-5}, "Alpha"), "a");
  EXPECT_EQ(ids(std::int64_t{2}, "alpha"), "b");
  EXPECT_EQ(ids(std::string("4688"), "alpha"), "a");
  EXPECT_EQ(ids(std::string("2"), "alpha"), "b");
  EXPECT_EQ(ids(std::string("007"), "alpha"), "a");
  EXPECT_EQ(ids(std::int64_t{7}, "alpha"), "");
  EXPECT_EQ(ids(std::int64_t{3}, "alpha"), "");
  EXPECT_EQ(ids(std::int64_t{1}, "beta"), "");
  EXPECT_EQ(ids(std::string("01"), "alpha"), "");
}

TEST(SigmaRulesTest, NdjsonLines) {
  RuleSet set = compile(rule_text("  sel:\n    A: x\n  condition: sel\n"));
  Arena arena;
  std::vector<Event> events;
  for (const char* v : {"y", "x", "X"}) {
    Event e(arena);
    e.add(intern_field("A"), Value::of_string(v));
    events.push_back(e);
  }
  auto m = rules_test(set, events);
  EXPECT_EQ(rules_test_ndjson(set, m),
            "{\"rule_id\":\"11111111-2222-3333-4444-555555555555\",\"rule\":\"t\",\"event\":1}\n"
            "{\"rule_id\":\"11111111-2222-3333-4444-555555555555\",\"rule\":\"t\",\"event\":2}\n");
}

}  // namespace
}  // namespace khien
