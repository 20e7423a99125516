#include "app/app_metrics.h"

#include <algorithm>

#include "common/metrics.h"

namespace pm::app {
namespace {

struct Families {
  metrics::HistogramFamily& engine = metrics::Default().Histogram(
      "palettemaker_engine_operation_duration_seconds",
      "Time spent in image-engine operations (decode, palette extraction, region detection by strategy, "
      "thumbnails, export encoding).",
      {"operation"}, metrics::EngineBuckets());
  metrics::CounterFamily& uploads = metrics::Default().Counter(
      "palettemaker_uploads_total", "Image uploads by result (ok, or the error code of the refusal).", {"result"});
  metrics::Counter& upload_bytes = metrics::Default()
                                       .Counter("palettemaker_upload_bytes_total", "Bytes of images uploaded successfully.")
                                       .With({});
  metrics::CounterFamily& quota_refusals = metrics::Default().Counter(
      "palettemaker_quota_refusals_total", "Requests refused by a plan limit, by resource.", {"resource"});
  metrics::CounterFamily& tenant_requests = metrics::Default().Counter(
      "palettemaker_tenant_requests_total",
      "Tenant API requests per workspace (slug; past metrics.tenant_cardinality_cap under _other).", {"tenant"});
  metrics::CounterFamily& tenant_uploads = metrics::Default().Counter(
      "palettemaker_tenant_uploads_total", "Successful uploads per workspace.", {"tenant"});
  metrics::CounterFamily& tenant_upload_bytes = metrics::Default().Counter(
      "palettemaker_tenant_upload_bytes_total", "Uploaded image bytes per workspace.", {"tenant"});
  metrics::CounterFamily& tenant_quota_refusals = metrics::Default().Counter(
      "palettemaker_tenant_quota_refusals_total", "Requests refused by a plan limit per workspace.", {"tenant"});
};

Families& F() {
  static Families* f = new Families();  // lives until exit, like the registry
  return *f;
}

metrics::CappedLabel& Tenants() {
  static metrics::CappedLabel* label = new metrics::CappedLabel(100);
  return *label;
}

}  // namespace

void InitAppMetrics(const config::Config& config) {
  Families& f = F();
  Tenants().SetCap(static_cast<size_t>(std::max(0, config.metrics.tenant_cardinality_cap)));
  for (std::string_view r : kQuotaResources) f.quota_refusals.With({r});
  f.uploads.With({"ok"});
  for (std::string_view op : {"decode", "palette", "thumbnail"}) f.engine.With({op});
}

void ObserveEngine(std::string_view operation, double seconds) { F().engine.With({operation}).Observe(seconds); }

void CountUpload(std::string_view tenant_slug, std::string_view result, int64_t bytes) {
  Families& f = F();
  f.uploads.With({result}).Inc();
  if (result != "ok") return;
  const uint64_t n = static_cast<uint64_t>(std::max<int64_t>(0, bytes));
  f.upload_bytes.Inc(n);
  std::string_view tenant = Tenants().Admit(tenant_slug);
  f.tenant_uploads.With({tenant}).Inc();
  f.tenant_upload_bytes.With({tenant}).Inc(n);
}

void CountTenantRequest(std::string_view tenant_slug) { F().tenant_requests.With({Tenants().Admit(tenant_slug)}).Inc(); }

void CountQuotaRefusal(std::string_view resource) { F().quota_refusals.With({resource}).Inc(); }

void CountTenantQuotaRefusal(std::string_view tenant_slug) {
  F().tenant_quota_refusals.With({Tenants().Admit(tenant_slug)}).Inc();
}

}  // namespace pm::app
