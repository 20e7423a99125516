// GET /api/v1/t/{ws}/usage: the workspace's plan, what it uses now, and its last 30 days
// (capability view_usage: admins and the owner; not with API tokens).
#include "app/quotas.h"
#include "http/api.h"
#include "http/json_io.h"

namespace pm::http {
namespace {

// A cap for clients: null = unlimited (0 in config).
nlohmann::json Cap(int64_t v) { return v > 0 ? nlohmann::json(v) : nlohmann::json(nullptr); }

// "YYYY-MM-DD" of a UTC day number.
std::string DayString(int64_t day) { return IsoTime(day * 86'400'000).substr(0, 10); }

}  // namespace

nlohmann::json UsageSummaryJson(const app::UsageSummary& u) {
  const config::Plan& p = u.plan;
  nlohmann::json limits = {{"members", Cap(p.members)},
                           {"palettes", Cap(p.palettes)},
                           {"storage_bytes", Cap(p.storage_bytes)},
                           {"upload_bytes", u.effective_upload_bytes},
                           {"image_pixels", u.effective_image_pixels},
                           {"detections_per_day", Cap(p.detections_per_day)},
                           {"requests_per_minute", Cap(p.requests_per_minute)}};
  nlohmann::json days = nlohmann::json::array();
  for (const app::UsageDay& d : u.days) {
    days.push_back({{"day", DayString(d.day)},
                    {"uploads", d.uploads},
                    {"extractions", d.extractions},
                    {"detections", d.detections},
                    {"requests", d.requests},
                    {"upload_bytes", d.upload_bytes}});
  }
  const app::UsageDay& today = u.days.back();
  nlohmann::json usage = {{"members", u.live.members},
                          {"pending_invitations", u.live.pending_invitations},
                          {"palettes", u.live.palettes},
                          {"storage_bytes", u.live.stored_bytes},
                          {"uploads_today", today.uploads},
                          {"extractions_today", today.extractions},
                          {"detections_today", today.detections},
                          {"requests_today", today.requests},
                          {"requests_this_minute", u.requests_this_minute}};
  return {{"plan", {{"name", p.name}, {"limits", limits}}}, {"usage", usage}, {"days", days}};
}

void AddUsageRoutes(Router& router, const ApiContext& api) {
  app::Services services = api.services;
  app::RequestMeter* meter = api.request_meter;
  router.Add(TenantRoute("GET", "/api/v1/t/{ws}/usage", auth::Capability::kViewUsage,
                         [services, meter](Call& call) -> Status {
                           // This replica's buffered request counts (others' lag by at most
                           // their flush interval).
                           if (meter) meter->Flush();
                           PM_ASSIGN_OR_RETURN(app::UsageSummary summary,
                                               app::SummarizeUsage(services, call.tenant->tenant));
                           SendJson(call.ex, 200, UsageSummaryJson(summary));
                           return Status::Ok();
                         },
                         "The workspace's plan and its limits, what it uses now, and its last 30 "
                         "days of metered usage."));
}

}  // namespace pm::http
