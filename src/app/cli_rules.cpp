// `khien rules check DIR...` and `khien rules test RULES EVENTS...`.
#include "app/cli_rules.h"

#include <fstream>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/sigma_detector.h"
#include "decode/decoder.h"
#include "decode/json_documents.h"
#include "detect/rules_check.h"

namespace khien {

namespace {

FieldPipeline embedded_pipeline() {
  FieldPipeline pipeline;
  for (const auto& [name, text] : embedded_pipeline_files()) (void)pipeline.load_text(text, "data/pipelines/" + name);
  return pipeline;
}

int run_check(const std::vector<std::string>& paths) {
  FieldPipeline pipeline = embedded_pipeline();
  auto report = check_rules(paths, &pipeline);
  std::cout << report.to_text();
  return report.ok() ? 0 : 1;
}

int run_test(const std::string& rules_path, const std::vector<std::string>& event_files, const std::string& format) {
  FieldPipeline pipeline = embedded_pipeline();
  auto loaded = load_rules({rules_path});
  for (const auto& e : loaded.errors) std::cerr << e.file << ":" << e.line << ": " << e.reason << "\n";
  auto set = compile_rules(std::move(loaded.rules), pipeline);
  if (!set) {
    std::cerr << "khien: " << set.error().message << "\n";
    return 1;
  }
  auto decoder = make_decoder(format);
  if (!decoder) {
    std::cerr << "khien: " << decoder.error().message << "\n";
    return 1;
  }
  // Events: NDJSON lines, or JSON documents back to back (evtx-dump output).
  Arena arena(1 << 22);
  std::vector<Event> events;
  std::vector<std::string> texts;
  for (const auto& path : event_files) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      std::cerr << "khien: " << path << ": cannot open\n";
      return 1;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    texts.push_back(ss.str());
  }
  std::size_t index = 0;
  for (const auto& text : texts) {
    for (std::string_view doc : split_json_documents(text)) {
      events.emplace_back(arena);
      if (auto st = (*decoder)->decode(doc, events.back()); !st)
        std::cerr << fmt::format("event {}: {}\n", index, st.error().message);
      ++index;
    }
  }
  auto matches = rules_test(*set, events);
  std::cout << rules_test_ndjson(*set, matches);
  return 0;
}

}  // namespace

std::function<int()> add_rules_commands(CLI::App& app) {
  auto* rules = app.add_subcommand("rules", "Check Sigma rules, or run them over events");
  rules->require_subcommand(1);
  auto paths = std::make_shared<std::vector<std::string>>();
  auto* check = rules->add_subcommand("check", "Parse and compile rules; list every failure with file, line and reason");
  check->add_option("paths", *paths, "Rule files or directories")->required();
  auto rules_path = std::make_shared<std::string>();
  auto events = std::make_shared<std::vector<std::string>>();
  auto format = std::make_shared<std::string>("auto");
  auto* test = rules->add_subcommand("test", "Match rules over events; prints {\"rule_id\",\"rule\",\"event\"} NDJSON");
  test->add_option("rules", *rules_path, "Rule file or directory")->required();
  test->add_option("events", *events, "NDJSON or evtx-dump JSON files")->required();
  test->add_option("--format", *format, "Event format (auto detects per record)");
  return [=]() -> int {
    if (*check) return run_check(*paths);
    if (*test) return run_test(*rules_path, *events, *format);
    return -1;
  };
}

}  // namespace khien
