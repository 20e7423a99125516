#include "app/janitor.h"

#include <charconv>
#include <chrono>
#include <optional>
#include <string>

#include "app/audit.h"
#include "app/purge.h"
#include "app/thumbnails.h"
#include "common/log.h"

namespace pm::app {
namespace {
constexpr const char* kLease = "janitor";
// Workspaces purged per run at most (each deletes all its objects): the rest wait a run.
constexpr int kPurgesPerRun = 20;

// "tenants/{id}/..." -> id, or 0 for anything else.
int64_t TenantOfKey(std::string_view key) {
  constexpr std::string_view kPrefix = "tenants/";
  if (key.substr(0, kPrefix.size()) != kPrefix) return 0;
  key.remove_prefix(kPrefix.size());
  size_t slash = key.find('/');
  if (slash == std::string_view::npos) return 0;
  int64_t id = 0;
  auto [p, ec] = std::from_chars(key.data(), key.data() + slash, id);
  return ec == std::errc() && p == key.data() + slash ? id : 0;
}
}  // namespace

Result<JanitorReport> Janitor::RunOnce() {
  JanitorReport report;
  const int64_t now = s_.clock->NowMillis();
  const int64_t ttl = int64_t{s_.config->jobs.interval_s} * 3 * 1000;
  PM_ASSIGN_OR_RETURN(report.held_lease, s_.store->TryAcquireLease(kLease, holder_, now, ttl));
  if (!report.held_lease) return report;

  PM_ASSIGN_OR_RETURN(report.sessions_deleted, s_.store->DeleteExpiredSessions(now));
  PM_ASSIGN_OR_RETURN(report.counters_deleted, s_.store->DeleteExpiredCounters(now));
  PM_ASSIGN_OR_RETURN(report.invitations_deleted, s_.store->DeleteExpiredInvitations(now));
  // Used and expired password reset tokens are of no further use.
  PM_ASSIGN_OR_RETURN(int resets_deleted, s_.store->DeleteStalePasswordResets(now));
  (void)resets_deleted;

  // Before the orphan sweep: a purged workspace leaves nothing for it to find.
  PM_ASSIGN_OR_RETURN(std::vector<TenantId> due, s_.store->ListTenantsToPurge(now, kPurgesPerRun));
  for (TenantId tenant : due) {
    auto purged = PurgeWorkspace(s_, tenant);
    if (!purged.ok() && purged.error().code != ErrorCode::kNotFound) {
      log::Warn("could not purge a deleted workspace",
                {{"tenant_id", static_cast<long long>(tenant.value)}, {"error", purged.error().message}});
      continue;
    }
    AuditEvent event;
    event.action = "workspace.purged";
    event.tenant = tenant;
    event.actor_kind = "system";
    event.target = "tenant:" + std::to_string(tenant.value);
    event.details_json = "{\"objects_deleted\":" + std::to_string(purged.ok() ? purged->objects_deleted : 0) + "}";
    Audit(s_, event);
    ++report.workspaces_purged;
  }

  const int64_t cutoff = now - int64_t{s_.config->jobs.orphan_grace_s} * 1000;
  PM_ASSIGN_OR_RETURN(auto objects, s_.objects->List("tenants/"));
  for (const auto& obj : objects) {
    if (obj.modified_ms > cutoff) continue;
    int64_t tenant = TenantOfKey(obj.key);
    if (tenant <= 0) continue;
    // A thumbnail is in use as long as the image it was made from is.
    std::optional<std::string> image_key = ImageKeyOfThumbnail(obj.key);
    PM_ASSIGN_OR_RETURN(bool in_use, s_.store->ObjectKeyInUse(TenantId(tenant), image_key ? *image_key : obj.key));
    if (in_use) continue;
    Status st = s_.objects->Delete(obj.key);
    if (!st.ok()) {
      log::Warn("could not delete an orphaned object", {{"key", obj.key}, {"error", st.error().message}});
      continue;
    }
    log::Info("deleted orphaned object", {{"key", obj.key}});
    ++report.orphans_deleted;
  }
  return report;
}

void Janitor::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    lock.unlock();
    auto r = RunOnce();
    if (!r.ok()) {
      log::Warn("background clean-up failed", {{"error", r.error().message}});
    } else if (r->sessions_deleted + r->counters_deleted + r->invitations_deleted + r->orphans_deleted +
                   r->workspaces_purged > 0) {
      log::Info("background clean-up", {{"sessions", r->sessions_deleted},
                                        {"counters", r->counters_deleted},
                                        {"invitations", r->invitations_deleted},
                                        {"orphans", r->orphans_deleted},
                                        {"workspaces_purged", r->workspaces_purged}});
    }
    lock.lock();
    cv_.wait_for(lock, std::chrono::seconds(s_.config->jobs.interval_s), [this] { return stop_; });
  }
  lock.unlock();
  (void)s_.store->ReleaseLease(kLease, holder_);
}

void Janitor::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
}

}  // namespace pm::app
