#include "cli/cli.h"

int main(int argc, char** argv) { return pm::cli::Run(argc, argv); }
