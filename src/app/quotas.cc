#include "app/quotas.h"

#include <algorithm>
#include <string>

#include "app/app_metrics.h"
#include "common/log.h"

namespace pm::app {
namespace {

constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kMinuteMs = 60'000;

// Whole seconds until `until_ms`, at least 1 (a Retry-After of 0 invites a busy loop).
int64_t SecondsUntil(int64_t now_ms, int64_t until_ms) {
  return std::max<int64_t>(1, (until_ms - now_ms + 999) / 1000);
}

std::string Quoted(const std::string& s) { return "\"" + s + "\""; }

// The counters-table key of a tenant's per-minute request windows.
std::string RequestCounterKey(TenantId tenant) { return "requests:" + std::to_string(tenant.value); }

int64_t WindowStart(int64_t now_ms) { return now_ms - now_ms % kMinuteMs; }

Error QuotaExceeded(const std::string& what) { return MakeError(ErrorCode::kQuotaExceeded, what); }

}  // namespace

const config::Plan& PlanNamed(const config::Config& config, std::string_view name) {
  if (!name.empty()) {
    if (const config::Plan* p = config::FindPlan(config, name)) return *p;
  }
  const config::Plan* fallback = config::FindPlan(config, config.plans.default_plan);
  // config::Load refuses a plans.default that names no plan; a hand-built Config might not.
  if (fallback != nullptr) return *fallback;
  static const config::Plan kUnlimited{"unlimited"};
  return kUnlimited;
}

const config::Plan& PlanFor(const config::Config& config, const store::Workspace& workspace) {
  return PlanNamed(config, workspace.plan);
}

int64_t UtcDay(int64_t now_ms) {
  return now_ms >= 0 ? now_ms / kDayMs : -((-now_ms + kDayMs - 1) / kDayMs);
}

Result<UsageSummary> SummarizeUsage(const Services& s, TenantId tenant) {
  const int64_t now = s.clock->NowMillis();
  const int64_t today = UtcDay(now);
  UsageSummary out;
  PM_ASSIGN_OR_RETURN(out.live, s.store->GetTenantUsage(tenant, now));
  out.plan = PlanNamed(*s.config, out.live.plan);
  const config::Config& c = *s.config;
  out.effective_upload_bytes = out.plan.upload_bytes > 0
                                   ? std::min(out.plan.upload_bytes, c.limits.upload_max_bytes)
                                   : c.limits.upload_max_bytes;
  out.effective_image_pixels = out.plan.image_pixels > 0
                                   ? std::min(out.plan.image_pixels, c.limits.image_max_pixels)
                                   : c.limits.image_max_pixels;
  PM_ASSIGN_OR_RETURN(out.requests_this_minute,
                      s.store->GetCounter(RequestCounterKey(tenant), WindowStart(now)));
  PM_ASSIGN_OR_RETURN(auto counts, s.store->ListUsage(tenant, today - (kUsageDays - 1), today));
  for (int i = 0; i < kUsageDays; ++i) out.days.push_back(UsageDay{today - (kUsageDays - 1) + i});
  for (const store::UsageCount& u : counts) {
    UsageDay& d = out.days[static_cast<size_t>(u.day - (today - (kUsageDays - 1)))];
    if (u.metric == kMetricUploads) d.uploads = u.count;
    else if (u.metric == kMetricUploadBytes) d.upload_bytes = u.count;
    else if (u.metric == kMetricExtractions) d.extractions = u.count;
    else if (u.metric == kMetricDetections) d.detections = u.count;
    else if (u.metric == kMetricRequests) d.requests = u.count;
  }
  return out;
}

RequestMeter::~RequestMeter() { Flush(); }

void RequestMeter::Add(TenantId tenant, int64_t now_ms) {
  bool due = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++pending_[{tenant.value, UtcDay(now_ms)}];
    if (last_flush_ms_ == 0) last_flush_ms_ = now_ms;
    due = now_ms - last_flush_ms_ >= flush_interval_ms_;
    if (due) last_flush_ms_ = now_ms;
  }
  if (due) Flush();
}

void RequestMeter::Flush() {
  std::map<std::pair<int64_t, int64_t>, int64_t> batch;
  {
    std::lock_guard<std::mutex> lock(mu_);
    batch.swap(pending_);
  }
  std::map<std::pair<int64_t, int64_t>, int64_t> failed;
  for (const auto& [key, n] : batch) {
    Status st = s_.store->AddUsage(TenantId(key.first), key.second, kMetricRequests, n);
    if (st.ok()) continue;
    // Kept for the next flush only when the database was unreachable; otherwise (a workspace
    // purged meanwhile) the counts have nowhere to go.
    if (st.error().code == ErrorCode::kUnavailable) {
      failed[key] += n;
    } else {
      log::Warn("request metering dropped", {{"tenant_id", static_cast<long long>(key.first)},
                                             {"requests", static_cast<long long>(n)},
                                             {"error", st.error().message}});
    }
  }
  if (failed.empty()) return;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [key, n] : failed) pending_[key] += n;
}

Status Quotas::CountRequest(const TenantContext& ctx, RequestMeter& meter) {
  const config::Plan& plan = PlanFor(*s_.config, ctx.workspace);
  if (plan.requests_per_minute > 0) return CountRequest(ctx);
  meter.Add(ctx.tenant, s_.clock->NowMillis());
  return Status::Ok();
}

Status Quotas::CountRequest(const TenantContext& ctx) {
  const int64_t now = s_.clock->NowMillis();
  const int64_t window = WindowStart(now);
  PM_ASSIGN_OR_RETURN(int64_t count, s_.store->CountRequest(ctx.tenant, UtcDay(now),
                                                            RequestCounterKey(ctx.tenant), window,
                                                            window + 2 * kMinuteMs));
  const config::Plan& plan = PlanFor(*s_.config, ctx.workspace);
  if (plan.requests_per_minute > 0 && count > plan.requests_per_minute) {
    int64_t retry = SecondsUntil(now, window + kMinuteMs);
    CountQuotaRefusal("requests");
    Error e = MakeError(ErrorCode::kRateLimited,
                        "too many requests: this workspace's plan (" + Quoted(plan.name) + ") allows " +
                            std::to_string(plan.requests_per_minute) +
                            " API requests a minute; try again in " + std::to_string(retry) +
                            " seconds");
    e.retry_after_s = retry;
    return e;
  }
  return Status::Ok();
}

namespace {

Status CheckPalettes(const config::Plan& plan, const store::TenantUsage& u) {
  if (plan.palettes == 0 || u.palettes < plan.palettes) return Status::Ok();
  CountQuotaRefusal("palettes");
  return QuotaExceeded("this workspace has reached its plan's limit of " + std::to_string(plan.palettes) +
                       " palettes (plan " + Quoted(plan.name) + "): delete palettes, or ask for a larger plan");
}

}  // namespace

Status Quotas::CheckPaletteSlot(const TenantContext& ctx) {
  const config::Plan& plan = PlanFor(*s_.config, ctx.workspace);
  if (plan.palettes == 0) return Status::Ok();
  PM_ASSIGN_OR_RETURN(store::TenantUsage u, s_.store->GetTenantUsage(ctx.tenant, s_.clock->NowMillis()));
  return CheckPalettes(plan, u);
}

Status Quotas::CheckUploadRoom(const TenantContext& ctx, int64_t bytes) {
  const config::Plan& plan = PlanFor(*s_.config, ctx.workspace);
  if (plan.palettes == 0 && plan.storage_bytes == 0) return Status::Ok();
  // One read for both: the same snapshot of the palette count and the stored bytes.
  PM_ASSIGN_OR_RETURN(store::TenantUsage u, s_.store->GetTenantUsage(ctx.tenant, s_.clock->NowMillis()));
  PM_RETURN_IF_ERROR(CheckPalettes(plan, u));
  if (plan.storage_bytes == 0 || u.stored_bytes + bytes <= plan.storage_bytes) return Status::Ok();
  CountQuotaRefusal("storage_bytes");
  return QuotaExceeded("this image (" + std::to_string(bytes) + " bytes) would take the workspace's stored images to " +
                       std::to_string(u.stored_bytes + bytes) + " bytes, over its plan's limit of " +
                       std::to_string(plan.storage_bytes) + " bytes (plan " + Quoted(plan.name) +
                       "): delete palettes, or ask for a larger plan");
}

int64_t Quotas::UploadLimit(const TenantContext& ctx) const {
  const config::Plan& plan = PlanFor(*s_.config, ctx.workspace);
  int64_t server = s_.config->limits.upload_max_bytes;
  return plan.upload_bytes > 0 ? std::min(plan.upload_bytes, server) : server;
}

Status Quotas::CheckUploadBytes(const TenantContext& ctx, int64_t bytes) const {
  int64_t limit = UploadLimit(ctx);
  if (bytes <= limit) return Status::Ok();
  const config::Plan& plan = PlanFor(*s_.config, ctx.workspace);
  if (plan.upload_bytes > 0 && plan.upload_bytes < s_.config->limits.upload_max_bytes) {
    CountQuotaRefusal("upload_bytes");
    return MakeError(ErrorCode::kPayloadTooLarge,
                     "the file is larger than this workspace's plan (" + Quoted(plan.name) +
                         ") allows: uploads up to " + std::to_string(limit) + " bytes");
  }
  return MakeError(ErrorCode::kPayloadTooLarge,
                   "the file is larger than the upload limit of " + std::to_string(limit) + " bytes");
}

Status Quotas::CheckImagePixels(const TenantContext& ctx, int64_t width, int64_t height) const {
  const config::Plan& plan = PlanFor(*s_.config, ctx.workspace);
  if (plan.image_pixels == 0 || width * height <= plan.image_pixels) return Status::Ok();
  CountQuotaRefusal("image_pixels");
  return MakeError(ErrorCode::kPayloadTooLarge,
                   "the image is " + std::to_string(width) + " x " + std::to_string(height) + " = " +
                       std::to_string(width * height) + " pixels, more than the " +
                       std::to_string(plan.image_pixels) + " this workspace's plan (" + Quoted(plan.name) +
                       ") allows: scale it down and upload again");
}

Status Quotas::CheckMemberSlot(TenantId tenant, bool adding_invitation, bool replaces_pending) {
  PM_ASSIGN_OR_RETURN(store::TenantUsage u, s_.store->GetTenantUsage(tenant, s_.clock->NowMillis()));
  const config::Plan& plan = PlanNamed(*s_.config, u.plan);
  if (plan.members == 0) return Status::Ok();
  int64_t after = adding_invitation
                      ? u.members + u.pending_invitations + (replaces_pending ? 0 : 1)
                      : u.members + 1;
  if (after <= plan.members) return Status::Ok();
  CountQuotaRefusal("members");
  return QuotaExceeded("this workspace has reached its plan's limit of " + std::to_string(plan.members) +
                       " members, pending invitations included (plan " + Quoted(plan.name) +
                       "): remove a member or cancel an invitation, or ask for a larger plan");
}

Result<int64_t> Quotas::ReserveDetection(const TenantContext& ctx) {
  const int64_t now = s_.clock->NowMillis();
  const int64_t day = UtcDay(now);
  const config::Plan& plan = PlanFor(*s_.config, ctx.workspace);
  if (plan.detections_per_day == 0) {
    PM_RETURN_IF_ERROR(s_.store->AddUsage(ctx.tenant, day, kMetricDetections, 1));
    return day;
  }
  PM_ASSIGN_OR_RETURN(auto granted,
                      s_.store->AddUsageWithin(ctx.tenant, day, kMetricDetections, 1, plan.detections_per_day));
  if (!granted) {
    int64_t retry = SecondsUntil(now, (day + 1) * kDayMs);
    CountQuotaRefusal("detections");
    Error e = MakeError(ErrorCode::kRateLimited,
                        "this workspace has used the " + std::to_string(plan.detections_per_day) +
                            " region detections a day its plan (" + Quoted(plan.name) +
                            ") allows; more are possible after midnight UTC, in " +
                            std::to_string(retry) + " seconds");
    e.retry_after_s = retry;
    return e;
  }
  return day;
}

void Quotas::ReleaseDetection(const TenantContext& ctx, int64_t day) {
  // The day it was reserved on, even if midnight passed meanwhile.
  Status st = s_.store->AddUsage(ctx.tenant, day, kMetricDetections, -1);
  if (!st.ok()) {
    log::Warn("could not give back a detection reservation",
              {{"tenant_id", static_cast<long long>(ctx.tenant.value)}, {"error", st.error().message}});
  }
}

void Quotas::Meter(TenantId tenant, std::string_view metric, int64_t n) {
  Status st = s_.store->AddUsage(tenant, UtcDay(s_.clock->NowMillis()), metric, n);
  if (!st.ok()) {
    log::Warn("could not meter usage", {{"tenant_id", static_cast<long long>(tenant.value)},
                                        {"metric", std::string(metric)},
                                        {"error", st.error().message}});
  }
}

}  // namespace pm::app
