// Helpers for the config tests: temporary files and error-message checks.
#pragma once

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "config/config.h"

namespace pm::config::testing {

// A fresh temporary directory, removed when the object goes out of scope.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "pm-config-XXXXXX").string();
    char* made = mkdtemp(tmpl.data());
    REQUIRE(made != nullptr);
    path_ = made;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // Writes `content` to `name` inside the directory and returns its path.
  std::string Write(const std::string& name, const std::string& content) const {
    std::string p = (path_ / name).string();
    std::ofstream out(p, std::ios::binary);
    out << content;
    REQUIRE(out.good());
    return p;
  }
  std::string Path(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Loads `toml` (written to a temp file; none if empty) with `env`.
inline Result<Config> LoadToml(const std::string& toml, const Env& env = {}) {
  TempDir dir;
  return Load(toml.empty() ? "" : dir.Write("pm.toml", toml), env);
}

// The error message of a failed load; fails the test if the load succeeded or the message is
// not one line starting with "config: ".
inline std::string ErrorOf(const Result<Config>& r) {
  REQUIRE_FALSE(r.ok());
  const std::string& m = r.error().message;
  CHECK(m.rfind("config: ", 0) == 0);
  CHECK(m.find('\n') == std::string::npos);
  CHECK(r.error().code == ErrorCode::kInvalidArgument);
  return m;
}

}  // namespace pm::config::testing
