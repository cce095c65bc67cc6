// `khien vuln import FILE...` and `khien vuln show CVE`.
#include "app/cli_vuln.h"

#include <iostream>

#include <CLI/CLI.hpp>

#include "app/vuln_service.h"

namespace khien {

std::function<int()> add_vuln_commands(CLI::App& app) {
  auto* vuln = app.add_subcommand("vuln", "Import CVE, NVD, KEV and EPSS data; show a CVE's exposure");
  vuln->require_subcommand(1);
  struct Options {
    std::string data = "khien-data", systems, cve;
    std::vector<std::string> files;
  };
  auto o = std::make_shared<Options>();
  auto* import = vuln->add_subcommand("import", "Import NVD API 2.0, CVE JSON 5, KEV JSON or EPSS CSV files (incremental)");
  import->add_option("files", o->files, "Files (kind detected from content)")->required()->check(CLI::ExistingFile);
  import->add_option("--data", o->data, "Data directory");
  auto* show = vuln->add_subcommand("show", "A CVE with its exposure in the national inventory and its priority");
  show->add_option("cve", o->cve, "CVE id")->required();
  show->add_option("--data", o->data, "Data directory");
  show->add_option("--systems", o->systems, "Systems inventory YAML (default: the shipped data/registry/systems.yaml)");
  return [=]() -> int {
    if (!*import && !*show) return -1;
    auto service = VulnService::open(o->data, o->systems);
    if (!service) {
      std::cerr << "khien: " << service.error().message << "\n";
      return 1;
    }
    if (*import) {
      std::vector<std::filesystem::path> files(o->files.begin(), o->files.end());
      auto report = (*service)->import_files(files);
      if (!report) {
        std::cerr << "khien: " << report.error().message << "\n";
        return 1;
      }
      std::cout << report->dump(2) << "\n";
      return 0;
    }
    auto cve = (*service)->show(o->cve);
    if (!cve) {
      std::cerr << "khien: " << o->cve << " is not in the imported data\n";
      return 1;
    }
    std::cout << cve->dump(2) << "\n";
    return 0;
  };
}

}  // namespace khien
