#include "cli/doctor.h"

#include <fcntl.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>
#include <string_view>

#include "cli/healthcheck.h"
#include "common/crypto.h"
#include "config/config_keys.h"
#include "objects/object_store.h"
#include "store/migrations.h"
#include "store/store.h"

namespace pm::cli {

namespace {

// Where Debian's ca-certificates (and the container's rootfs) put the bundle that libcurl and
// OpenSSL read by default.
constexpr const char* kCaBundle = "/etc/ssl/certs/ca-certificates.crt";
// 2026-01-01T00:00:00Z: this binary did not exist before then, so a clock that says otherwise is
// wrong (and S3 request signatures, sessions and links will fail or misbehave).
constexpr int64_t kEarliestSaneTime = 1767225600;
constexpr int64_t kLatestSaneTime = 4102444800;  // 2100-01-01

class Report {
 public:
  void Add(std::string name, CheckStatus status, std::string detail) {
    checks_.push_back({std::move(name), status, std::move(detail)});
  }
  std::vector<DoctorCheck> Take() { return std::move(checks_); }

 private:
  std::vector<DoctorCheck> checks_;
};

std::string Errno(int err) {
  return std::strerror(err);
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string Uid() {
  return "uid " + std::to_string(geteuid());
}

void CheckSecretFiles(const config::Env& env, Report* report) {
  std::string used;
  for (const config::KeySpec& spec : config::Keys()) {
    if (!spec.FileAllowed()) continue;
    std::string name = config::EnvName(spec) + "_FILE";
    auto it = env.find(name);
    if (it == env.end()) continue;
    // The configuration loaded, so the file was readable; a secret every local user can read is
    // worth a warning.
    struct stat st {};
    if (stat(it->second.c_str(), &st) != 0) {
      report->Add("secrets", CheckStatus::kFail, name + ": " + it->second + ": " + Errno(errno));
      return;
    }
    if ((st.st_mode & S_IROTH) != 0) {
      report->Add("secrets", CheckStatus::kWarn,
                  name + ": " + it->second + " is readable by every user: chmod o-r it");
      return;
    }
    used += (used.empty() ? "" : ", ") + name;
  }
  report->Add("secrets", CheckStatus::kOk,
              used.empty() ? "no *_FILE variables set" : "readable, not world-readable: " + used);
}

void CheckDataDir(const config::Config& cfg, int64_t min_free_mb, Report* report) {
  const std::string& dir = cfg.data.dir;
  struct stat st {};
  if (stat(dir.c_str(), &st) != 0) {
    if (errno != ENOENT) {
      report->Add("data_dir", CheckStatus::kFail, dir + ": " + Errno(errno));
      return;
    }
    // serve creates it; that only works when its parent is there and writable.
    std::string parent = dir.find('/') == std::string::npos ? "." : dir.substr(0, dir.rfind('/'));
    if (parent.empty()) parent = "/";
    if (access(parent.c_str(), W_OK) == 0) {
      report->Add("data_dir", CheckStatus::kWarn, dir + " does not exist yet (serve creates it)");
    } else {
      report->Add("data_dir", CheckStatus::kFail,
                  dir + " does not exist and " + parent + " is not writable by " + Uid() +
                      ": create it and give it to the server's user");
    }
    return;
  }
  if (!S_ISDIR(st.st_mode)) {
    report->Add("data_dir", CheckStatus::kFail, dir + " is not a directory");
    return;
  }
  // A real write: access(W_OK) says yes to root even on a read-only mount.
  std::string probe = dir + "/.doctor-" + RandomToken(9);
  int fd = open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    report->Add(
        "data_dir", CheckStatus::kFail,
        dir + " is not writable by " + Uid() + ": " + Errno(errno) + " (give it to the server's user)");
    return;
  }
  bool wrote = write(fd, "x", 1) == 1;
  int write_errno = errno;
  close(fd);
  unlink(probe.c_str());
  if (!wrote) {
    report->Add("data_dir", CheckStatus::kFail, dir + ": writing failed: " + Errno(write_errno));
    return;
  }
  struct statvfs vfs {};
  if (statvfs(dir.c_str(), &vfs) != 0) {
    report->Add("data_dir", CheckStatus::kWarn, dir + " is writable; free space unknown: " + Errno(errno));
    return;
  }
  const int64_t free_mb =
      static_cast<int64_t>(vfs.f_bavail) * static_cast<int64_t>(vfs.f_frsize) / (1024 * 1024);
  const std::string detail = dir + " is writable, " + std::to_string(free_mb) + " MB free";
  if (free_mb < min_free_mb) {
    report->Add("data_dir", CheckStatus::kWarn, detail + " (below " + std::to_string(min_free_mb) + " MB)");
  } else {
    report->Add("data_dir", CheckStatus::kOk, detail);
  }
}

// The database URL without its password, for messages.
std::string SafeUrl(const std::string& url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url;
  size_t at = url.find('@', scheme_end);
  size_t slash = url.find('/', scheme_end + 3);
  if (at == std::string::npos || (slash != std::string::npos && at > slash)) return url;
  return url.substr(0, scheme_end + 3) + "***@" + url.substr(at + 1);
}

void CheckDatabase(const config::Config& cfg, Report* report) {
  const std::string url = cfg.EffectiveDatabaseUrl();
  const bool sqlite = StartsWith(url, "sqlite://");
  if (sqlite) {
    // Opening would create the file: report instead of creating anything.
    std::string path = url.substr(std::string_view("sqlite://").size());
    if (access(path.c_str(), F_OK) != 0) {
      report->Add("database", CheckStatus::kWarn,
                  path + " does not exist yet (serve or `palettemaker migrate` creates it)");
      return;
    }
  }
  store::StoreOptions so;
  so.url = url;
  so.busy_timeout_ms = cfg.database.busy_timeout_ms;
  so.pool_size = 1;
  so.statement_timeout_ms = cfg.database.statement_timeout_ms;
  so.connect_timeout_s = cfg.database.connect_timeout_s;
  auto opened = store::OpenStore(so);
  if (!opened.ok()) {
    report->Add("database", CheckStatus::kFail, SafeUrl(url) + ": " + opened.error().message);
    return;
  }
  auto list = opened.value()->Migrations();
  if (!list.ok()) {
    report->Add("database", CheckStatus::kFail, SafeUrl(url) + ": " + list.error().message);
    return;
  }
  const auto known = sqlite ? store::SqliteMigrations() : store::PostgresMigrations();
  const int binary_version = known.empty() ? 0 : known.back().version;
  int applied_version = 0;
  int pending = 0;
  for (const store::MigrationInfo& m : list.value()) {
    if (m.applied && m.version > applied_version) applied_version = m.version;
    if (!m.applied && m.version <= binary_version) ++pending;
  }
  const std::string versions = "schema version " + std::to_string(applied_version) + ", this binary's " +
                               std::to_string(binary_version);
  if (applied_version > binary_version) {
    report->Add("database", CheckStatus::kFail,
                SafeUrl(url) + ": " + versions +
                    ": the database was migrated by a newer palettemaker; run that version (or "
                    "restore the backup taken before the upgrade)");
  } else if (pending > 0) {
    report->Add("database", CheckStatus::kFail,
                SafeUrl(url) + ": " + versions + ": " + std::to_string(pending) +
                    " migration(s) pending; run `palettemaker migrate` (serve also applies them)");
  } else {
    report->Add("database", CheckStatus::kOk, SafeUrl(url) + ": reachable, " + versions);
  }
}

void CheckObjectStore(const config::Config& cfg, Report* report) {
  objects::ObjectStoreOptions oo;
  oo.url = cfg.EffectiveStorageUrl();
  oo.s3_endpoint = cfg.storage.s3_endpoint;
  oo.s3_region = cfg.storage.s3_region;
  oo.s3_path_style = cfg.storage.s3_path_style;
  oo.s3_access_key_id = cfg.storage.s3_access_key_id;
  oo.s3_secret_access_key = cfg.storage.s3_secret_access_key;
  auto fail = [&](const std::string& what, const Error& e) {
    report->Add("objects", CheckStatus::kFail, oo.url + ": " + what + e.message);
  };
  auto opened = objects::OpenObjectStore(oo);
  if (!opened.ok()) return fail("", opened.error());
  objects::ObjectStore& store = *opened.value();
  Status reachable = store.Check();
  if (!reachable.ok()) return fail("", reachable.error());
  // Under kDoctorPrefix, never under tenants/: the probe cannot touch or shadow tenant data.
  const std::string key = std::string(kDoctorPrefix) + "probe-" + RandomToken(12);
  const std::string payload = "palettemaker doctor probe " + key;
  auto put = store.PutBytes(key, payload);
  if (!put.ok()) return fail("write probe failed: ", put.error());
  auto got = store.GetBytes(key, 4096);
  Status deleted = store.Delete(key);
  if (!got.ok()) return fail("read probe failed: ", got.error());
  if (got.value() != payload) {
    return fail("", MakeError(ErrorCode::kInternal, "read probe returned other bytes than written"));
  }
  if (!deleted.ok()) return fail("delete probe failed (remove " + key + " by hand): ", deleted.error());
  auto gone = store.Stat(key);
  if (gone.ok()) {
    return fail("", MakeError(ErrorCode::kInternal, "probe " + key + " still exists after delete"));
  }
  report->Add("objects", CheckStatus::kOk,
              oo.url + ": write, read and delete under " + std::string(kDoctorPrefix) + " work");
}

void CheckListen(const config::Config& cfg, int timeout_s, Report* report) {
  const std::string& listen = cfg.server.listen;
  auto address = config::ParseListenAddress(listen);
  if (!address.ok()) {
    report->Add("listen", CheckStatus::kFail, listen + ": " + address.error().message);
    return;
  }
  if (address->port == 0) {
    report->Add("listen", CheckStatus::kOk, listen + ": port 0, the system picks a free port");
    return;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(address->port);
  int gai =
      getaddrinfo(address->host.empty() ? nullptr : address->host.c_str(), port.c_str(), &hints, &found);
  if (gai != 0) {
    report->Add("listen", CheckStatus::kFail, listen + ": " + gai_strerror(gai));
    return;
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> addrs(found, freeaddrinfo);
  int bind_errno = 0;
  for (addrinfo* a = addrs.get(); a != nullptr; a = a->ai_next) {
    int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      bind_errno = errno;
      continue;
    }
    int one = 1;
    // As the server binds (SO_REUSEADDR), so a port in TIME_WAIT does not look taken.
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    int rc = bind(fd, a->ai_addr, a->ai_addrlen);
    bind_errno = rc == 0 ? 0 : errno;
    close(fd);
    if (rc == 0) break;
  }
  if (bind_errno == 0) {
    report->Add("listen", CheckStatus::kOk, listen + " is free");
    return;
  }
  if (bind_errno != EADDRINUSE) {
    std::string hint =
        bind_errno == EACCES && address->port < 1024 ? " (ports below 1024 need CAP_NET_BIND_SERVICE)" : "";
    report->Add("listen", CheckStatus::kFail, listen + ": cannot bind: " + Errno(bind_errno) + hint);
    return;
  }
  auto url = HealthUrlForListen(listen);
  Status ours = url.ok() ? ProbeHealth(url.value(), timeout_s) : Status(url.error());
  if (ours.ok()) {
    report->Add("listen", CheckStatus::kOk,
                listen + " is in use by a running server that answers /healthz (ours)");
  } else {
    report->Add("listen", CheckStatus::kFail,
                listen + " is in use by another program (" + ours.error().message +
                    "): stop it or change server.listen");
  }
}

// smtp://user:pass@host:587 -> smtp://host:587.
std::string SmtpTarget(const std::string& url) {
  size_t scheme_end = url.find("://");
  size_t at = url.rfind('@');
  if (scheme_end == std::string::npos || at == std::string::npos || at < scheme_end) return url;
  return url.substr(0, scheme_end + 3) + url.substr(at + 1);
}

void CheckMail(const config::Config& cfg, Report* report) {
  if (cfg.mail.smtp_url.empty()) {
    report->Add("smtp", CheckStatus::kWarn,
                "mail.smtp_url is not set: e-mails (password resets) are only logged and kept in "
                "the outbox (`palettemaker outbox`)");
    return;
  }
  report->Add("smtp", CheckStatus::kOk,
              SmtpTarget(cfg.mail.smtp_url) + " configured (not contacted), from " + cfg.mail.from);
}

void CheckCaBundle(const config::Config& cfg, Report* report) {
  std::vector<std::string> users;
  if (StartsWith(cfg.EffectiveStorageUrl(), "s3://") &&
      (cfg.storage.s3_endpoint.empty() || StartsWith(cfg.storage.s3_endpoint, "https://"))) {
    users.push_back("S3");
  }
  const std::string& smtp = cfg.mail.smtp_url;
  if (StartsWith(smtp, "smtps://") || (StartsWith(smtp, "smtp://") && cfg.mail.starttls)) {
    users.push_back("SMTP");
  }
  if (users.empty()) {
    report->Add("ca_bundle", CheckStatus::kOk, "not needed (no TLS to S3 or SMTP configured)");
    return;
  }
  std::string who = users.size() == 2 ? "S3 and SMTP" : users.front();
  struct stat st {};
  if (stat(kCaBundle, &st) != 0 || st.st_size == 0 || access(kCaBundle, R_OK) != 0) {
    report->Add("ca_bundle", CheckStatus::kFail,
                std::string(kCaBundle) + " is missing, empty or unreadable; " + who +
                    " over TLS needs it (Debian: apt-get install ca-certificates)");
    return;
  }
  report->Add("ca_bundle", CheckStatus::kOk, std::string(kCaBundle) + " present (used by " + who + ")");
}

void CheckClock(Report* report) {
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  char text[32] = "?";
  std::time_t t = static_cast<std::time_t>(now);
  std::tm tm{};
  if (gmtime_r(&t, &tm) != nullptr) std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (now < kEarliestSaneTime || now >= kLatestSaneTime) {
    report->Add("clock", CheckStatus::kFail,
                std::string("system clock says ") + text +
                    ", which cannot be right: fix time synchronisation (S3 signatures, sessions and "
                    "link expiry depend on it)");
    return;
  }
  report->Add("clock", CheckStatus::kOk, std::string("UTC ") + text);
}

}  // namespace

std::vector<DoctorCheck> RunDoctor(const DoctorOptions& options, const config::Env& env) {
  Report report;
  auto loaded = config::Load(options.config_path, env);
  if (!loaded.ok()) {
    report.Add("config", CheckStatus::kFail, loaded.error().message);
    return report.Take();
  }
  const config::Config& cfg = loaded.value();
  report.Add("config", CheckStatus::kOk,
             options.config_path.empty() ? "defaults + environment (no --config file)"
                                         : options.config_path + " + environment");
  CheckSecretFiles(env, &report);
  CheckDataDir(cfg, options.min_free_mb, &report);
  CheckDatabase(cfg, &report);
  CheckObjectStore(cfg, &report);
  CheckListen(cfg, options.timeout_s, &report);
  CheckMail(cfg, &report);
  CheckCaBundle(cfg, &report);
  CheckClock(&report);
  return report.Take();
}

const char* CheckStatusName(CheckStatus status) {
  switch (status) {
    case CheckStatus::kOk: return "ok  ";
    case CheckStatus::kWarn: return "warn";
    case CheckStatus::kFail: return "FAIL";
  }
  return "?";
}

std::string FormatDoctorText(const std::vector<DoctorCheck>& checks) {
  size_t width = 0;
  for (const DoctorCheck& c : checks) width = std::max(width, c.name.size());
  std::string out;
  for (const DoctorCheck& c : checks) {
    out += CheckStatusName(c.status);
    out += "  ";
    out += c.name;
    out.append(width - c.name.size() + 2, ' ');
    out += c.detail;
    out += '\n';
  }
  return out;
}

std::string FormatDoctorJson(const std::vector<DoctorCheck>& checks) {
  nlohmann::json list = nlohmann::json::array();
  bool ok = true;
  for (const DoctorCheck& c : checks) {
    const char* status = c.status == CheckStatus::kOk     ? "ok"
                         : c.status == CheckStatus::kWarn ? "warn"
                                                          : "fail";
    if (c.status == CheckStatus::kFail) ok = false;
    list.push_back({{"check", c.name}, {"status", status}, {"detail", c.detail}});
  }
  nlohmann::json doc = {{"ok", ok}, {"checks", list}};
  return doc.dump(2) + "\n";
}

}  // namespace pm::cli
