// app::Quotas and SummarizeUsage with a fake clock (exact windows and Retry-After values, which
// the integration suite can only bound), on a real SQLite store.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>

#include "app/quotas.h"
#include "common/clock.h"
#include "objects/memory_object_store.h"
#include "store/store.h"

using namespace pm;

namespace {

// 2023-11-14T22:13:20Z: 6400 s before midnight UTC, 20 s into its minute.
constexpr int64_t kStart = 1'700'000'000'000;

struct Fixture {
  std::filesystem::path dir;
  std::unique_ptr<store::Store> store;
  FakeClock clock{kStart};
  objects::MemoryObjectStore objects{&clock};
  config::Config config;
  app::TenantContext ctx;

  Fixture() {
    dir = std::filesystem::temp_directory_path() /
          ("pm-quotas-" + std::to_string(::getpid()) + "-" + std::to_string(reinterpret_cast<uintptr_t>(this)));
    std::filesystem::create_directories(dir);
    store::StoreOptions o;
    o.url = "sqlite://" + (dir / "db.sqlite").string();
    store = std::move(store::OpenStore(o)).value();
    REQUIRE(store->Migrate().ok());
    auto created = store->CreateUserWithWorkspace({"a@example.com", "A", "hash"}, {"a", "A"}, clock.NowMillis());
    REQUIRE(created.ok());
    ctx.tenant = created->second.id;
    ctx.user = created->first.id;
    ctx.role = auth::Role::kOwner;
    ctx.workspace = created->second;
    config.plans.default_plan = "free";
    config::Plan* free = nullptr;
    for (auto& p : config.plans.plans) {
      if (p.name == "free") free = &p;
    }
    REQUIRE(free != nullptr);
    free->requests_per_minute = 3;
    free->detections_per_day = 2;
    free->upload_bytes = 1000;
    free->image_pixels = 100;
  }
  ~Fixture() {
    store.reset();
    std::filesystem::remove_all(dir);
  }
  app::Services services() { return {store.get(), &objects, &config, &clock}; }
};

}  // namespace

TEST_CASE("quotas: PlanFor falls back to plans.default for an empty or unknown plan", "[app][quotas]") {
  config::Config c;
  store::Workspace ws;
  CHECK(app::PlanFor(c, ws).name == "unlimited");
  ws.plan = "pro";
  CHECK(app::PlanFor(c, ws).name == "pro");
  ws.plan = "retired";
  CHECK(app::PlanFor(c, ws).name == "unlimited");
  c.plans.default_plan = "free";
  CHECK(app::PlanFor(c, ws).name == "free");
  CHECK(app::FindPlan(c, "retired") == nullptr);
  // A hand-made Config whose default names nothing still yields a plan (no caps).
  c.plans.default_plan = "nothing";
  CHECK(app::PlanFor(c, ws).name == "unlimited");
  CHECK(app::PlanFor(c, ws).members == 0);
}

TEST_CASE("quotas: UtcDay", "[app][quotas]") {
  CHECK(app::UtcDay(0) == 0);
  CHECK(app::UtcDay(86'399'999) == 0);
  CHECK(app::UtcDay(86'400'000) == 1);
  CHECK(app::UtcDay(-1) == -1);
  CHECK(app::UtcDay(kStart) == 19675);
}

TEST_CASE("quotas: requests per minute, fixed windows, Retry-After to the window's end", "[app][quotas]") {
  Fixture f;
  app::Quotas q(f.services());
  for (int i = 0; i < 3; ++i) REQUIRE(q.CountRequest(f.ctx).ok());
  auto refused = q.CountRequest(f.ctx);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::kRateLimited);
  CHECK(refused.error().retry_after_s == 40);  // 20 s into the minute
  f.clock.AdvanceMillis(39'500);
  CHECK(q.CountRequest(f.ctx).error().retry_after_s == 1);  // never 0
  f.clock.AdvanceMillis(500);  // the next window
  CHECK(q.CountRequest(f.ctx).ok());
  // Every request is metered, refused ones too.
  auto s = app::SummarizeUsage(f.services(), f.ctx.tenant);
  REQUIRE(s.ok());
  CHECK(s->days.back().requests == 6);
  CHECK(s->requests_this_minute == 1);
  // Unlimited plan: never refused.
  f.ctx.workspace.plan = "unlimited";
  for (int i = 0; i < 10; ++i) CHECK(q.CountRequest(f.ctx).ok());
}

TEST_CASE("quotas: detections per day, reserved and given back, Retry-After to midnight UTC", "[app][quotas]") {
  Fixture f;
  app::Quotas q(f.services());
  auto d1 = q.ReserveDetection(f.ctx);
  REQUIRE(d1.ok());
  q.ReleaseDetection(f.ctx, *d1);  // a failed detection uses none
  REQUIRE(q.ReserveDetection(f.ctx).ok());
  auto d2 = q.ReserveDetection(f.ctx);
  REQUIRE(d2.ok());
  auto refused = q.ReserveDetection(f.ctx);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::kRateLimited);
  CHECK(refused.error().retry_after_s == 6400);
  // Given back on the day it was reserved, even after midnight.
  f.clock.AdvanceMillis(6'400'000);
  q.ReleaseDetection(f.ctx, *d2);
  REQUIRE(q.ReserveDetection(f.ctx).ok());  // a new day
  auto s = app::SummarizeUsage(f.services(), f.ctx.tenant);
  REQUIRE(s.ok());
  REQUIRE(s->days.size() == static_cast<size_t>(app::kUsageDays));
  CHECK(s->days.back().day == app::UtcDay(kStart) + 1);
  CHECK(s->days.back().detections == 1);
  CHECK(s->days[app::kUsageDays - 2].detections == 1);
}

TEST_CASE("quotas: upload bytes and pixels name the plan only when its limit is the smaller", "[app][quotas]") {
  Fixture f;
  app::Quotas q(f.services());
  CHECK(q.UploadLimit(f.ctx) == 1000);
  CHECK(q.CheckUploadBytes(f.ctx, 1000).ok());
  auto over = q.CheckUploadBytes(f.ctx, 1001);
  CHECK(over.error().code == ErrorCode::kPayloadTooLarge);
  CHECK_THAT(over.error().message, Catch::Matchers::Contains("plan (\"free\")"));
  CHECK(q.CheckImagePixels(f.ctx, 10, 10).ok());
  CHECK(q.CheckImagePixels(f.ctx, 11, 10).error().code == ErrorCode::kPayloadTooLarge);
  f.config.limits.upload_max_bytes = 500;  // the server's limit is the smaller one now
  CHECK(q.UploadLimit(f.ctx) == 500);
  auto server = q.CheckUploadBytes(f.ctx, 501);
  CHECK_THAT(server.error().message, !Catch::Matchers::Contains("plan"));
  auto s = app::SummarizeUsage(f.services(), f.ctx.tenant);
  REQUIRE(s.ok());
  CHECK(s->effective_upload_bytes == 500);
  CHECK(s->effective_image_pixels == 100);
  CHECK(s->plan.name == "free");
}

TEST_CASE("quotas: requests of uncapped plans are buffered and written at most every interval", "[app][quotas]") {
  Fixture f;
  f.ctx.workspace.plan = "unlimited";
  app::Quotas q(f.services());
  auto requests_today = [&] {
    auto s = app::SummarizeUsage(f.services(), f.ctx.tenant);
    REQUIRE(s.ok());
    return s->days.back().requests;
  };
  {
    app::RequestMeter meter(f.services(), 2000);
    for (int i = 0; i < 3; ++i) REQUIRE(q.CountRequest(f.ctx, meter).ok());
    CHECK(requests_today() == 0);  // still in memory: no database write per request
    f.clock.AdvanceMillis(2000);
    REQUIRE(q.CountRequest(f.ctx, meter).ok());  // the interval passed: written out
    CHECK(requests_today() == 4);
    REQUIRE(q.CountRequest(f.ctx, meter).ok());
    CHECK(requests_today() == 4);
  }  // destruction writes the rest
  CHECK(requests_today() == 5);
  // A capped plan still counts every request in the database at once.
  f.ctx.workspace.plan = "";
  app::RequestMeter meter(f.services(), 2000);
  REQUIRE(q.CountRequest(f.ctx, meter).ok());
  CHECK(requests_today() == 6);
}
