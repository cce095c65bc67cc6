// `khien vuln import FILE...`, `khien vuln show CVE` and `khien vuln scan FILE`.
#include "app/cli_vuln.h"

#include <fstream>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>

#include "app/vuln_service.h"
#include "cases/audit_log.h"
#include "cases/case_db.h"
#include "cases/system_registry.h"

namespace khien {

std::function<int()> add_vuln_commands(CLI::App& app) {
  auto* vuln = app.add_subcommand("vuln", "Import CVE, NVD, KEV and EPSS data; show a CVE's exposure");
  vuln->require_subcommand(1);
  struct Options {
    std::string data = "khien-data", systems, cve, registry, format = "auto", scanner, scan_file;
    std::vector<std::string> files;
  };
  auto o = std::make_shared<Options>();
  auto* import = vuln->add_subcommand("import", "Import NVD API 2.0, CVE JSON 5, KEV JSON or EPSS CSV files (incremental)");
  import->add_option("files", o->files, "Files (kind detected from content)")->required()->check(CLI::ExistingFile);
  import->add_option("--data", o->data, "Data directory");
  auto* show = vuln->add_subcommand("show", "A CVE with its exposure in the national inventory and its priority");
  show->add_option("cve", o->cve, "CVE id")->required();
  show->add_option("--data", o->data, "Data directory");
  show->add_option("--systems", o->systems,
                   "Systems inventory YAML (default: the server's systems in DATA/cases.db, else the shipped data/registry/systems.yaml)");
  auto* scan = vuln->add_subcommand("scan", "Import an external scan (nmap XML, nuclei JSONL, Shadowserver CSV): findings per organisation");
  scan->add_option("file", o->scan_file, "Scan result file")->required()->check(CLI::ExistingFile);
  scan->add_option("--format", o->format, "nmap, nuclei, shadowserver or auto")->check(CLI::IsMember({"auto", "nmap", "nuclei", "shadowserver"}));
  scan->add_option("--scanner", o->scanner, "Name of the scan feed whose later scans close its findings (default: the format)");
  scan->add_option("--data", o->data, "Data directory");
  scan->add_option("--registry", o->registry, "Registry directory for attribution (default: the embedded registry)");
  return [=]() -> int {
    if (!*import && !*show && !*scan) return -1;
    auto service = VulnService::open(o->data, o->systems, o->registry);
    if (!service) {
      std::cerr << "khien: " << service.error().message << "\n";
      return 1;
    }
    // The server's inventory (systems edited through the API) when the data directory has one.
    if (std::error_code ec; *show && o->systems.empty() && std::filesystem::exists(std::filesystem::path(o->data) / "cases.db", ec)) {
      auto cases = CaseDb::open(std::filesystem::path(o->data) / "cases.db");
      if (!cases) {
        std::cerr << "khien: " << cases.error().message << "\n";
        return 1;
      }
      AuditLog audit(**cases);
      (*service)->set_inventory(SystemRegistry(**cases, audit, nullptr).list());
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
    if (*scan) {
      std::ifstream in(o->scan_file, std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      auto report = (*service)->import_scan(text.str(), o->format, o->scanner);
      if (!report) {
        std::cerr << "khien: " << o->scan_file << ": " << report.error().message << "\n";
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
