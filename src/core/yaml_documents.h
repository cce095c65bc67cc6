// YAML streams loaded without yaml-cpp 0.7's endless LoadAll; header-only, for the layers that link yaml-cpp (core does not).
#pragma once

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <sstream>
#include <string>
#include <vector>

namespace khien {

/// YAML::LoadAll, except on text where yaml-cpp 0.7's LoadAll never returns: a token its
/// document parser cannot place (a ',' where a node should start, even mid-line after a complete
/// node) makes it report an empty document without consuming the token, again and again, each
/// one kept, until memory runs out. An event-only pass over the stream first, bounded by the
/// text's size (every real document takes at least a byte), turns that into a ParserException
/// at the stalled document. Run yaml_refusal() before: the pass does not guard the scanner's own
/// loops (control bytes).
inline std::vector<YAML::Node> load_yaml_documents(const std::string& text) {
  struct Marks : YAML::EventHandler {
    YAML::Mark last;
    void OnDocumentStart(const YAML::Mark& mark) override { last = mark; }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { last = mark; }
    void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { last = mark; }
    void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t, const std::string&) override { last = mark; }
    void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
      last = mark;
    }
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
      last = mark;
    }
    void OnMapEnd() override {}
  };
  std::istringstream in(text);
  YAML::Parser parser(in);
  Marks marks;
  std::size_t documents = 0;
  while (parser.HandleNextDocument(marks))
    if (++documents > text.size() + 1)
      throw YAML::ParserException(marks.last, "the parser does not advance here (a ',' or other flow indicator where a node should start?)");
  return YAML::LoadAll(text);
}

}  // namespace khien
