// The use-case metrics of /metrics (docs/OPERATIONS.md "Metrics and alerts"): image-engine
// timings, uploads, quota refusals and the per-tenant usage counters. They live in the process-wide
// registry (common/metrics.h); the engine itself stays pure, the timings are taken around its calls
// here in app/.
//
// Tenant labels are workspace slugs, capped by metrics.tenant_cardinality_cap: the first
// workspaces seen since start-up get their own label, every later one counts under "_other".
// Thread safety: every function may be called from many threads at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "config/config.h"

namespace pm::app {

// Registers the families, creates the zero-valued series alerts and dashboards expect to exist
// (quota refusals by resource, upload results), and applies the tenant cap. Idempotent.
void InitAppMetrics(const config::Config& config);

// palettemaker_engine_operation_duration_seconds{operation}. `operation` must come from a fixed
// set (decode, palette, regions_<strategy>, region_colors, thumbnail, export_png).
void ObserveEngine(std::string_view operation, double seconds);

// Times a scope into ObserveEngine.
class EngineTimer {
 public:
  explicit EngineTimer(std::string_view operation)
      : operation_(operation), start_(std::chrono::steady_clock::now()) {}
  ~EngineTimer() {
    ObserveEngine(operation_, std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
  }
  EngineTimer(const EngineTimer&) = delete;
  EngineTimer& operator=(const EngineTimer&) = delete;

 private:
  std::string_view operation_;
  std::chrono::steady_clock::time_point start_;
};

// An upload finished: palettemaker_uploads_total{result} (result "ok" or the error code name),
// and for "ok" palettemaker_upload_bytes_total plus the tenant's upload counters.
void CountUpload(std::string_view tenant_slug, std::string_view result, int64_t bytes);
// A tenant API request passed the tenant gate: palettemaker_tenant_requests_total{tenant}.
void CountTenantRequest(std::string_view tenant_slug);
// A plan limit refused something: palettemaker_quota_refusals_total{resource}.
void CountQuotaRefusal(std::string_view resource);
// ... and the same per tenant (the HTTP layer knows the workspace of every tenant route).
void CountTenantQuotaRefusal(std::string_view tenant_slug);

// The resources CountQuotaRefusal knows (the label values).
inline constexpr std::string_view kQuotaResources[] = {"palettes", "storage_bytes", "upload_bytes", "image_pixels",
                                                       "members", "detections", "requests"};

}  // namespace pm::app
