// config_example_gen [FILE]: writes ExampleToml() to FILE (or stdout). Used by the
// `config_example` build target to regenerate config/palettemaker.example.toml.
#include <cstdio>
#include <string>

#include "config/config.h"

int main(int argc, char** argv) {
  std::string text = pm::config::ExampleToml();
  std::FILE* out = argc > 1 ? std::fopen(argv[1], "wb") : stdout;
  if (out == nullptr) {
    std::perror(argv[1]);
    return 1;
  }
  bool ok = std::fwrite(text.data(), 1, text.size(), out) == text.size();
  ok = (out == stdout ? std::fflush(out) : std::fclose(out)) == 0 && ok;
  if (!ok) {
    std::fprintf(stderr, "config_example_gen: write failed\n");
    return 1;
  }
  return 0;
}
