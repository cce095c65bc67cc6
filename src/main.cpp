// Entry point of the khien binary: hands the command line to the CLI.
#include "app/cli.h"

int main(int argc, char** argv) { return khien::run_cli(argc, argv); }
