// app::Shares on a real SQLite store with an injected clock: the token's shape, opening a link,
// revoking it, roles, and the one answer for every link that does not open.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>

#include "app/accounts.h"
#include "app/shares.h"
#include "common/clock.h"
#include "common/crypto.h"
#include "objects/memory_object_store.h"
#include "store/store.h"

using namespace pm;
using namespace pm::app;

TEST_CASE("share tokens: pms_ and 43 base64url characters, nothing else", "[app][shares]") {
  const std::string body(43, 'A');
  CHECK(IsShareTokenShaped("pms_" + body));
  CHECK(IsShareTokenShaped("pms_" + std::string(21, '-') + std::string(22, '_')));
  for (const std::string& bad : {std::string(""), std::string("pms_"), "pms_" + body.substr(1), "pms_" + body + "A",
                                "pm_" + body + "A", "PMS_" + body, "pms_" + body.substr(1) + "=",
                                "pms_" + body.substr(1) + "/", "pms_" + body.substr(1) + ".", "pms_" + body.substr(2) + ".."}) {
    INFO(bad);
    CHECK_FALSE(IsShareTokenShaped(bad));
  }
}

namespace {

struct ShareFixture {
  std::filesystem::path dir;
  std::unique_ptr<store::Store> store;
  FakeClock clock;
  objects::MemoryObjectStore objects{&clock};
  config::Config config;

  ShareFixture() {
    REQUIRE(InitCrypto());
    dir = std::filesystem::temp_directory_path() /
          ("pm-shares-" + std::to_string(::getpid()) + "-" + std::to_string(reinterpret_cast<uintptr_t>(this)));
    std::filesystem::create_directories(dir);
    store::StoreOptions o;
    o.url = "sqlite://" + (dir / "db.sqlite").string();
    store = std::move(store::OpenStore(o)).value();
    REQUIRE(store->Migrate().ok());
  }
  ~ShareFixture() {
    store.reset();
    std::filesystem::remove_all(dir);
  }
  Services services() { return {store.get(), &objects, &config, &clock}; }
};

}  // namespace

TEST_CASE("share links open their palette until revoked, and viewers cannot make or revoke them", "[app][shares]") {
  ShareFixture f;
  Accounts accounts(f.services());
  Shares shares(f.services());
  auto owner = accounts.SignUp("owner@example.com", "correct horse battery staple", "Owner");
  REQUIRE(owner.ok());
  auto principal = accounts.Authenticate(owner->session.token);
  REQUIRE(principal.ok());
  auto ctx = accounts.EnterWorkspace(*principal, owner->account.memberships[0].workspace.slug);
  REQUIRE(ctx.ok());
  store::NewPalette np;
  np.name = "Sunset";
  np.image = store::ImageMeta{"tenants/" + std::to_string(ctx->tenant.value) + "/x.png", "png", "image/png", 4, 4, 10, "ab"};
  np.colors_json = R"(["#112233"])";
  np.labels_json = R"(["A"])";
  np.created_by = ctx->user;
  auto palette = f.store->CreatePalette(ctx->tenant, np, 1);
  REQUIRE(palette.ok());

  auto made = shares.Create(*ctx, palette->id);
  REQUIRE(made.ok());
  CHECK(IsShareTokenShaped(made->token));
  CHECK(made->share.created_by_name == "Owner");
  auto opened = shares.Open(made->token);
  REQUIRE(opened.ok());
  CHECK(opened->id == palette->id);
  CHECK(opened->name == "Sunset");

  // A token one character off is the same answer as any other that does not open.
  std::string wrong = made->token;
  wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
  auto miss = shares.Open(wrong);
  REQUIRE_FALSE(miss.ok());
  CHECK(miss.error().code == ErrorCode::kNotFound);
  CHECK(miss.error().message == Shares::NotValid().message);
  CHECK(shares.Open("../../etc/passwd").error().message == Shares::NotValid().message);

  CHECK(shares.Create(*ctx, PaletteId(palette->id.value + 100)).error().code == ErrorCode::kNotFound);
  CHECK(shares.List(*ctx, PaletteId(palette->id.value + 100)).error().code == ErrorCode::kNotFound);

  TenantContext viewer = *ctx;
  viewer.role = auth::Role::kViewer;
  CHECK(shares.Create(viewer, palette->id).error().code == ErrorCode::kPermissionDenied);
  CHECK(shares.Revoke(viewer, palette->id, made->share.id).error().code == ErrorCode::kPermissionDenied);
  auto listed = shares.List(viewer, palette->id);
  REQUIRE(listed.ok());
  CHECK(listed->size() == 1);

  REQUIRE(shares.Revoke(*ctx, palette->id, made->share.id).ok());
  auto revoked = shares.Open(made->token);
  REQUIRE_FALSE(revoked.ok());
  CHECK(revoked.error().message == Shares::NotValid().message);
  CHECK(shares.Revoke(*ctx, palette->id, made->share.id).error().code == ErrorCode::kNotFound);
}
