// The command-line entry point: the subcommand table {name, help, run}. The only place that
// turns a Config into concrete backends (OpenStore / OpenObjectStore).
#pragma once

namespace pm::cli {

// Returns the process exit code: 0 ok, 1 runtime failure, 2 usage or configuration error.
int Run(int argc, char** argv);

}  // namespace pm::cli
