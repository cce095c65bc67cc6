// The khien command line: serve, ingest, search, soc, simulate, demo, bench, schema, version.
#pragma once

namespace khien {

/// Runs the command line; returns the process exit code.
int run_cli(int argc, char** argv);

}  // namespace khien
