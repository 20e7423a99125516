#include <catch2/catch.hpp>

#include <filesystem>

#include "app/janitor.h"
#include "app/palettes.h"
#include "app/thumbnails.h"
#include "common/clock.h"
#include "objects/memory_object_store.h"
#include "store/store.h"

using namespace pm;

namespace {

struct Fixture {
  std::filesystem::path dir;
  std::unique_ptr<store::Store> store;
  FakeClock clock;
  objects::MemoryObjectStore objects{&clock};
  config::Config config;
  TenantId tenant;
  UserId user;

  Fixture() {
    dir = std::filesystem::temp_directory_path() /
          ("pm-janitor-" + std::to_string(::getpid()) + "-" + std::to_string(reinterpret_cast<uintptr_t>(this)));
    std::filesystem::create_directories(dir);
    store::StoreOptions o;
    o.url = "sqlite://" + (dir / "db.sqlite").string();
    store = std::move(store::OpenStore(o)).value();
    REQUIRE(store->Migrate().ok());
    auto created = store->CreateUserWithWorkspace({"a@example.com", "A", "hash"}, {"a", "A"}, clock.NowMillis());
    REQUIRE(created.ok());
    user = created->first.id;
    tenant = created->second.id;
    config.jobs.interval_s = 60;
    config.jobs.orphan_grace_s = 3600;
  }
  ~Fixture() {
    store.reset();
    std::filesystem::remove_all(dir);
  }
  app::Services services() { return {store.get(), &objects, &config, &clock}; }
  std::string Key(const std::string& name) { return objects::TenantKey(tenant, "images/" + name).value(); }
};

}  // namespace

TEST_CASE("janitor: one replica at a time holds the lease; another takes over when it lapses", "[app]") {
  Fixture f;
  app::Janitor a(f.services(), "replica-a"), b(f.services(), "replica-b");
  CHECK(a.RunOnce()->held_lease);
  CHECK_FALSE(b.RunOnce()->held_lease);
  f.clock.AdvanceMillis(60'000);
  CHECK(a.RunOnce()->held_lease);  // renews
  CHECK_FALSE(b.RunOnce()->held_lease);
  // replica-a dies: after three intervals without renewal, replica-b takes over.
  f.clock.AdvanceMillis(3 * 60'000 + 1);
  CHECK(b.RunOnce()->held_lease);
  CHECK_FALSE(a.RunOnce()->held_lease);
}

TEST_CASE("janitor: deletes old orphaned objects, keeps referenced and young ones", "[app]") {
  Fixture f;
  REQUIRE(f.objects.PutBytes(f.Key("orphan.png"), "x").ok());
  REQUIRE(f.objects.PutBytes(f.Key("kept.png"), "y").ok());
  store::NewPalette p;
  p.name = "kept";
  p.image.object_key = f.Key("kept.png");
  p.image.format = "png";
  p.image.mime = "image/png";
  p.created_by = f.user;
  REQUIRE(f.store->CreatePalette(f.tenant, p, f.clock.NowMillis()).ok());

  app::Janitor j(f.services(), "replica-a");
  // Young: an upload in flight writes its object before its row, so nothing is deleted yet.
  CHECK(j.RunOnce()->orphans_deleted == 0);
  f.clock.AdvanceMillis(3600'000 + 1);
  REQUIRE(f.objects.PutBytes(f.Key("young.png"), "z").ok());
  auto report = j.RunOnce();
  REQUIRE(report.ok());
  CHECK(report->orphans_deleted == 1);
  CHECK_FALSE(f.objects.Contains(f.Key("orphan.png")));
  CHECK(f.objects.Contains(f.Key("kept.png")));
  CHECK(f.objects.Contains(f.Key("young.png")));
}

TEST_CASE("thumbnail keys sit next to their image under the same tenant", "[app]") {
  CHECK(app::ThumbnailKey(TenantId(7), "tenants/7/images/AbC_-1.png").value() == "tenants/7/thumbs/AbC_-1.png.webp");
  CHECK(app::ImageKeyOfThumbnail("tenants/7/thumbs/AbC_-1.png.webp").value() == "tenants/7/images/AbC_-1.png");
  // Another tenant's image, or anything that is not an image key, has no thumbnail key.
  for (const char* bad : {"tenants/8/images/x.png", "tenants/7/images/", "tenants/7/images/a/b.png",
                          "tenants/7/other/x.png", "images/x.png"}) {
    INFO(bad);
    CHECK(app::ThumbnailKey(TenantId(7), bad).error().code == ErrorCode::kInternal);
  }
  for (const char* other : {"tenants/7/images/x.png", "tenants/7/thumbs/.webp", "tenants/7/thumbs/a/b.webp",
                            "tenants/7/x/thumbs/a.webp", "tenants/7/thumbs/a.png"}) {
    INFO(other);
    CHECK_FALSE(app::ImageKeyOfThumbnail(other).has_value());
  }
}

TEST_CASE("janitor keeps a thumbnail while its image is used and sweeps it afterwards", "[app]") {
  Fixture f;
  const std::string image = f.Key("img.png");
  const std::string thumb = app::ThumbnailKey(f.tenant, image).value();
  const std::string stray = app::ThumbnailKey(f.tenant, f.Key("gone.png")).value();
  REQUIRE(f.objects.PutBytes(image, "x").ok());
  REQUIRE(f.objects.PutBytes(thumb, "t").ok());
  REQUIRE(f.objects.PutBytes(stray, "t").ok());  // left behind by a delete racing a first request
  store::NewPalette p;
  p.name = "p";
  p.image.object_key = image;
  p.created_by = f.user;
  auto row = f.store->CreatePalette(f.tenant, p, f.clock.NowMillis());
  REQUIRE(row.ok());

  app::Janitor j(f.services(), "replica-a");
  f.clock.AdvanceMillis(3600'000 + 1);
  CHECK(j.RunOnce()->orphans_deleted == 1);
  CHECK(f.objects.Contains(thumb));
  CHECK_FALSE(f.objects.Contains(stray));

  // Deleting the last palette using the image takes the thumbnail along.
  app::Palettes palettes(f.services());
  app::TenantContext ctx{f.tenant, "a", f.user, auth::Role::kEditor, {}, std::nullopt};
  REQUIRE(palettes.Delete(ctx, row->id).ok());
  CHECK_FALSE(f.objects.Contains(image));
  CHECK_FALSE(f.objects.Contains(thumb));
}

TEST_CASE("janitor: expired sessions are deleted", "[app]") {
  Fixture f;
  store::Session s{};
  s.token_hash = std::string(64, 'a');  // a SHA-256 hex length
  s.csrf_hash = std::string(64, 'b');
  s.user_id = f.user;
  s.created_at = f.clock.NowMillis();
  s.expires_at = f.clock.NowMillis() + 1000;
  REQUIRE(f.store->CreateSession(s).ok());
  app::Janitor j(f.services(), "replica-a");
  CHECK(j.RunOnce()->sessions_deleted == 0);
  f.clock.AdvanceMillis(2000);
  CHECK(j.RunOnce()->sessions_deleted == 1);
}

TEST_CASE("janitor: expired invitations are deleted", "[app]") {
  Fixture f;
  REQUIRE(f.store->CreateInvitation(f.tenant, {"x@example.com", "viewer", std::string(64, 'c'), f.user,
                                               f.clock.NowMillis() + 1000}, f.clock.NowMillis()).ok());
  app::Janitor j(f.services(), "replica-a");
  CHECK(j.RunOnce()->invitations_deleted == 0);
  f.clock.AdvanceMillis(2000);
  CHECK(j.RunOnce()->invitations_deleted == 1);
}

TEST_CASE("janitor and palette deletes keep an image while a duplicate still uses it", "[app]") {
  Fixture f;
  REQUIRE(f.objects.PutBytes(f.Key("shared.png"), "x").ok());
  store::NewPalette p;
  p.name = "original";
  p.image.object_key = f.Key("shared.png");
  p.created_by = f.user;
  auto original = f.store->CreatePalette(f.tenant, p, f.clock.NowMillis());
  REQUIRE(original.ok());
  app::Palettes palettes(f.services());
  app::TenantContext ctx{f.tenant, "a", f.user, auth::Role::kEditor, {}, std::nullopt};
  auto copy = palettes.Duplicate(ctx, original->id);
  REQUIRE(copy.ok());
  CHECK(copy->name == "original (2)");
  CHECK(copy->image.object_key == original->image.object_key);

  REQUIRE(palettes.Delete(ctx, original->id).ok());
  CHECK(f.objects.Contains(f.Key("shared.png")));  // the copy still uses it
  app::Janitor j(f.services(), "replica-a");
  f.clock.AdvanceMillis(3600'000 + 1);
  CHECK(j.RunOnce()->orphans_deleted == 0);
  CHECK(f.objects.Contains(f.Key("shared.png")));

  REQUIRE(palettes.Delete(ctx, copy->id).ok());
  CHECK_FALSE(f.objects.Contains(f.Key("shared.png")));  // the last user took it along

  // A viewer can neither duplicate nor delete.
  app::TenantContext viewer{f.tenant, "a", f.user, auth::Role::kViewer, {}, std::nullopt};
  auto again = f.store->CreatePalette(f.tenant, p, f.clock.NowMillis());
  REQUIRE(again.ok());
  CHECK(palettes.Duplicate(viewer, again->id).error().code == ErrorCode::kPermissionDenied);
  CHECK(palettes.Delete(viewer, again->id).error().code == ErrorCode::kPermissionDenied);
}

TEST_CASE("janitor: purges soft-deleted workspaces once their grace period has passed", "[app]") {
  Fixture f;
  f.config.jobs.delete_grace_days = 2;
  const int64_t day = int64_t{24} * 3600 * 1000;
  // A second workspace that stays, with an object of its own.
  auto other = f.store->CreateUserWithWorkspace({"b@example.com", "B", "hash"}, {"b", "B"}, f.clock.NowMillis());
  REQUIRE(other.ok());
  const std::string other_key = objects::TenantKey(other->second.id, "images/b.png").value();
  REQUIRE(f.objects.PutBytes(other_key, "b").ok());
  REQUIRE(f.objects.PutBytes(f.Key("a.png"), "a").ok());
  store::NewPalette p;
  p.name = "a";
  p.image.object_key = f.Key("a.png");
  p.image.format = "png";
  p.image.mime = "image/png";
  p.created_by = f.user;
  REQUIRE(f.store->CreatePalette(f.tenant, p, f.clock.NowMillis()).ok());
  p.image.object_key = other_key;
  p.created_by = other->first.id;
  REQUIRE(f.store->CreatePalette(other->second.id, p, f.clock.NowMillis()).ok());

  const int64_t now = f.clock.NowMillis();
  REQUIRE(f.store->SoftDeleteTenant(f.tenant, now, now + 2 * day).ok());
  app::Janitor j(f.services(), "replica-a");
  auto early = j.RunOnce();
  REQUIRE(early.ok());
  CHECK(early->workspaces_purged == 0);
  CHECK(f.objects.Stat(f.Key("a.png")).ok());
  // A restore within the grace period would still find everything.
  CHECK(f.store->GetTenantSummary(f.tenant).ok());

  f.clock.AdvanceMillis(2 * day);
  auto due = j.RunOnce();
  REQUIRE(due.ok());
  CHECK(due->workspaces_purged == 1);
  CHECK_FALSE(f.objects.Stat(f.Key("a.png")).ok());
  CHECK(f.store->GetTenantSummary(f.tenant).error().code == ErrorCode::kNotFound);
  CHECK(f.store->ListPalettes(f.tenant, std::nullopt, 10)->items.empty());
  // The other workspace and its object are untouched; nothing is left to purge.
  CHECK(f.objects.Stat(other_key).ok());
  CHECK(f.store->GetTenantSummary(other->second.id).ok());
  CHECK(j.RunOnce()->workspaces_purged == 0);
}

TEST_CASE("janitor: without the lease it purges nothing", "[app]") {
  Fixture f;
  REQUIRE(f.store->SoftDeleteTenant(f.tenant, f.clock.NowMillis(), f.clock.NowMillis()).ok());
  app::Janitor a(f.services(), "replica-a"), b(f.services(), "replica-b");
  REQUIRE(a.RunOnce().ok());
  // a held the lease and purged; b finds the lease taken and does nothing.
  CHECK(f.store->GetTenantSummary(f.tenant).error().code == ErrorCode::kNotFound);
  auto other = f.store->CreateUserWithWorkspace({"b@example.com", "B", "hash"}, {"b", "B"}, f.clock.NowMillis());
  REQUIRE(other.ok());
  REQUIRE(f.store->SoftDeleteTenant(other->second.id, f.clock.NowMillis(), f.clock.NowMillis()).ok());
  auto refused = b.RunOnce();
  REQUIRE(refused.ok());
  CHECK_FALSE(refused->held_lease);
  CHECK(refused->workspaces_purged == 0);
  CHECK(f.store->GetTenantSummary(other->second.id).ok());
}
