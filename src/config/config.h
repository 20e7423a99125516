// Configuration: built-in defaults, then an optional TOML file, then environment overrides
// PALETTEMAKER_<SECTION>_<KEY>, then <ENV>_FILE for secrets, then the standard AWS_* variables for
// S3 keys that are still unset. Every key is declared once in the key table (config_keys.cc); the
// example TOML, `config dump` and validation come from that table.
//
// Thread safety: all functions are pure (Load reads the file it is given and, for *_FILE
// variables, the files they name); Config is a plain value type.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace pm::config {

// The member initializers below are the same defaults as the key table's; a unit test keeps them
// equal, so a default-constructed Config is what Load() returns with no file and no environment.
struct ServerConfig {
  std::string listen = "127.0.0.1:8080";  // host:port; [::1]:8080 for IPv6; port 0 = any free
  int threads = 0;                        // HTTP worker threads; 0 = automatic
  int64_t max_json_bytes = 1 << 20;       // limit for JSON request bodies
  int read_timeout_s = 30;
  int write_timeout_s = 30;
  int keep_alive_max_count = 1000;
  int keep_alive_timeout_s = 5;
  std::string cookie_secure = "auto";  // auto|always|never; auto = Secure when request is https
  int drain_grace_s = 2;     // SIGTERM/SIGINT: /readyz answers 503 while requests are still served
  int drain_timeout_s = 30;  // then in-flight requests get this long before the process exits
  std::string replica_name;  // X-Palettemaker-Replica header; empty = the host name
  std::string public_url;    // links in e-mails and the setup link; empty = http://<listen>
  int trusted_proxy_hops = 0;  // > 0: the client IP is that many hops from the right of X-Forwarded-For
  bool operator==(const ServerConfig&) const = default;
};

struct DataConfig {
  std::string dir = "./data";
  bool operator==(const DataConfig&) const = default;
};

struct DatabaseConfig {
  std::string url;  // empty = sqlite://<data.dir>/palettemaker.db
  int busy_timeout_ms = 5000;
  int pool_size = 4;  // SQLite: reader connections
  std::string migration_url;        // PostgreSQL: role with DDL rights for Migrate(); secret
  int statement_timeout_ms = 5000;  // PostgreSQL: 0 = no limit
  int connect_timeout_s = 5;        // PostgreSQL
  bool operator==(const DatabaseConfig&) const = default;
};

struct StorageConfig {
  std::string url;          // empty = file://<data.dir>/objects
  std::string s3_endpoint;  // empty or http(s)://host[:port]
  std::string s3_region;    // falls back to AWS_REGION
  bool s3_path_style = false;
  std::string s3_access_key_id;      // secret; falls back to AWS_ACCESS_KEY_ID
  std::string s3_secret_access_key;  // secret; falls back to AWS_SECRET_ACCESS_KEY
  bool operator==(const StorageConfig&) const = default;
};

struct AuthConfig {
  std::string signup = "open";  // open|invite|closed
  int session_ttl_hours = 720;  // 30 days
  int min_password_length = 8;
  int login_max_failures = 10;  // failed log-ins per e-mail per window before 429
  int login_window_s = 900;
  bool operator_mfa_required = false;  // operators need TOTP enabled for the admin API
  int login_ip_max_failures = 50;  // failed log-ins per client IP per window before 429
  int reset_ttl_minutes = 60;      // password reset links expire after this long
  bool operator==(const AuthConfig&) const = default;
};

// Outgoing e-mail (password resets). Every message also lands in the outbox table.
struct MailConfig {
  std::string smtp_url;            // smtp://host:port or smtps://host:port; empty = log + outbox only
  std::string from = "palettemaker@localhost";  // envelope and From: address
  std::string username;            // SMTP AUTH; empty = none
  std::string password;            // secret
  bool starttls = true;            // smtp://: require STARTTLS
  bool operator==(const MailConfig&) const = default;
};

struct LimitsConfig {
  int64_t upload_max_bytes = 25 * 1024 * 1024;
  int image_max_width = 20000;
  int image_max_height = 20000;
  int64_t image_max_pixels = 100'000'000;
  bool operator==(const LimitsConfig&) const = default;
};

// Uploading an image by URL (app/url_fetch.h). The server fetches it itself, so these keys bound
// what it may reach: http/https on url_ports only, never a private or internal address.
struct UploadsConfig {
  bool url_fetch = true;             // POST .../palettes with {url} is accepted at all
  bool url_allow_loopback = false;   // TESTING ONLY: admit 127.0.0.0/8 and ::1 (never private ranges)
  std::string url_ports = "80,443";  // comma-separated ports a URL may name
  int url_timeout_s = 15;            // the whole fetch, redirects included
  int url_connect_timeout_s = 5;     // each TCP/TLS connection
  bool operator==(const UploadsConfig&) const = default;
};

// A plan caps what one workspace may hold and do; 0 = unlimited. Plans are defined as
// [plans.<name>] tables (name: 1-40 of a-z 0-9 _ -); a key left out is unlimited. A file that
// defines any plan replaces the built-in ones (BuiltInPlans). Workspaces name their plan in
// tenants.plan; "" (or a plan no longer configured) means plans.default.
struct Plan {
  std::string name;
  int64_t members = 0;             // members of the workspace (pending invitations count too)
  int64_t palettes = 0;            // palettes in the workspace
  int64_t storage_bytes = 0;       // stored image bytes (an image shared by duplicates once)
  int64_t upload_bytes = 0;        // largest upload (also capped by limits.upload_max_bytes)
  int64_t image_pixels = 0;        // largest image, width x height (also limits.image_max_pixels)
  int64_t detections_per_day = 0;  // region detections per UTC day
  int64_t requests_per_minute = 0; // tenant API requests per minute (fixed windows)
  bool operator==(const Plan&) const = default;
};

// free, pro and unlimited, in that order.
std::vector<Plan> BuiltInPlans();

struct PlansConfig {
  std::string default_plan = "unlimited";  // plans.default: the plan of workspaces without one
  std::vector<Plan> plans = BuiltInPlans();  // in name order
  bool operator==(const PlansConfig&) const = default;
};

struct PaletteConfig {
  int luminance_min = 25;  // 0..255, less than luminance_max
  int luminance_max = 185;
  int sample_pixels = 65536;  // K-means works on at most this many sampled pixels
  bool operator==(const PaletteConfig&) const = default;
};

struct JobsConfig {
  int interval_s = 60;         // background janitor period (one replica at a time, by lease)
  int orphan_grace_s = 3600;   // objects without a palette row older than this are deleted
  int delete_grace_days = 30;  // a soft-deleted workspace is purged this long after deletion
  bool operator==(const JobsConfig&) const = default;
};

struct LogConfig {
  std::string level = "info";   // debug|info|warn|error
  std::string format = "json";  // json|text
  bool operator==(const LogConfig&) const = default;
};

// /metrics (docs/OPERATIONS.md "Metrics and alerts").
struct MetricsConfig {
  bool enabled = true;
  std::string allow_networks = "127.0.0.0/8,::1/128";  // CIDR list that may scrape without a token
  std::string token;                 // secret; Authorization: Bearer <token> from any network
  int tenant_cardinality_cap = 100;  // workspaces with their own tenant label; the rest are "_other"
  bool operator==(const MetricsConfig&) const = default;
};

struct Config {
  ServerConfig server;
  DataConfig data;
  DatabaseConfig database;
  StorageConfig storage;
  AuthConfig auth;
  MailConfig mail;
  LimitsConfig limits;
  UploadsConfig uploads;
  PlansConfig plans;
  PaletteConfig palette;
  JobsConfig jobs;
  LogConfig log;
  MetricsConfig metrics;

  // Derived values: database.url / storage.url with defaults filled in from data.dir
  // ("sqlite://<data.dir>/palettemaker.db", "file://<data.dir>/objects").
  std::string EffectiveDatabaseUrl() const;
  std::string EffectiveStorageUrl() const;
  // server.public_url without a trailing '/', or "http://<server.listen>" when it is empty.
  std::string PublicUrl() const;

  bool operator==(const Config&) const = default;
};

// The environment, injectable for tests.
using Env = std::map<std::string, std::string>;
Env ProcessEnv();

// The one PALETTEMAKER_* variable that is not a key: the CLI may use it to name the TOML file.
// Load() ignores it (it does not read it) instead of rejecting it as unknown.
inline constexpr std::string_view kConfigPathEnv = "PALETTEMAKER_CONFIG";

// Loads defaults -> TOML file at `toml_path` (if non-empty; a missing, unreadable or invalid file
// is an error naming the file and line) -> env PALETTEMAKER_<SECTION>_<KEY> -> <ENV>_FILE (secrets
// and database.url; setting both forms is an error) -> AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
// AWS_REGION for S3 keys still empty. Unknown TOML sections/keys and unknown PALETTEMAKER_*
// variables are errors. On failure the Error (kInvalidArgument) message is one line naming the key
// and what was wrong, and where the value came from, e.g.
//   config: server.threads: must be an integer between 0 and 1024 (got "abc") (from
//       PALETTEMAKER_SERVER_THREADS)      [one line; wrapped here]
//   config: log.level: must be one of debug, info, warn, error (got the string "loud") (from
//       /etc/palettemaker.toml:12)
// Secret values are never echoed in messages.
Result<Config> Load(const std::string& toml_path, const Env& env);

// The configured plan called `name`, or nullptr.
const Plan* FindPlan(const Config& config, std::string_view name);

// server.listen split into host (without brackets for IPv6) and port.
struct ListenAddress {
  std::string host;  // "127.0.0.1", "::1", "localhost"
  int port = 0;      // 0..65535; 0 = any free port
};
// Accepts host:port and [ipv6]:port. The error message says what is expected (no key name).
Result<ListenAddress> ParseListenAddress(std::string_view listen);

// uploads.url_ports: "80,443" -> {80, 443}. 1 to 16 distinct ports from 1 to 65535, separated by
// commas (spaces around them allowed); the error message says what is expected (no key name).
Result<std::vector<int>> ParsePortList(std::string_view ports);

// The effective configuration as TOML in table order. Secret keys show "***" when set and ""
// when unset; the password in a URL's user-info is shown as "***"; empty database.url /
// storage.url get a comment with the effective URL.
std::string Dump(const Config& config);

// The documented example file config/palettemaker.example.toml: every key, with its doc, env
// name, default and bounds in comments, set to its default. A unit test keeps the committed file
// equal to this; regenerate with `cmake --build <build> --target config_example`.
std::string ExampleToml();

}  // namespace pm::config
