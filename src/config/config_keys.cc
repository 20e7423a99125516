// The one table of configuration keys (STYLE.md "Lists are tables"; Redis's static_configs[]).
// To add a key: add the field to config.h (same default), add a row here, regenerate
// config/palettemaker.example.toml (`cmake --build <build> --target config_example`).
#include "config/config_keys.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "common/cidr.h"

namespace pm::config {
namespace {

constexpr int64_t kKiB = 1024;
constexpr int64_t kMiB = 1024 * kKiB;
constexpr int64_t kGiB = 1024 * kMiB;

using KT = KeyType;
using S = Sensitivity;

#define PM_FIELD(path) [](Config& c) -> FieldPtr { return &c.path; }

// Columns: name, type, default, min, max, allowed, sensitivity, fallback env, doc, field, check.
const KeySpec kKeys[] = {
    {"server.listen", KT::kString, "127.0.0.1:8080", 0, 0, nullptr, S::kPlain, nullptr,
     "Address to listen on: host:port or [IPv6]:port; port 0 picks any free port.",
     PM_FIELD(server.listen), CheckListen},
    {"server.threads", KT::kInt, "0", 0, 1024, nullptr, S::kPlain, nullptr,
     "HTTP worker threads; 0 = automatic.", PM_FIELD(server.threads), nullptr},
    {"server.max_json_bytes", KT::kInt64, "1048576", 1 * kKiB, 64 * kMiB, nullptr, S::kPlain,
     nullptr, "Largest accepted JSON request body, in bytes.", PM_FIELD(server.max_json_bytes),
     nullptr},
    {"server.read_timeout_s", KT::kInt, "30", 1, 3600, nullptr, S::kPlain, nullptr,
     "Seconds allowed for reading a request.", PM_FIELD(server.read_timeout_s), nullptr},
    {"server.write_timeout_s", KT::kInt, "30", 1, 3600, nullptr, S::kPlain, nullptr,
     "Seconds allowed for writing a response.", PM_FIELD(server.write_timeout_s), nullptr},
    {"server.keep_alive_max_count", KT::kInt, "1000", 1, 1000000, nullptr, S::kPlain, nullptr,
     "Requests served on one keep-alive connection before it is closed.",
     PM_FIELD(server.keep_alive_max_count), nullptr},
    {"server.keep_alive_timeout_s", KT::kInt, "5", 1, 3600, nullptr, S::kPlain, nullptr,
     "Seconds an idle keep-alive connection is kept open.", PM_FIELD(server.keep_alive_timeout_s),
     nullptr},
    {"server.cookie_secure", KT::kEnum, "auto", 0, 0, "auto|always|never", S::kPlain, nullptr,
     "Secure flag on cookies: auto = when the request came over https.",
     PM_FIELD(server.cookie_secure), nullptr},
    {"server.drain_grace_s", KT::kInt, "2", 0, 3600, nullptr, S::kPlain, nullptr,
     "On SIGTERM/SIGINT: seconds /readyz answers 503 while requests are still served (lets a load "
     "balancer stop sending new ones); a second signal skips the rest.",
     PM_FIELD(server.drain_grace_s), nullptr},
    {"server.drain_timeout_s", KT::kInt, "30", 1, 3600, nullptr, S::kPlain, nullptr,
     "After the grace period: seconds in-flight requests may take to finish before the process exits.",
     PM_FIELD(server.drain_timeout_s), nullptr},
    {"server.replica_name", KT::kString, "", 0, 0, nullptr, S::kPlain, nullptr,
     "Name sent in the X-Palettemaker-Replica response header; empty = the host name.",
     PM_FIELD(server.replica_name), nullptr},
    {"server.public_url", KT::kString, "", 0, 0, nullptr, S::kPlain, nullptr,
     "The URL people reach this service at (https://palettes.example.com), for links in e-mails "
     "and the operator setup link; empty = http://<server.listen>.",
     PM_FIELD(server.public_url), CheckHttpUrl},
    {"server.trusted_proxy_hops", KT::kInt, "0", 0, 10, nullptr, S::kPlain, nullptr,
     "Reverse proxies in front of the server that append to X-Forwarded-For; > 0 takes the client "
     "IP (audit log, per-IP log-in throttling) that many entries from the right of that header. "
     "0 = the peer address; never set it higher than the proxies you run, or clients can forge it.",
     PM_FIELD(server.trusted_proxy_hops), nullptr},

    {"data.dir", KT::kString, "./data", 0, 0, nullptr, S::kPlain, nullptr,
     "Data directory; the default database and object store live under it.", PM_FIELD(data.dir),
     CheckNotEmpty},

    {"database.url", KT::kString, "", 0, 0, nullptr, S::kUrlCredentials, nullptr,
     "sqlite:///path/palettemaker.db or postgres://user:pass@host:5432/db; empty = "
     "sqlite://<data.dir>/palettemaker.db.",
     PM_FIELD(database.url), CheckDatabaseUrl},
    {"database.busy_timeout_ms", KT::kInt, "5000", 0, 600000, nullptr, S::kPlain, nullptr,
     "SQLite: milliseconds to wait for a locked database.", PM_FIELD(database.busy_timeout_ms),
     nullptr},
    {"database.pool_size", KT::kInt, "4", 1, 64, nullptr, S::kPlain, nullptr,
     "Database connections in the pool (SQLite: reader connections).", PM_FIELD(database.pool_size),
     nullptr},
    {"database.migration_url", KT::kString, "", 0, 0, nullptr, S::kUrlCredentials, nullptr,
     "PostgreSQL: optional postgres:// URL of a role with DDL rights, used only to apply "
     "migrations; empty = database.url.",
     PM_FIELD(database.migration_url), [](std::string_view v) -> std::string {
       if (v.empty() || v.substr(0, 11) == "postgres://" || v.substr(0, 13) == "postgresql://") {
         return {};
       }
       return "must be empty or start with postgres:// or postgresql://";
     }},
    {"database.statement_timeout_ms", KT::kInt, "5000", 0, 600000, nullptr, S::kPlain, nullptr,
     "PostgreSQL: longest a statement may run, in milliseconds (0 = no limit); then 503.",
     PM_FIELD(database.statement_timeout_ms), nullptr},
    {"database.connect_timeout_s", KT::kInt, "5", 1, 300, nullptr, S::kPlain, nullptr,
     "PostgreSQL: seconds to wait for a connection to be established.",
     PM_FIELD(database.connect_timeout_s), nullptr},

    {"storage.url", KT::kString, "", 0, 0, nullptr, S::kPlain, nullptr,
     "file:///path/objects or s3://bucket/prefix; empty = file://<data.dir>/objects.",
     PM_FIELD(storage.url), CheckStorageUrl},
    {"storage.s3_endpoint", KT::kString, "", 0, 0, nullptr, S::kPlain, nullptr,
     "S3: endpoint URL, e.g. http://127.0.0.1:9000; empty = AWS for s3_region.",
     PM_FIELD(storage.s3_endpoint), CheckHttpUrl},
    {"storage.s3_region", KT::kString, "", 0, 0, nullptr, S::kPlain, "AWS_REGION",
     "S3: region used for signing, e.g. us-east-1.", PM_FIELD(storage.s3_region), nullptr},
    {"storage.s3_path_style", KT::kBool, "false", 0, 0, nullptr, S::kPlain, nullptr,
     "S3: path-style URLs (endpoint/bucket/key) instead of bucket.endpoint/key.",
     PM_FIELD(storage.s3_path_style), nullptr},
    {"storage.s3_access_key_id", KT::kString, "", 0, 0, nullptr, S::kSecret, "AWS_ACCESS_KEY_ID",
     "S3: access key id.", PM_FIELD(storage.s3_access_key_id), nullptr},
    {"storage.s3_secret_access_key", KT::kString, "", 0, 0, nullptr, S::kSecret,
     "AWS_SECRET_ACCESS_KEY", "S3: secret access key.", PM_FIELD(storage.s3_secret_access_key),
     nullptr},

    {"auth.signup", KT::kEnum, "open", 0, 0, "open|invite|closed", S::kPlain, nullptr,
     "Who may sign up: open = anyone; invite = only with a pending invitation for that e-mail "
     "address; closed = nobody through the API (accounts are created by an operator).",
     PM_FIELD(auth.signup), nullptr},
    {"auth.session_ttl_hours", KT::kInt, "720", 1, 87600, nullptr, S::kPlain, nullptr,
     "Hours a login session lasts.", PM_FIELD(auth.session_ttl_hours), nullptr},
    {"auth.min_password_length", KT::kInt, "8", 8, 1024, nullptr, S::kPlain, nullptr,
     "Shortest accepted password, in characters.", PM_FIELD(auth.min_password_length), nullptr},
    {"auth.login_max_failures", KT::kInt, "10", 1, 100000, nullptr, S::kPlain, nullptr,
     "Failed log-ins per e-mail address per window; past it log-in answers 429 (counted in the "
     "database, so across replicas).",
     PM_FIELD(auth.login_max_failures), nullptr},
    {"auth.login_window_s", KT::kInt, "900", 1, 86400, nullptr, S::kPlain, nullptr,
     "Length of the log-in throttling window, in seconds.", PM_FIELD(auth.login_window_s), nullptr},
    {"auth.operator_mfa_required", KT::kBool, "false", 0, 0, nullptr, S::kPlain, nullptr,
     "Operators must have TOTP two-factor authentication enabled to use the admin API.",
     PM_FIELD(auth.operator_mfa_required), nullptr},
    {"auth.login_ip_max_failures", KT::kInt, "50", 1, 1000000, nullptr, S::kPlain, nullptr,
     "Failed log-ins from one client IP per window; past it log-in answers 429. Each time an "
     "e-mail address or IP is locked again (within a 7-day window) the lock lasts twice as long "
     "(at most 24 h).",
     PM_FIELD(auth.login_ip_max_failures), nullptr},
    {"auth.reset_ttl_minutes", KT::kInt, "60", 1, 10080, nullptr, S::kPlain, nullptr,
     "Minutes a password reset link stays valid (single use).", PM_FIELD(auth.reset_ttl_minutes),
     nullptr},

    {"mail.smtp_url", KT::kString, "", 0, 0, nullptr, S::kPlain, nullptr,
     "SMTP server for e-mail (password reset links): smtp://host:port or smtps://host:port; "
     "empty = messages are only written to the log and the outbox (`palettemaker outbox`).",
     PM_FIELD(mail.smtp_url), [](std::string_view v) -> std::string {
       if (v.empty()) return {};
       bool smtp = v.substr(0, 7) == "smtp://" && v.size() > 7;
       bool smtps = v.substr(0, 8) == "smtps://" && v.size() > 8;
       if (!smtp && !smtps) return "must be empty or an smtp:// or smtps:// URL";
       return {};
     }},
    {"mail.from", KT::kString, "palettemaker@localhost", 0, 0, nullptr, S::kPlain, nullptr,
     "Sender address of e-mail (envelope and From:).", PM_FIELD(mail.from),
     [](std::string_view v) -> std::string {
       if (v.find('@') == std::string_view::npos || v.find_first_of("<>\r\n\", ") != std::string_view::npos) {
         return "must be a plain e-mail address like palettes@example.com";
       }
       return {};
     }},
    {"mail.username", KT::kString, "", 0, 0, nullptr, S::kPlain, nullptr,
     "SMTP user name; empty = no authentication.", PM_FIELD(mail.username), nullptr},
    {"mail.password", KT::kString, "", 0, 0, nullptr, S::kSecret, nullptr, "SMTP password.",
     PM_FIELD(mail.password), nullptr},
    {"mail.starttls", KT::kBool, "true", 0, 0, nullptr, S::kPlain, nullptr,
     "With smtp://: require STARTTLS (smtps:// is TLS from the start).", PM_FIELD(mail.starttls),
     nullptr},

    {"limits.upload_max_bytes", KT::kInt64, "26214400", 1, 4 * kGiB, nullptr, S::kPlain, nullptr,
     "Largest accepted image upload, in bytes.", PM_FIELD(limits.upload_max_bytes), nullptr},
    {"limits.image_max_width", KT::kInt, "20000", 1, 100000, nullptr, S::kPlain, nullptr,
     "Widest accepted image, in pixels (checked before decoding).",
     PM_FIELD(limits.image_max_width), nullptr},
    {"limits.image_max_height", KT::kInt, "20000", 1, 100000, nullptr, S::kPlain, nullptr,
     "Tallest accepted image, in pixels (checked before decoding).",
     PM_FIELD(limits.image_max_height), nullptr},
    {"limits.image_max_pixels", KT::kInt64, "100000000", 1, 10'000'000'000, nullptr, S::kPlain,
     nullptr, "Most pixels (width x height) accepted, checked before decoding.",
     PM_FIELD(limits.image_max_pixels), nullptr},

    {"uploads.url_fetch", KT::kBool, "true", 0, 0, nullptr, S::kPlain, nullptr,
     "Accept uploads by URL (the server fetches the image; private and internal addresses are "
     "always refused).",
     PM_FIELD(uploads.url_fetch), nullptr},
    {"uploads.url_allow_loopback", KT::kBool, "false", 0, 0, nullptr, S::kPlain, nullptr,
     "TESTING ONLY: let URL uploads fetch from 127.0.0.0/8 and ::1 (a test server on this "
     "machine). Private, link-local and other internal ranges stay refused. Never set it in "
     "production.",
     PM_FIELD(uploads.url_allow_loopback), nullptr},
    {"uploads.url_ports", KT::kString, "80,443", 0, 0, nullptr, S::kPlain, nullptr,
     "Ports a URL upload may connect to, separated by commas.", PM_FIELD(uploads.url_ports),
     CheckPortList},
    {"uploads.url_timeout_s", KT::kInt, "15", 1, 300, nullptr, S::kPlain, nullptr,
     "Seconds a URL upload may take in all (redirects included); then 502 fetch_failed.",
     PM_FIELD(uploads.url_timeout_s), nullptr},
    {"uploads.url_connect_timeout_s", KT::kInt, "5", 1, 60, nullptr, S::kPlain, nullptr,
     "Seconds allowed for each connection of a URL upload.",
     PM_FIELD(uploads.url_connect_timeout_s), nullptr},

    {"plans.default", KT::kString, "unlimited", 0, 0, nullptr, S::kPlain, nullptr,
     "The plan of workspaces that name none (or a plan no longer configured); must be a "
     "configured plan. Plans are the [plans.<name>] tables below.",
     PM_FIELD(plans.default_plan), CheckPlanName},

    {"palette.luminance_min", KT::kInt, "25", 0, 255, nullptr, S::kPlain, nullptr,
     "Pixels darker than this luminance are left out of extraction; below luminance_max.",
     PM_FIELD(palette.luminance_min), nullptr},
    {"palette.luminance_max", KT::kInt, "185", 0, 255, nullptr, S::kPlain, nullptr,
     "Pixels brighter than this luminance are left out of extraction.",
     PM_FIELD(palette.luminance_max), nullptr},
    {"palette.sample_pixels", KT::kInt, "65536", 1000, 10'000'000, nullptr, S::kPlain, nullptr,
     "K-means works on at most this many sampled pixels.", PM_FIELD(palette.sample_pixels),
     nullptr},

    {"jobs.interval_s", KT::kInt, "60", 1, 86400, nullptr, S::kPlain, nullptr,
     "Seconds between background clean-ups (expired sessions and counters, orphaned objects); "
     "one replica at a time runs them, under a lease.",
     PM_FIELD(jobs.interval_s), nullptr},
    {"jobs.orphan_grace_s", KT::kInt, "3600", 60, 31536000, nullptr, S::kPlain, nullptr,
     "Stored objects that no palette references are deleted once they are this old.",
     PM_FIELD(jobs.orphan_grace_s), nullptr},
    {"jobs.delete_grace_days", KT::kInt, "30", 0, 3650, nullptr, S::kPlain, nullptr,
     "Days a deleted workspace can still be restored; afterwards the background job purges its "
     "rows and stored objects for good (0: at the next run).",
     PM_FIELD(jobs.delete_grace_days), nullptr},

    {"log.level", KT::kEnum, "info", 0, 0, "debug|info|warn|error", S::kPlain, nullptr,
     "Lowest level written to the log.", PM_FIELD(log.level), nullptr},
    {"log.format", KT::kEnum, "json", 0, 0, "json|text", S::kPlain, nullptr,
     "Log lines as JSON objects or plain text.", PM_FIELD(log.format), nullptr},

    {"metrics.enabled", KT::kBool, "true", 0, 0, nullptr, S::kPlain, nullptr,
     "Serve Prometheus metrics at /metrics (to the networks and token below; 404 to anyone else).",
     PM_FIELD(metrics.enabled), nullptr},
    {"metrics.allow_networks", KT::kString, "127.0.0.0/8,::1/128", 0, 0, nullptr, S::kPlain, nullptr,
     "Networks (CIDR, separated by commas) that may read /metrics without a token. The client address "
     "is the one server.trusted_proxy_hops yields, so a request through your proxy counts as coming "
     "from its original client; empty = only with metrics.token.",
     PM_FIELD(metrics.allow_networks), CheckCidrList},
    {"metrics.token", KT::kString, "", 0, 0, nullptr, S::kSecret, nullptr,
     "Bearer token that opens /metrics from any network (Authorization: Bearer <token>); empty = "
     "no token works.",
     PM_FIELD(metrics.token), nullptr},
    {"metrics.tenant_cardinality_cap", KT::kInt, "100", 0, 100000, nullptr, S::kPlain, nullptr,
     "Workspaces that get their own tenant label in the per-tenant usage metrics (the first ones "
     "seen since start-up); the rest are counted under tenant=\"_other\". 0 = all under _other.",
     PM_FIELD(metrics.tenant_cardinality_cap), nullptr},
};

#undef PM_FIELD

bool IsHostChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
}

// Hex digits, ':' and '.' (IPv4-mapped), plus '%' and letters for zone ids like fe80::1%eth0.
bool IsV6Char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == ':' || c == '.' || c == '%';
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

std::string_view KeySpec::Section() const {
  std::string_view n(name);
  return n.substr(0, n.find('.'));
}

std::string_view KeySpec::Key() const {
  std::string_view n(name);
  return n.substr(n.find('.') + 1);
}

std::span<const KeySpec> Keys() { return kKeys; }

const KeySpec* FindKey(std::string_view name) {
  for (const KeySpec& k : kKeys) {
    if (name == k.name) return &k;
  }
  return nullptr;
}

std::string EnvName(const KeySpec& spec) {
  std::string env = "PALETTEMAKER_";
  for (const char* p = spec.name; *p != '\0'; ++p) {
    env += *p == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(*p)));
  }
  return env;
}

std::span<const std::string_view> Sections() {
  static const std::vector<std::string_view> sections = [] {
    std::vector<std::string_view> out;
    for (const KeySpec& k : kKeys) {
      if (std::find(out.begin(), out.end(), k.Section()) == out.end()) out.push_back(k.Section());
    }
    return out;
  }();
  return sections;
}

Result<ListenAddress> ParseListenAddress(std::string_view listen) {
  const char* kExpected =
      "must be host:port or [ipv6]:port with a port from 0 to 65535, e.g. 127.0.0.1:8080, "
      "0.0.0.0:8080 or [::]:8080";
  auto fail = [&] { return MakeError(ErrorCode::kInvalidArgument, kExpected); };
  ListenAddress out;
  std::string_view port;
  if (StartsWith(listen, "[")) {
    size_t close = listen.find(']');
    if (close == std::string_view::npos || close == 1) return fail();
    std::string_view host = listen.substr(1, close - 1);
    if (!std::all_of(host.begin(), host.end(), IsV6Char) ||
        host.find(':') == std::string_view::npos) {
      return fail();
    }
    if (listen.substr(close + 1, 1) != ":") return fail();
    out.host = std::string(host);
    port = listen.substr(close + 2);
  } else {
    size_t colon = listen.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return fail();
    std::string_view host = listen.substr(0, colon);
    // An IPv6 address without brackets ("::1:8080") is ambiguous.
    if (!std::all_of(host.begin(), host.end(), IsHostChar)) return fail();
    out.host = std::string(host);
    port = listen.substr(colon + 1);
  }
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return fail();
  }
  out.port = std::stoi(std::string(port));
  if (out.port > 65535) return fail();
  return out;
}

std::string CheckListen(std::string_view value) {
  auto parsed = ParseListenAddress(value);
  return parsed.ok() ? std::string() : parsed.error().message;
}

std::string CheckDatabaseUrl(std::string_view value) {
  if (value.empty()) return {};  // derived from data.dir
  if (StartsWith(value, "sqlite://")) {
    if (value.size() == std::string_view("sqlite://").size()) {
      return "must name a file after sqlite://, e.g. "
             "sqlite:///var/lib/palettemaker/palettemaker.db";
    }
    return {};
  }
  if (StartsWith(value, "postgres://") || StartsWith(value, "postgresql://")) return {};
  return "must start with sqlite://, postgres:// or postgresql://";
}

std::string CheckStorageUrl(std::string_view value) {
  if (value.empty()) return {};  // derived from data.dir
  if (StartsWith(value, "file://")) {
    if (value.size() == std::string_view("file://").size()) {
      return "must name a directory after file://, e.g. file:///var/lib/palettemaker/objects";
    }
    return {};
  }
  if (StartsWith(value, "s3://")) {
    std::string_view rest = value.substr(5);
    std::string_view bucket = rest.substr(0, rest.find('/'));
    bool ok = bucket.size() >= 3 && bucket.size() <= 63 &&
              std::all_of(bucket.begin(), bucket.end(), [](char c) {
                return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
              });
    if (!ok) {
      return "must be s3://bucket or s3://bucket/prefix with a bucket name of 3 to 63 lower-case "
             "letters, digits, dots or hyphens";
    }
    return {};
  }
  return "must start with file:// or s3://";
}

std::string CheckHttpUrl(std::string_view value) {
  if (value.empty()) return {};
  bool http = StartsWith(value, "http://") && value.size() > 7;
  bool https = StartsWith(value, "https://") && value.size() > 8;
  if (!http && !https) return "must be empty or an http:// or https:// URL";
  return {};
}

std::string CheckPlanName(std::string_view value) {
  bool ok = !value.empty() && value.size() <= 40 &&
            std::all_of(value.begin(), value.end(), [](unsigned char c) {
              return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
            });
  return ok ? "" : "must be 1 to 40 characters of a-z, 0-9, _ and -";
}

Result<std::vector<int>> ParsePortList(std::string_view ports) {
  auto fail = [] {
    return MakeError(ErrorCode::kInvalidArgument,
                     "must be 1 to 16 distinct ports from 1 to 65535 separated by commas, e.g. 80,443");
  };
  std::vector<int> out;
  size_t start = 0;
  while (start <= ports.size()) {
    size_t comma = ports.find(',', start);
    std::string_view item = ports.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.empty() || item.size() > 5 ||
        !std::all_of(item.begin(), item.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return fail();
    }
    int port = std::stoi(std::string(item));
    if (port < 1 || port > 65535 || std::find(out.begin(), out.end(), port) != out.end()) return fail();
    out.push_back(port);
    if (out.size() > 16) return fail();
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

std::string CheckCidrList(std::string_view value) {
  auto parsed = ParseCidrList(value);
  return parsed.ok() ? std::string() : parsed.error().message;
}

std::string CheckPortList(std::string_view value) {
  auto parsed = ParsePortList(value);
  return parsed.ok() ? std::string() : parsed.error().message;
}

std::string CheckNotEmpty(std::string_view value) {
  return value.empty() ? "must not be empty" : std::string();
}

}  // namespace pm::config
