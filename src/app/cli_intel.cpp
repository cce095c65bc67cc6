// `khien intel import FILE --format stix|misp|misp-feed|csv`: through a running server's API
// (--server), or straight into a stopped server's data directory.
#include "app/cli_intel.h"

#include <unistd.h>

#include <cctype>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "api/taxii_routes.h"
#include "app/http_client.h"
#include "app/intel_service.h"
#include "app/server.h"
#include "intel/warninglist.h"

namespace khien {

namespace {

int die(const std::string& message) {
  std::cerr << "khien: " << message << "\n";
  return 1;
}

std::string url_encode(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += static_cast<char>(c);
    else out += fmt::format("%{:02X}", c);
  }
  return out;
}

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(fmt::format("{}: cannot open", path));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct ImportOptions {
  std::string file, format = "stix", source, tlp, mapping;
  std::string data = "khien-data", server, token, warninglists;
};

int print_report(const nlohmann::json& report) {
  std::cout << report.dump(2) << "\n";
  auto errors = report.find("conversion_errors");
  if (errors != report.end() && errors->is_array())
    for (const auto& e : *errors) std::cerr << "khien: " << e.get<std::string>() << "\n";
  return 0;
}

int import_via_server(const ImportOptions& o) {
  std::string token = o.token;
  if (token.empty()) {
    std::ifstream in(std::filesystem::path(o.data) / "admin.token");
    std::getline(in, token);
    if (token.empty())
      return die(fmt::format("--server: no --token given and no administrator token in {}/admin.token", o.data));
  }
  std::string target = fmt::format("/api/v1/intel/import?format={}", url_encode(o.format));
  if (!o.source.empty()) target += "&source=" + url_encode(o.source);
  if (!o.tlp.empty()) target += "&tlp=" + url_encode(o.tlp);
  if (!o.mapping.empty()) target += "&mapping=" + url_encode(o.mapping);
  std::string body;
  if (o.format == "misp-feed") {
    // The server reads the feed directory itself, so the path must be one it can see.
    target += "&path=" + url_encode(std::filesystem::absolute(o.file).string());
  } else {
    auto text = read_file(o.file);
    if (!text) return die(text.error().message);
    body = std::move(*text);
  }
  std::string base = o.server.rfind("http", 0) == 0 ? o.server : "http://" + o.server;
  auto client = HttpClient::create(base);
  if (!client) return die(client.error().message);
  std::string content_type = o.format == "csv" ? "text/csv" : "application/json";
  auto res = (*client)->request("POST", target, body, {{"Authorization", "Bearer " + token}, {"Content-Type", content_type}});
  if (!res) return die(fmt::format("{}: {}", base, res.error().message));
  auto answer = nlohmann::json::parse(res->body, nullptr, false);
  if (res->status != 200) {
    std::string why = answer.is_object() && answer.contains("error") ? answer["error"].get<std::string>() : res->body;
    return die(fmt::format("{}: import refused ({}): {}", o.file, res->status, why));
  }
  if (answer.is_discarded()) return die(fmt::format("{}: the server's answer is not JSON", base));
  return print_report(answer);
}

int import_into_data_dir(const ImportOptions& o, const IntelImportRequest& request) {
  auto lock = lock_data_dir(o.data);
  if (!lock)
    return die(lock.error().message +
               "; import through it instead: --server HOST:PORT (the token is read from the data directory)");
  struct Unlock {
    int fd;
    ~Unlock() { ::close(fd); }
  } unlock{*lock};
  auto store = StixStore::open(std::filesystem::path(o.data) / "state.db");
  if (!store) return die(store.error().message);
  if (auto st = ensure_default_taxii_layout(**store); !st) return die(st.error().message);
  std::unique_ptr<WarninglistSet> lists;
  if (!o.warninglists.empty()) {
    auto loaded = WarninglistSet::load_dir(o.warninglists);
    if (!loaded) return die(fmt::format("--warninglists: {}", loaded.error().message));
    lists = std::make_unique<WarninglistSet>(std::move(*loaded));
  }
  auto report = import_intel(**store, request, lists.get());
  if (!report) return die(fmt::format("{}: {}", o.file, report.error().message));
  return print_report(*report);
}

}  // namespace

std::function<int()> add_intel_commands(CLI::App& app) {
  CLI::App* intel = nullptr;
  try {
    intel = app.get_subcommand("intel");
  } catch (const CLI::OptionNotFound&) {
    intel = app.add_subcommand("intel", "Threat intelligence: import, TAXII polling");
    intel->require_subcommand(1);
  }
  auto o = std::make_shared<ImportOptions>();
  auto* import = intel->add_subcommand(
      "import", "Import indicators (STIX bundle, MISP event, MISP feed directory, CSV) into a server or a data directory");
  import->add_option("file", o->file, "The file (misp-feed: the feed directory)")->required()->check(CLI::ExistingPath);
  import->add_option("--format", o->format, "stix, misp, misp-feed or csv")
      ->check(CLI::IsMember({"stix", "misp", "misp-feed", "csv"}));
  import->add_option("--source", o->source, "Source name recorded with every object (default: import)");
  import->add_option("--tlp", o->tlp, "TLP for objects without a marking: clear, green, amber (default), amber+strict, red");
  import->add_option("--mapping", o->mapping, "csv: column mapping, e.g. 'value=1,type=2' or 'type=domain'");
  import->add_option("--server", o->server,
                     "A running khien (HOST:PORT or http://HOST:PORT): import through its API; its matcher reloads at once");
  import->add_option("--token", o->token, "Administrator token for --server (default: read from DATA/admin.token)");
  import->add_option("--data", o->data, "Data directory (of the stopped server, or where --server's token is)");
  import->add_option("--warninglists", o->warninglists, "Without --server: MISP warninglists directory applied while converting");
  return [=]() -> int {
    if (!*import) return -1;
    auto format = parse_intel_format(o->format);
    if (!format) return die(fmt::format("--format: '{}' is not stix, misp, misp-feed or csv", o->format));
    IntelImportRequest request;
    request.format = *format;
    request.source = o->source;
    if (!o->tlp.empty()) {
      request.tlp = parse_tlp(o->tlp);
      if (!request.tlp) return die(fmt::format("--tlp: '{}' is not clear, green, amber, amber+strict or red", o->tlp));
    }
    request.csv_mapping = o->mapping;
    if (!o->server.empty()) return import_via_server(*o);
    if (*format == IntelFormat::misp_feed) {
      request.feed_dir = o->file;
    } else {
      auto text = read_file(o->file);
      if (!text) return die(text.error().message);
      request.text = std::move(*text);
    }
    return import_into_data_dir(*o, request);
  };
}

}  // namespace khien
