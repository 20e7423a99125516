#include "cli/cli.h"

#include <CLI/CLI.hpp>

#include <charconv>
#include <chrono>
#include <cstdint>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <mutex>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <pthread.h>
#include <unistd.h>
#include <thread>

#include <nlohmann/json.hpp>

#include "app/analyze.h"
#include "app/audit.h"
#include "app/backup.h"
#include "app/janitor.h"
#include "app/legacy_import.h"
#include "app/operators.h"
#include "app/tenant_archive.h"
#include "cli/doctor.h"
#include "cli/healthcheck.h"
#include "common/crypto.h"
#include "common/log.h"
#include "common/sd_notify.h"
#include "config/config.h"
#include "engine/image.h"
#include "http/server.h"
#include "objects/object_store.h"
#include "store/store.h"

#ifndef PM_VERSION
#define PM_VERSION "0.0.0"
#endif

namespace pm::cli {
namespace {

struct Options {
  std::string config_path;
  std::string image;
  int k = 0;
  std::string strategy;      // palette: region strategy ("" = no region detection)
  std::string params_json;   // palette: strategy parameters as a JSON object
  std::string template_box;  // palette: "x,y,w,h" for template_match
  std::string email;         // admin create: the new operator's e-mail address
  int outbox_limit = 20;     // outbox: newest N messages
  std::string legacy_metadata;  // import-legacy: image_metadata.jsonl
  std::string legacy_uploads;   // import-legacy: the directory of the cached images
  std::string tenant;           // import-legacy: the workspace slug
  bool dry_run = false;
  std::string out;      // backup / export-tenant: the archive to write
  std::string archive;  // restore / import-tenant: the archive to read
  std::string slug;     // export-tenant: the workspace; import-tenant: a new slug
  std::string owner;    // import-tenant: the owner's e-mail address instead of the archive's
  std::string health_url;   // healthcheck: probe this instead of server.listen's /healthz
  int health_timeout_s = 3;  // healthcheck / doctor: network timeout
  bool json = false;         // doctor --json
  int64_t min_free_mb = 1024;  // doctor: warn below this much free space in data.dir
};

// "x,y,w,h" -> Box; each an integer.
Result<engine::Box> ParseBoxArg(const std::string& text) {
  engine::Box box;
  int* fields[] = {&box.x, &box.y, &box.width, &box.height};
  size_t at = 0;
  for (size_t i = 0; i < 4; ++i) {
    const size_t end = i == 3 ? text.size() : text.find(',', at);
    if (end == std::string::npos) break;
    const char* first = text.data() + at;
    const char* last = text.data() + end;
    auto [ptr, ec] = std::from_chars(first, last, *fields[i]);
    if (ec != std::errc() || ptr != last || first == last) break;
    if (i == 3) return box;
    at = end + 1;
  }
  return MakeError(ErrorCode::kInvalidArgument,
                   "--template-box must be four integers x,y,width,height (got '" + text + "')");
}

// Loads configuration and sets up logging; prints the one-line error on failure.
bool LoadConfig(const Options& opts, config::Config* out) {
  auto loaded = config::Load(opts.config_path, config::ProcessEnv());
  if (!loaded.ok()) {
    std::fprintf(stderr, "palettemaker: %s\n", loaded.error().message.c_str());
    return false;
  }
  *out = std::move(loaded).value();
  log::Level level = log::Level::kInfo;
  log::ParseLevel(out->log.level, &level);
  log::Init(level, out->log.format);
  return true;
}

// Temporary files (SQLite's spills and statement journals, export archives) go to $TMPDIR; when
// it is unset they go to <data.dir>/tmp instead of /tmp, so the data directory can be the only
// writable path (the container root filesystem from packaging/rootfs.sh has no /tmp). Called
// before the server starts any thread (setenv is not thread-safe).
void UseDataDirForTemporaryFiles(const config::Config& cfg) {
  const char* set = std::getenv("TMPDIR");
  if (set != nullptr && *set != '\0') return;
  const std::filesystem::path dir = std::filesystem::path(cfg.data.dir) / "tmp";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (!ec) std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
  if (ec) {
    log::Warn("cannot create the temporary directory; using the system default",
              {{"dir", dir.string()}, {"error", ec.message()}});
    return;
  }
  ::setenv("TMPDIR", dir.c_str(), 1);
}

struct Backends {
  std::unique_ptr<store::Store> store;
  std::unique_ptr<objects::ObjectStore> objects;
};

Result<Backends> OpenBackends(const config::Config& cfg, bool with_objects) {
  Backends b;
  store::StoreOptions so;
  so.url = cfg.EffectiveDatabaseUrl();
  so.busy_timeout_ms = cfg.database.busy_timeout_ms;
  so.pool_size = cfg.database.pool_size;
  so.migration_url = cfg.database.migration_url;
  so.statement_timeout_ms = cfg.database.statement_timeout_ms;
  so.connect_timeout_s = cfg.database.connect_timeout_s;
  PM_ASSIGN_OR_RETURN(b.store, store::OpenStore(so));
  if (with_objects) {
    objects::ObjectStoreOptions oo;
    oo.url = cfg.EffectiveStorageUrl();
    oo.s3_endpoint = cfg.storage.s3_endpoint;
    oo.s3_region = cfg.storage.s3_region;
    oo.s3_path_style = cfg.storage.s3_path_style;
    oo.s3_access_key_id = cfg.storage.s3_access_key_id;
    oo.s3_secret_access_key = cfg.storage.s3_secret_access_key;
    PM_ASSIGN_OR_RETURN(b.objects, objects::OpenObjectStore(oo));
  }
  return b;
}

// OpenBackends, then the pending migrations, so a command run before the first `serve` finds
// the schema it needs (as `serve` would make it).
Result<Backends> OpenMigratedBackends(const config::Config& cfg, bool with_objects) {
  PM_ASSIGN_OR_RETURN(Backends b, OpenBackends(cfg, with_objects));
  PM_RETURN_IF_ERROR(b.store->Migrate());
  return b;
}

int Fail(const Error& e) {
  std::fprintf(stderr, "palettemaker: %s\n", e.message.c_str());
  return e.code == ErrorCode::kInvalidArgument ? 2 : 1;
}

int RunServe(const Options& opts) {
  // Block the stop signals before any thread starts, so only the watcher below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  config::Config cfg;
  if (!LoadConfig(opts, &cfg)) return 2;
  auto backends = OpenBackends(cfg, true);
  if (!backends.ok()) return Fail(backends.error());
  auto applied = backends->store->Migrate();
  if (!applied.ok()) return Fail(applied.error());
  if (applied.value() > 0) log::Info("migrations applied", {{"count", applied.value()}});
  UseDataDirForTemporaryFiles(cfg);

  app::Services services{backends->store.get(), backends->objects.get(), &cfg, &Clock::System()};
  http::Server server(cfg, services);
  auto port = server.Bind();
  if (!port.ok()) return Fail(port.error());
  // No operator yet: a one-time link (24 h) to create the first one, on stderr and in the log.
  // Each start without an operator replaces the previous link. Without server.public_url the
  // link names the address actually bound (listen may say port 0).
  config::Config link_cfg = cfg;
  if (link_cfg.server.public_url.empty()) link_cfg.server.public_url = server.url();
  app::Services link_services = services;
  link_services.config = &link_cfg;
  auto first = app::Operators(link_services).FirstStartLink();
  if (!first.ok()) return Fail(first.error());
  if (first.value()) {
    std::fprintf(stderr, "palettemaker: no operator exists yet; create the first one within 24 hours at:\n  %s\n",
                 first.value()->url.c_str());
    log::Info("no operator exists yet: operator setup link", {{"url", first.value()->url}});
  }
  // Background clean-ups, on one replica at a time (a lease in the database).
  std::string holder = cfg.server.replica_name;
  if (holder.empty()) {
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) == 0) holder = host;
  }
  holder += ":" + std::to_string(getpid()) + ":" + RandomToken(6);
  app::Janitor janitor(services, holder);
  std::thread janitor_thread([&] { janitor.Loop(); });

  std::printf("palettemaker listening on %s\n", server.url().c_str());
  std::fflush(stdout);
  log::Info("listening", {{"url", server.url()},
                          {"database", cfg.EffectiveDatabaseUrl()},
                          {"storage", cfg.EffectiveStorageUrl()}});
  // systemd Type=notify: ready once the socket is bound, migrations are done and the janitor runs.
  std::string notify_error;
  if (!SdNotify("READY=1\nSTATUS=listening on " + server.url(), &notify_error)) {
    log::Warn("sd_notify failed", {{"error", notify_error}});
  }

  // Graceful stop: the first SIGTERM/SIGINT starts draining (/readyz 503, requests still served)
  // for server.drain_grace_s (a second signal cuts it short), then the listener closes and
  // in-flight requests get server.drain_timeout_s to finish.
  std::mutex mu;
  std::condition_variable cv;
  bool run_done = false;
  std::thread watcher([&] {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) return;
    {
      std::lock_guard<std::mutex> lock(mu);
      if (run_done) return;  // woken by the main thread after Run() ended on its own
    }
    log::Info("draining", {{"signal", sig}, {"grace_s", cfg.server.drain_grace_s}});
    server.BeginDrain();
    SdNotify("STOPPING=1\nSTATUS=draining");
    timespec grace{cfg.server.drain_grace_s, 0};
    if (cfg.server.drain_grace_s > 0 && sigtimedwait(&signals, nullptr, &grace) > 0) {
      log::Info("second signal: stopping now");
    }
    server.Stop();
    std::unique_lock<std::mutex> lock(mu);
    if (!cv.wait_for(lock, std::chrono::seconds(cfg.server.drain_timeout_s), [&] { return run_done; })) {
      log::Warn("drain timeout: exiting with requests still in flight",
                {{"drain_timeout_s", cfg.server.drain_timeout_s}});
      std::_Exit(0);
    }
  });
  Status st = server.Run();
  {
    std::lock_guard<std::mutex> lock(mu);
    run_done = true;
  }
  cv.notify_all();
  pthread_kill(watcher.native_handle(), SIGTERM);  // wake the watcher if it is still in sigwait
  watcher.join();
  janitor.Stop();
  janitor_thread.join();
  if (!st.ok()) return Fail(st.error());
  log::Info("stopped");
  return 0;
}

int RunMigrate(const Options& opts) {
  config::Config cfg;
  if (!LoadConfig(opts, &cfg)) return 2;
  auto backends = OpenBackends(cfg, false);
  if (!backends.ok()) return Fail(backends.error());
  auto applied = backends->store->Migrate();
  if (!applied.ok()) return Fail(applied.error());
  auto list = backends->store->Migrations();
  if (!list.ok()) return Fail(list.error());
  for (const auto& m : list.value()) {
    std::printf("%04d %-40s %s\n", m.version, m.name.c_str(), m.applied ? "applied" : "pending");
  }
  std::printf("%d migration(s) applied now\n", applied.value());
  return 0;
}

// admin create --email E: a one-time link (24 h) that makes E an operator, on stdout.
int RunAdminCreate(const Options& opts) {
  config::Config cfg;
  if (!LoadConfig(opts, &cfg)) return 2;
  if (opts.email.empty()) {
    std::fprintf(stderr, "palettemaker: admin create needs --email ADDRESS\n");
    return 2;
  }
  auto backends = OpenMigratedBackends(cfg, false);
  if (!backends.ok()) return Fail(backends.error());
  app::Services services{backends->store.get(), nullptr, &cfg, &Clock::System()};
  auto link = app::Operators(services).CreateSetupLink(opts.email);
  if (!link.ok()) return Fail(link.error());
  std::printf("%s\n", link->url.c_str());
  log::Info("operator setup link created", {{"url", link->url}});
  return 0;
}

int RunPalette(const Options& opts) {
  config::Config cfg;
  if (!LoadConfig(opts, &cfg)) return 2;
  std::ifstream in(opts.image, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "palettemaker: cannot read %s\n", opts.image.c_str());
    return 1;
  }
  // Bounded read: never more than the upload limit (plus one byte to detect "too large").
  std::string bytes;
  bytes.resize(static_cast<size_t>(cfg.limits.upload_max_bytes) + 1);
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  bytes.resize(static_cast<size_t>(in.gcount()));
  if (static_cast<int64_t>(bytes.size()) > cfg.limits.upload_max_bytes) {
    std::fprintf(stderr, "palettemaker: %s is larger than limits.upload_max_bytes (%lld bytes)\n",
                 opts.image.c_str(), static_cast<long long>(cfg.limits.upload_max_bytes));
    return 1;
  }
  std::optional<int> k;
  if (opts.k != 0) k = opts.k;
  // The region request is checked before the image is read, so a typo fails fast.
  std::optional<engine::RegionRequest> request;
  if (!opts.strategy.empty() || !opts.params_json.empty() || !opts.template_box.empty()) {
    engine::RegionRequest r;
    r.strategy = !opts.strategy.empty()        ? opts.strategy
                 : !opts.template_box.empty() ? "template_match"
                                               : "default";
    if (!opts.params_json.empty()) {
      auto parsed = nlohmann::json::parse(opts.params_json, nullptr, /*allow_exceptions=*/false);
      if (parsed.is_discarded()) {
        std::fprintf(stderr, "palettemaker: --params is not valid JSON (expected an object such as {\"blur\": 7})\n");
        return 2;
      }
      auto params = app::RegionParamsFromJson(parsed);
      if (!params.ok()) {
        std::fprintf(stderr, "palettemaker: --params: %s\n", params.error().message.c_str());
        return 2;
      }
      r.params = std::move(params).value();
    }
    if (!opts.template_box.empty()) {
      auto box = ParseBoxArg(opts.template_box);
      if (!box.ok()) {
        std::fprintf(stderr, "palettemaker: %s\n", box.error().message.c_str());
        return 2;
      }
      r.template_box = box.value();
    }
    // Everything but the image size (the box must lie inside the image: checked after decoding).
    auto known = engine::ValidateRegionRequest(r, INT32_MAX / 2, INT32_MAX / 2);
    if (!known.ok()) {
      std::fprintf(stderr, "palettemaker: %s\n", known.error().message.c_str());
      return 2;
    }
    request = std::move(r);
  }
  auto fail = [&](const Error& e) {
    std::fprintf(stderr, "palettemaker: %s: %s\n", opts.image.c_str(), e.message.c_str());
    return e.code == ErrorCode::kInvalidArgument ? 2 : 1;
  };
  auto decoded = app::DecodeWorking(bytes, cfg);
  if (!decoded.ok()) return fail(decoded.error());
  auto analysis = app::ExtractFrom(decoded.value(), cfg, k);
  if (!analysis.ok()) return fail(analysis.error());
  nlohmann::json regions = nlohmann::json::array();
  nlohmann::json region_labels = nlohmann::json::array();
  nlohmann::json region_colors = nlohmann::json::array();
  nlohmann::json region_params = nullptr;
  if (request) {
    auto found = app::DetectFrom(decoded.value(), *request, analysis->colors);
    if (!found.ok()) return fail(found.error());
    regions = app::RegionsToJson(found->result.regions);
    region_labels = found->labels;
    region_colors = app::RegionColorsToJson(found->colors, analysis->colors);
    region_params = app::RegionParamsToJson(found->result, request->template_box);
  }
  nlohmann::json out = {{"image", {{"format", engine::FormatName(analysis->info.format)},
                                   {"width", analysis->info.width},
                                   {"height", analysis->info.height}}},
                        {"colors", analysis->colors},
                        {"labels", analysis->labels},
                        {"coverage", nlohmann::json::parse(app::CoverageJson(analysis.value()))},
                        {"regions", std::move(regions)},
                        {"region_labels", std::move(region_labels)},
                        {"region_colors", std::move(region_colors)},
                        {"region_params", std::move(region_params)}};
  std::printf("%s\n", out.dump(2).c_str());
  return 0;
}

// Prints the newest e-mail messages the server stored (sent by SMTP or not), newest first.
int RunOutbox(const Options& opts) {
  config::Config cfg;
  if (!LoadConfig(opts, &cfg)) return 2;
  auto backends = OpenBackends(cfg, false);
  if (!backends.ok()) return Fail(backends.error());
  auto messages = backends->store->ListOutbox(opts.outbox_limit);
  if (!messages.ok()) return Fail(messages.error());
  if (messages->empty()) std::printf("the outbox is empty\n");
  for (const store::OutboxMessage& m : messages.value()) {
    std::string status = m.sent_at ? "sent" : (m.error.empty() ? "not sent (no SMTP)" : "failed: " + m.error);
    std::time_t t = static_cast<std::time_t>(m.created_at / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char when[32];
    std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    std::printf("#%lld %s to %s [%s]\nSubject: %s\n\n%s\n---\n", static_cast<long long>(m.id), when,
                m.recipient.c_str(), status.c_str(), m.subject.c_str(), m.body.c_str());
  }
  return 0;
}

// Imports an install of the original app; one line per metadata line, then a summary. Exit 0
// when every line was imported (or already was), 1 when some failed (the others are imported).
int RunImportLegacy(const Options& opts) {
  config::Config cfg;
  if (!LoadConfig(opts, &cfg)) return 2;
  auto backends = OpenMigratedBackends(cfg, true);
  if (!backends.ok()) return Fail(backends.error());
  app::Services services{backends->store.get(), backends->objects.get(), &cfg, &Clock::System()};
  app::LegacyImportOptions o;
  o.metadata = opts.legacy_metadata;
  o.uploads = opts.legacy_uploads;
  o.tenant_slug = opts.tenant;
  o.dry_run = opts.dry_run;
  auto summary = app::LegacyImporter(services).Run(o);
  if (!summary.ok()) return Fail(summary.error());
  using Outcome = app::LegacyLineResult::Outcome;
  for (const app::LegacyLineResult& r : summary->results) {
    const char* what = r.outcome == Outcome::kImported         ? "imported"
                       : r.outcome == Outcome::kAlreadyPresent ? "skipped"
                       : r.outcome == Outcome::kChecked        ? "ok"
                                                               : "error";
    std::FILE* out = r.outcome == Outcome::kFailed ? stderr : stdout;
    std::fprintf(out, "line %d: %s%s%s: %s\n", r.line, what, r.name.empty() ? "" : " \"",
                 r.name.empty() ? "" : (r.name + "\"").c_str(), r.message.c_str());
  }
  std::printf("%s%s: %d lines: %d imported, %d already present, %d failed%s\n",
              opts.dry_run ? "dry run, nothing written; " : "", opts.tenant.c_str(), summary->lines,
              summary->imported, summary->already_present, summary->failed,
              opts.dry_run ? (", " + std::to_string(summary->checked) + " would be imported").c_str() : "");
  return summary->failed == 0 ? 0 : 1;
}

store::StoreOptions DatabaseOptions(const config::Config& cfg) {
  store::StoreOptions so;
  so.url = cfg.EffectiveDatabaseUrl();
  so.busy_timeout_ms = cfg.database.busy_timeout_ms;
  return so;
}

// backup --out FILE: a consistent archive of the embedded setup while a server keeps running.
int RunBackup(const Options& opts) {
  config::Config cfg;
  if (!LoadConfig(opts, &cfg)) return 2;
  if (std::string why = app::BackupUnsupportedReason(cfg); !why.empty()) {
    std::fprintf(stderr, "palettemaker: %s\n", why.c_str());
    return 2;
  }
  auto backends = OpenBackends(cfg, true);
  if (!backends.ok()) return Fail(backends.error());
  app::BackupOptions o;
  o.out = opts.out;
  o.binary_version = PM_VERSION;
  auto summary = app::MakeBackup(cfg, DatabaseOptions(cfg), *backends->objects, o);
  if (!summary.ok()) return Fail(summary.error());
  for (const app::DroppedPalette& d : summary->dropped) {
    std::printf("left out palette %lld of workspace %lld: its image %s was deleted after the database snapshot\n",
                static_cast<long long>(d.palette.value), static_cast<long long>(d.tenant.value), d.object_key.c_str());
  }
  std::printf("backup %s: %lld workspaces, %lld palettes, %lld objects (%lld bytes), database %lld bytes, "
              "schema version %d, archive %lld bytes, %.2f s\n",
              opts.out.c_str(), static_cast<long long>(summary->workspaces), static_cast<long long>(summary->palettes),
              static_cast<long long>(summary->objects), static_cast<long long>(summary->object_bytes),
              static_cast<long long>(summary->database_bytes), summary->schema_version,
              static_cast<long long>(summary->archive_bytes), summary->seconds);
  return 0;
}

// restore FILE: into an empty (or new) data.dir, all or nothing.
int RunRestore(const Options& opts) {
  config::Config cfg;
  if (!LoadConfig(opts, &cfg)) return 2;
  auto summary = app::RestoreBackup(cfg, opts.archive);
  if (!summary.ok()) return Fail(summary.error());
  std::printf("restored %s (made %s) into %s: %lld workspaces, %lld palettes, %lld objects (%lld bytes), "
              "database %lld bytes, %.2f s\n",
              opts.archive.c_str(), summary->created_at.c_str(), cfg.data.dir.c_str(),
              static_cast<long long>(summary->workspaces), static_cast<long long>(summary->palettes),
              static_cast<long long>(summary->objects), static_cast<long long>(summary->object_bytes),
              static_cast<long long>(summary->database_bytes), summary->seconds);
  return 0;
}

// export-tenant SLUG --out FILE: the workspace as an archive (written to FILE.partial, renamed).
int RunExportTenant(const Options& opts) {
  config::Config cfg;
  if (!LoadConfig(opts, &cfg)) return 2;
  auto backends = OpenBackends(cfg, true);
  if (!backends.ok()) return Fail(backends.error());
  app::Services services{backends->store.get(), backends->objects.get(), &cfg, &Clock::System()};
  auto ws = app::FindWorkspaceBySlug(*backends->store, opts.slug);
  if (!ws.ok()) return Fail(ws.error());
  if (std::ifstream(opts.out).good()) {
    std::fprintf(stderr, "palettemaker: %s already exists; remove it or choose another --out\n", opts.out.c_str());
    return 1;
  }
  const std::string partial = opts.out + ".partial";
  std::FILE* file = std::fopen(partial.c_str(), "wbx");
  if (!file) {
    std::fprintf(stderr, "palettemaker: cannot create %s\n", partial.c_str());
    return 1;
  }
  auto summary = app::ExportTenant(services, ws->workspace, file, PM_VERSION);
  bool written = summary.ok() && std::fflush(file) == 0 && fsync(fileno(file)) == 0;
  written = (std::fclose(file) == 0) && written;
  if (!written || std::rename(partial.c_str(), opts.out.c_str()) != 0) {
    std::remove(partial.c_str());
    if (!summary.ok()) return Fail(summary.error());
    std::fprintf(stderr, "palettemaker: writing %s failed\n", opts.out.c_str());
    return 1;
  }
  app::AuditEvent event;
  event.action = "workspace.exported";
  event.tenant = ws->workspace.id;
  event.actor_kind = "system";
  event.target = "workspace:" + std::to_string(ws->workspace.id.value);
  event.details_json = nlohmann::json{{"palettes", summary->palettes}, {"objects", summary->objects},
                                      {"bytes", summary->archive_bytes}}
                           .dump();
  app::Audit(services, event);
  std::printf("exported %s to %s: %lld members, %lld palettes, %lld images (%lld bytes), archive %lld bytes\n",
              opts.slug.c_str(), opts.out.c_str(), static_cast<long long>(summary->members),
              static_cast<long long>(summary->palettes), static_cast<long long>(summary->objects),
              static_cast<long long>(summary->object_bytes), static_cast<long long>(summary->archive_bytes));
  return 0;
}

// import-tenant FILE [--slug S] [--owner EMAIL]: a new workspace from an export, all or nothing.
int RunImportTenant(const Options& opts) {
  config::Config cfg;
  if (!LoadConfig(opts, &cfg)) return 2;
  auto backends = OpenMigratedBackends(cfg, true);
  if (!backends.ok()) return Fail(backends.error());
  app::Services services{backends->store.get(), backends->objects.get(), &cfg, &Clock::System()};
  app::TenantImportOptions o;
  o.archive = opts.archive;
  o.slug = opts.slug;
  o.owner_email = opts.owner;
  auto summary = app::ImportTenant(services, o);
  if (!summary.ok()) return Fail(summary.error());
  for (const std::string& m : summary->members_added) std::printf("member added: %s\n", m.c_str());
  for (const std::string& m : summary->members_missing) {
    std::printf("member not added: %s has no account here (invite them from the workspace)\n", m.c_str());
  }
  std::printf("imported %s as workspace %s (id %lld): %lld palettes, %lld images (%lld bytes), %zu members added, "
              "%zu without an account\n",
              opts.archive.c_str(), summary->slug.c_str(), static_cast<long long>(summary->tenant.value),
              static_cast<long long>(summary->palettes), static_cast<long long>(summary->objects),
              static_cast<long long>(summary->object_bytes), summary->members_added.size(),
              summary->members_missing.size());
  return 0;
}

// healthcheck: exit 0 when /healthz answers 200, 1 otherwise (one line why), 2 on bad usage.
int RunHealthcheck(const Options& opts) {
  Result<std::string> url = MakeError(ErrorCode::kInternal, "unset");
  if (!opts.health_url.empty()) {
    url = HealthUrl(opts.health_url);
  } else {
    config::Config cfg;
    if (!LoadConfig(opts, &cfg)) return 2;
    url = HealthUrlForListen(cfg.server.listen);
  }
  if (!url.ok()) return Fail(url.error());
  Status healthy = ProbeHealth(url.value(), opts.health_timeout_s);
  if (!healthy.ok()) {
    std::fprintf(stderr, "palettemaker: unhealthy: %s\n", healthy.error().message.c_str());
    return 1;
  }
  std::printf("healthy: %s\n", url.value().c_str());
  return 0;
}

int RunDoctor(const Options& opts) {
  DoctorOptions options;
  options.config_path = opts.config_path;
  options.min_free_mb = opts.min_free_mb;
  options.timeout_s = opts.health_timeout_s;
  std::vector<DoctorCheck> checks = cli::RunDoctor(options, config::ProcessEnv());
  std::string out = opts.json ? FormatDoctorJson(checks) : FormatDoctorText(checks);
  std::fwrite(out.data(), 1, out.size(), stdout);
  for (const DoctorCheck& c : checks) {
    if (c.status == CheckStatus::kFail) return 1;
  }
  return 0;
}

int RunConfigDump(const Options& opts) {
  config::Config cfg;
  if (!LoadConfig(opts, &cfg)) return 2;
  std::printf("%s", config::Dump(cfg).c_str());
  return 0;
}

}  // namespace

int Run(int argc, char** argv) {
  if (!InitCrypto()) {
    std::fprintf(stderr, "palettemaker: libsodium could not initialise\n");
    return 1;
  }
  Options opts;
  CLI::App cli{"Palette Maker: colour palettes from images, as a self-hosted multi-tenant service.",
               "palettemaker"};
  cli.require_subcommand(1);
  cli.set_version_flag("--version", PM_VERSION);
  cli.add_option("-c,--config", opts.config_path, "TOML configuration file (see config/palettemaker.example.toml)")
      ->check(CLI::ExistingFile);

  // The subcommand table.
  struct Command {
    const char* name;
    const char* help;
    std::function<int()> run;
  };
  int code = 0;
  std::vector<std::pair<CLI::App*, std::function<int()>>> commands;
  auto add = [&](const char* name, const char* help, std::function<int()> run) {
    CLI::App* sub = cli.add_subcommand(name, help);
    commands.emplace_back(sub, std::move(run));
    return sub;
  };
  add("serve", "Run the HTTP server (applies pending migrations first).", [&] { return RunServe(opts); });
  add("migrate", "Apply pending database migrations and list them.", [&] { return RunMigrate(opts); });
  add("version", "Print the version.", [&] {
    std::printf("palettemaker %s\n", PM_VERSION);
    // Which image formats this build decodes (AVIF is absent from the static build).
    std::string formats;
    for (engine::ImageFormat f : {engine::ImageFormat::kJpeg, engine::ImageFormat::kPng,
                                  engine::ImageFormat::kWebp, engine::ImageFormat::kGif,
                                  engine::ImageFormat::kTiff, engine::ImageFormat::kAvif}) {
      if (engine::CanDecode(f)) formats += std::string(formats.empty() ? "" : " ") + engine::FormatName(f);
    }
    std::printf("image formats: %s\n", formats.c_str());
    return 0;
  });
  CLI::App* palette = add("palette", "Print the palette (and with --strategy, the regions) of an image as JSON.", [&] { return RunPalette(opts); });
  palette->add_option("IMAGE", opts.image, "Image file (JPEG, PNG, WebP, GIF, TIFF, AVIF)")->required();
  palette->add_option("-k,--k", opts.k, "Number of colours, 2 to 20 (default: 5 from 7 clusters)")
      ->check(CLI::Range(2, 20));
  palette->add_option("--strategy", opts.strategy,
                      "Detect regions with this strategy (default, adaptive, otsu, canny, color, watershed, "
                      "grabcut, slic, saliency, meanshift, quadtree, circles, rectangles, contour_circles, "
                      "template_match); without it no regions are detected");
  palette->add_option("--params", opts.params_json,
                      "Strategy parameters as a JSON object, e.g. '{\"block_size\": 15}'");
  palette->add_option("--template-box", opts.template_box,
                      "x,y,width,height of the area template_match looks for (implies --strategy template_match)");
  CLI::App* admin = cli.add_subcommand("admin", "Platform operators.");
  admin->require_subcommand(1);
  CLI::App* admin_create =
      admin->add_subcommand("create", "Print a one-time link (valid 24 h) that makes --email an operator.");
  admin_create->add_option("--email", opts.email, "The operator's e-mail address (an existing account is promoted)");
  commands.emplace_back(admin_create, [&] { return RunAdminCreate(opts); });
  CLI::App* outbox = add("outbox", "Print the newest e-mail messages (password reset links), sent or not.",
                         [&] { return RunOutbox(opts); });
  outbox->add_option("--limit", opts.outbox_limit, "How many messages, newest first (1 to 1000; default 20)")
      ->check(CLI::Range(1, 1000));
  CLI::App* legacy = add("import-legacy",
                          "Import an install of the original single-user app (image_metadata.jsonl + uploads/) "
                          "into a workspace; running it again imports nothing twice.",
                          [&] { return RunImportLegacy(opts); });
  legacy->add_option("--metadata", opts.legacy_metadata, "The original app's image_metadata.jsonl")
      ->required()
      ->check(CLI::ExistingFile);
  legacy->add_option("--uploads", opts.legacy_uploads, "The directory holding its cached images (uploads/)")
      ->required()
      ->check(CLI::ExistingDirectory);
  legacy->add_option("--tenant", opts.tenant, "The slug of the workspace to import into")->required();
  legacy->add_flag("--dry-run", opts.dry_run, "Check every line and image, write nothing");
  CLI::App* backup = add("backup",
                          "Write a consistent backup of the embedded setup (SQLite + local objects) while the "
                          "server keeps running. PostgreSQL/S3: use pg_dump and bucket versioning.",
                          [&] { return RunBackup(opts); });
  backup->add_option("--out", opts.out, "The archive to write (must not exist)")->required();
  CLI::App* restore = add("restore",
                           "Restore a backup into an empty or new data directory (data.dir), all or nothing.",
                           [&] { return RunRestore(opts); });
  restore->add_option("FILE", opts.archive, "The backup archive")->required()->check(CLI::ExistingFile);
  CLI::App* export_tenant = add("export-tenant",
                                 "Write one workspace (palettes, members, settings, images) as an archive that "
                                 "import-tenant recreates in another deployment.",
                                 [&] { return RunExportTenant(opts); });
  export_tenant->add_option("SLUG", opts.slug, "The workspace's slug")->required();
  export_tenant->add_option("--out", opts.out, "The archive to write (must not exist)")->required();
  CLI::App* import_tenant = add("import-tenant",
                                 "Create a new workspace from an export-tenant archive (all or nothing; members "
                                 "matched to existing accounts by e-mail).",
                                 [&] { return RunImportTenant(opts); });
  import_tenant->add_option("FILE", opts.archive, "The archive")->required()->check(CLI::ExistingFile);
  import_tenant->add_option("--slug", opts.slug, "Slug of the new workspace (default: the archive's)");
  import_tenant->add_option("--owner", opts.owner,
                            "E-mail address of the account that owns it (default: the archive's owner)");
  CLI::App* healthcheck = add("healthcheck",
                               "GET /healthz of the server at server.listen (or --url): exit 0 when it "
                               "answers 200, else 1 (for container health checks; the image has no curl).",
                               [&] { return RunHealthcheck(opts); });
  healthcheck->add_option("--url", opts.health_url,
                          "http(s)://HOST[:PORT][/PATH] to probe instead (default path /healthz)");
  healthcheck->add_option("--timeout", opts.health_timeout_s, "Seconds for connecting and for the answer, 1 to 60 (default 3)")
      ->check(CLI::Range(1, 60));
  CLI::App* doctor = add("doctor",
                         "Check configuration, data directory, database, object store, listen address, "
                         "e-mail, CA bundle and clock; one line each (ok|warn|FAIL). Exit 1 on any FAIL. "
                         "Modifies no tenant data.",
                         [&] { return RunDoctor(opts); });
  doctor->add_flag("--json", opts.json, "Print the checks as JSON");
  doctor->add_option("--min-free-mb", opts.min_free_mb,
                     "Warn when data.dir's file system has less free space (MB, default 1024)")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 40));
  doctor->add_option("--timeout", opts.health_timeout_s, "Seconds for network probes of our own, 1 to 60 (default 3)")
      ->check(CLI::Range(1, 60));
  CLI::App* config_cmd = cli.add_subcommand("config", "Inspect configuration.");
  config_cmd->require_subcommand(1);
  CLI::App* dump = config_cmd->add_subcommand("dump", "Print the effective configuration (secrets masked).");
  commands.emplace_back(dump, [&] { return RunConfigDump(opts); });
  CLI::App* example = config_cmd->add_subcommand("example", "Print the documented example configuration file.");
  commands.emplace_back(example, [&] {
    std::printf("%s", config::ExampleToml().c_str());
    return 0;
  });

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // admin create is for scripts: one line and exit 2 on bad arguments.
    if (admin_create->parsed() && e.get_exit_code() != 0) {
      std::fprintf(stderr, "palettemaker: %s\n", e.what());
      return 2;
    }
    // healthcheck and doctor run from scripts and HEALTHCHECKs too: the reason, the usage, exit 2.
    if ((healthcheck->parsed() || doctor->parsed()) && e.get_exit_code() != 0) {
      CLI::App* sub = healthcheck->parsed() ? healthcheck : doctor;
      std::fprintf(stderr, "palettemaker: %s\n%s", e.what(), sub->help().c_str());
      return 2;
    }
    return cli.exit(e);
  }
  for (auto& [sub, run] : commands) {
    if (sub->parsed()) code = run();
  }
  return code;
}

}  // namespace pm::cli
