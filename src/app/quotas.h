// Plans, quotas, rate limits and metering of workspaces (docs/API.md "Plans and quotas").
//
// Every check runs before the use case writes anything, so a refused request changes nothing:
//   kQuotaExceeded (402)   palettes, stored bytes, members at the plan's cap;
//   kPayloadTooLarge (413) an upload or image over the plan's upload_bytes / image_pixels;
//   kRateLimited (429)     detections_per_day or requests_per_minute used up; Error.retry_after_s
//                          is the time to the next UTC day / minute window.
// Counts that must hold across replicas live in the database (usage_daily and the counters
// table). The palette, storage and member caps are checked against live counts just before the
// write: two uploads racing for the last slot may both pass (overshoot bounded by the number of
// concurrent writers); detections and requests are counted atomically and never overshoot.
//
// Tenant scoping: every method takes the tenant (from a TenantContext, or an invitation's
// workspace) and reads and meters only that tenant. Thread-safe (no state beyond Services).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <utility>
#include <string_view>
#include <vector>

#include "app/services.h"
#include "common/result.h"
#include "config/config.h"
#include "store/records.h"
#include "store/store.h"

namespace pm::app {

using config::FindPlan;

// The workspace's plan: the one it names when configured, else plans.default.
const config::Plan& PlanFor(const config::Config& config, const store::Workspace& workspace);
// The same by name ("" or an unknown name: plans.default).
const config::Plan& PlanNamed(const config::Config& config, std::string_view name);

// usage_daily metrics.
inline constexpr std::string_view kMetricUploads = "uploads";
inline constexpr std::string_view kMetricUploadBytes = "upload_bytes";
inline constexpr std::string_view kMetricExtractions = "extractions";  // uploads + re-extracts
inline constexpr std::string_view kMetricDetections = "detections";
inline constexpr std::string_view kMetricRequests = "requests";

// Days since 1970-01-01 UTC of a Unix millisecond time.
int64_t UtcDay(int64_t now_ms);

struct UsageDay {
  int64_t day = 0;  // days since 1970-01-01 UTC
  int64_t uploads = 0;
  int64_t upload_bytes = 0;
  int64_t extractions = 0;
  int64_t detections = 0;
  int64_t requests = 0;
};

// What a workspace's plan allows and what it uses, for owners and admins (GET .../usage) and
// operators.
struct UsageSummary {
  config::Plan plan;              // the plan that applies (named: the resolved name)
  int64_t effective_upload_bytes = 0;  // min(plan, limits.upload_max_bytes); never 0
  int64_t effective_image_pixels = 0;  // min(plan, limits.image_max_pixels); never 0
  store::TenantUsage live;        // members, pending invitations, palettes, stored bytes
  int64_t requests_this_minute = 0;
  std::vector<UsageDay> days;     // the last kUsageDays UTC days, oldest first, today last
};
inline constexpr int kUsageDays = 30;

// The summary of any workspace. No permission check: the caller decides who may see it (the
// usage route: view_usage; the operator API: operators).
Result<UsageSummary> SummarizeUsage(const Services& services, TenantId tenant);

// Requests of workspaces whose plan has no requests_per_minute cap are metered in memory and
// written to usage_daily at most every `flush_interval_ms` (and on Flush / destruction), so an
// uncapped request costs no database write; the per-minute window counter is then not kept
// (requests_this_minute stays 0 for such plans). A crash loses at most one interval of
// request counts of this replica. Capped plans count every request in the database at once
// (the cap must hold across replicas). One per process (the server owns it). Thread-safe.
class RequestMeter {
 public:
  explicit RequestMeter(Services services, int64_t flush_interval_ms = 2000)
      : s_(services), flush_interval_ms_(flush_interval_ms) {}
  ~RequestMeter();
  RequestMeter(const RequestMeter&) = delete;
  RequestMeter& operator=(const RequestMeter&) = delete;

  // Adds one request of `tenant` at `now_ms`; writes the buffer out when the interval passed.
  void Add(TenantId tenant, int64_t now_ms);
  // Writes every buffered count now (a failed write keeps the counts for the next try).
  void Flush();

 private:
  Services s_;
  const int64_t flush_interval_ms_;
  std::mutex mu_;
  std::map<std::pair<int64_t, int64_t>, int64_t> pending_;  // GUARDED_BY(mu_): (tenant, day) -> n
  int64_t last_flush_ms_ = 0;                                // GUARDED_BY(mu_)
};

class Quotas {
 public:
  explicit Quotas(Services services) : s_(services) {}

  // One tenant API request (any route after the tenant gate): metered, and counted against
  // requests_per_minute (kRateLimited past it).
  Status CountRequest(const TenantContext& ctx);
  // The same, with uncapped plans' requests buffered in `meter` instead of written at once.
  Status CountRequest(const TenantContext& ctx, RequestMeter& meter);

  // Room for one more palette (upload before its body is read, duplicate).
  Status CheckPaletteSlot(const TenantContext& ctx);
  // Room for one more palette holding `bytes` more stored bytes (upload, just before storing).
  Status CheckUploadRoom(const TenantContext& ctx, int64_t bytes);
  // The largest upload the workspace may send: min(limits.upload_max_bytes, plan upload_bytes).
  int64_t UploadLimit(const TenantContext& ctx) const;
  // kPayloadTooLarge when `bytes` exceeds UploadLimit, naming the limit that applied.
  Status CheckUploadBytes(const TenantContext& ctx, int64_t bytes) const;
  // kPayloadTooLarge when width x height exceeds the plan's image_pixels (limits.image_max_* are
  // checked by the engine's probe).
  Status CheckImagePixels(const TenantContext& ctx, int64_t width, int64_t height) const;

  // Room for one more member of `tenant`: for a new invitation (`adding_invitation`: pending
  // invitations count, and `replaces_pending` when it replaces one of the same address) or an
  // accepted one (members only: its invitation was counted when it was made).
  Status CheckMemberSlot(TenantId tenant, bool adding_invitation, bool replaces_pending);

  // A region detection: reserved before the work (kRateLimited past detections_per_day) and
  // given back by ReleaseDetection when the detection did not succeed. Returns the reserved day.
  Result<int64_t> ReserveDetection(const TenantContext& ctx);
  void ReleaseDetection(const TenantContext& ctx, int64_t day);

  // Best-effort metering after a use case succeeded (a failure is logged, not returned: the
  // user's work is done and must not be reported as failed).
  void Meter(TenantId tenant, std::string_view metric, int64_t n);

 private:
  Services s_;
};

}  // namespace pm::app
