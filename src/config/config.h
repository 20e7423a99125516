// Configuration: built-in defaults, then an optional TOML file, then environment overrides
// PALETTEMAKER_<SECTION>_<KEY>, then *_FILE for secrets. Every key is declared once in the key
// table (config_keys.cc); the example TOML, `config dump` and validation come from that table.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/result.h"

namespace pm::config {

struct ServerConfig {
  std::string listen = "127.0.0.1:8080";  // host:port; [::1]:8080 for IPv6; port 0 = any free
  int threads = 0;                        // HTTP worker threads; 0 = automatic
  int64_t max_json_bytes = 1 << 20;       // limit for JSON request bodies
  int read_timeout_s = 30;
  int write_timeout_s = 30;
  int keep_alive_max_count = 1000;
  int keep_alive_timeout_s = 5;
  std::string cookie_secure = "auto";     // auto|always|never; auto = Secure when request is https
};

struct DataConfig {
  std::string dir = "./data";
};

struct DatabaseConfig {
  std::string url;           // empty = sqlite://<data.dir>/palettemaker.db
  int busy_timeout_ms = 5000;
  int pool_size = 4;         // SQLite: reader connections
};

struct StorageConfig {
  std::string url;           // empty = file://<data.dir>/objects
  std::string s3_endpoint;
  std::string s3_region;
  bool s3_path_style = false;
  std::string s3_access_key_id;
  std::string s3_secret_access_key;  // secret
};

struct AuthConfig {
  std::string signup = "open";     // open|closed
  int session_ttl_hours = 720;     // 30 days
  int min_password_length = 8;
};

struct LimitsConfig {
  int64_t upload_max_bytes = 25 * 1024 * 1024;
  int image_max_width = 20000;
  int image_max_height = 20000;
  int64_t image_max_pixels = 100'000'000;
};

struct PaletteConfig {
  int luminance_min = 25;
  int luminance_max = 185;
  int sample_pixels = 65536;  // K-means works on at most this many sampled pixels
};

struct LogConfig {
  std::string level = "info";   // debug|info|warn|error
  std::string format = "json";  // json|text
};

struct Config {
  ServerConfig server;
  DataConfig data;
  DatabaseConfig database;
  StorageConfig storage;
  AuthConfig auth;
  LimitsConfig limits;
  PaletteConfig palette;
  LogConfig log;

  // Derived values (after Load): database.url / storage.url with defaults filled in from data.dir.
  std::string EffectiveDatabaseUrl() const;
  std::string EffectiveStorageUrl() const;
};

// The environment, injectable for tests.
using Env = std::map<std::string, std::string>;
Env ProcessEnv();

// Loads defaults -> TOML file at `toml_path` (if non-empty; a missing file is an error) -> env.
// On failure the Error message is one line naming the key and what was wrong, e.g.
// "config: server.threads: must be between 0 and 1024 (got 5000)".
Result<Config> Load(const std::string& toml_path, const Env& env);

// The effective configuration as TOML, secrets masked ("***" when set).
std::string Dump(const Config& config);

// The documented example file: every key, its default, its env name and a comment.
std::string ExampleToml();

}  // namespace pm::config
