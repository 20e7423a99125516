// Janitor: background clean-ups that must run on exactly one replica at a time. Each RunOnce
// first takes (or renews) the "janitor" lease in the database; a replica that dies stops
// renewing, and another takes over once the lease expires (3 intervals).
//
// Work: delete expired sessions, counters and invitations; delete stored objects that no palette references
// and that are older than jobs.orphan_grace_s (an upload in flight writes its object before its
// row, so young objects are left alone); purge soft-deleted workspaces whose grace period
// (jobs.delete_grace_days) has passed: their objects, then their rows (app::PurgeWorkspace),
// audited as workspace.purged (actor_kind "system"). A workspace whose purge fails is tried again
// at the next run.
//
// Thread safety: RunOnce from one thread at a time (the serve loop); Stop from any thread.
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>

#include "app/services.h"
#include "common/result.h"

namespace pm::app {

struct JanitorReport {
  bool held_lease = false;
  int sessions_deleted = 0;
  int counters_deleted = 0;
  int invitations_deleted = 0;
  int orphans_deleted = 0;
  int workspaces_purged = 0;
};

class Janitor {
 public:
  Janitor(Services services, std::string holder) : s_(services), holder_(std::move(holder)) {}

  Result<JanitorReport> RunOnce();

  // Runs RunOnce every jobs.interval_s until Stop() (then releases the lease).
  void Loop();
  void Stop();

 private:
  Services s_;
  std::string holder_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
};

}  // namespace pm::app
