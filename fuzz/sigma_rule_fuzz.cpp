// Fuzz target: Sigma rule YAML parsing, the condition grammar, compilation and one match.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/field_dictionary.h"
#include "detect/field_pipeline.h"
#include "detect/rule_set.h"
#include "detect/sigma_condition.h"
#include "detect/sigma_rule.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace khien;
  if (size > 8192) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // The condition grammar on its own, over a fixed set of identifiers.
  static const std::vector<std::string> names{"selection", "sel_a", "sel_b", "filter", "_x"};
  (void)parse_condition(text, names);

  static FieldPipeline pipeline = [] {
    FieldPipeline p;
    (void)p.load_text("logsources:\n  - match: {product: test}\n  - match: {product: windows}\n", "fuzz.yaml");
    return p;
  }();
  std::vector<SigmaRule> rules;
  std::vector<SigmaLoadError> errors;
  parse_sigma_text(text, "fuzz.yml", rules, errors, {{"p", {"a", "b"}}});
  if (rules.empty()) return 0;
  auto set = compile_rules(std::move(rules), pipeline);
  if (!set) return 0;
  Arena arena;
  Event event(arena);
  event.add(intern_field("CommandLine"), Value::of_string("cmd.exe /c whoami"));
  event.add(intern_field("EventID"), Value::of_int(1));
  auto scratch = set->make_scratch();
  std::size_t hits = 0;
  set->match(event, scratch, [&](std::size_t) { ++hits; });
  return 0;
}
