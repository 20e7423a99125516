// The key table, Dump(), ExampleToml() and the committed example file.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <string>
#include <variant>

#include "config/config.h"
#include "config/config_keys.h"
#include "config_test_util.h"

using Catch::Matchers::Contains;
using pm::config::Config;
using pm::config::Dump;
using pm::config::EnvName;
using pm::config::ExampleToml;
using pm::config::FieldPtr;
using pm::config::Keys;
using pm::config::KeySpec;
using pm::config::KeyType;
using pm::config::Load;
using pm::config::testing::LoadToml;
using pm::config::testing::TempDir;

namespace {

// Sets every key to a valid value different from its default.
const char* kEveryKey = R"(
[server]
listen = "[::]:9090"
threads = 12
max_json_bytes = 2048
read_timeout_s = 11
write_timeout_s = 12
keep_alive_max_count = 50
keep_alive_timeout_s = 7
cookie_secure = "always"
drain_grace_s = 9
drain_timeout_s = 45
replica_name = "replica-7"
public_url = "https://palettes.example.com"
trusted_proxy_hops = 2

[data]
dir = "/var/lib/palettemaker"

[database]
url = "postgres://pm:pw@db.internal:5432/pm"
busy_timeout_ms = 0
pool_size = 16
migration_url = "postgres://pm_migrator:mpw@db.internal:5432/pm"
statement_timeout_ms = 250
connect_timeout_s = 30

[storage]
url = "s3://palettes/prod"
s3_endpoint = "http://127.0.0.1:9000"
s3_region = "eu-central-1"
s3_path_style = true
s3_access_key_id = "AKID"
s3_secret_access_key = "SECRET \"quoted\" \\ value"

[auth]
signup = "closed"
session_ttl_hours = 24
min_password_length = 12
login_max_failures = 3
login_window_s = 60
operator_mfa_required = true
login_ip_max_failures = 7
reset_ttl_minutes = 15

[mail]
smtp_url = "smtps://mail.example.com:465"
from = "palettes@example.com"
username = "mailer"
password = "mail secret"
starttls = false

[limits]
upload_max_bytes = 4294967296
image_max_width = 100000
image_max_height = 5000
image_max_pixels = 10000000000

[uploads]
url_fetch = false
url_allow_loopback = true
url_ports = "8080, 8443"
url_timeout_s = 3
url_connect_timeout_s = 2

[plans]
default = "pro"

[palette]
luminance_min = 0
luminance_max = 255
sample_pixels = 1000

[jobs]
interval_s = 5
orphan_grace_s = 600
delete_grace_days = 7

[log]
level = "debug"
format = "text"

[metrics]
enabled = false
allow_networks = "10.0.0.0/8"
token = "metrics-token"
tenant_cardinality_cap = 7
)";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("every table row points at a field of the right type", "[config]") {
  Config c;
  for (const KeySpec& k : Keys()) {
    CAPTURE(k.name);
    FieldPtr f = k.field(c);
    switch (k.type) {
      case KeyType::kInt:
        CHECK(std::holds_alternative<int*>(f));
        break;
      case KeyType::kInt64:
        CHECK(std::holds_alternative<int64_t*>(f));
        break;
      case KeyType::kBool:
        CHECK(std::holds_alternative<bool*>(f));
        break;
      case KeyType::kString:
      case KeyType::kEnum:
        CHECK(std::holds_alternative<std::string*>(f));
        break;
    }
    if (k.type == KeyType::kInt) {
      CHECK(k.min >= INT32_MIN);
      CHECK(k.max <= INT32_MAX);
    }
    CHECK((k.type == KeyType::kEnum) == (k.allowed != nullptr));
    if (k.fallback_env != nullptr) CHECK(std::holds_alternative<std::string*>(f));
    CHECK(std::string(k.doc).find('\n') == std::string::npos);
    // No two keys share a field.
    for (const KeySpec& other : Keys()) {
      if (&other != &k) CHECK(other.field(c) != f);
    }
  }
}

TEST_CASE("env names are PALETTEMAKER_<SECTION>_<KEY>", "[config]") {
  CHECK(EnvName(*pm::config::FindKey("server.listen")) == "PALETTEMAKER_SERVER_LISTEN");
  CHECK(EnvName(*pm::config::FindKey("data.dir")) == "PALETTEMAKER_DATA_DIR");
  CHECK(EnvName(*pm::config::FindKey("storage.s3_secret_access_key")) ==
        "PALETTEMAKER_STORAGE_S3_SECRET_ACCESS_KEY");
  CHECK(pm::config::FindKey("server.nope") == nullptr);
}

TEST_CASE("the TOML that sets every key loads into every field", "[config]") {
  auto r = LoadToml(kEveryKey);
  REQUIRE(r.ok());
  Config defaults;
  Config loaded = *r;
  for (const KeySpec& k : Keys()) {
    CAPTURE(k.name);
    CHECK(k.field(loaded) != k.field(defaults));  // sanity: distinct objects
    std::visit([&](auto* p) { CHECK_FALSE(*p == *std::get<decltype(p)>(k.field(defaults))); },
               k.field(loaded));
  }
  CHECK(loaded.server.listen == "[::]:9090");
  CHECK(loaded.storage.s3_secret_access_key == "SECRET \"quoted\" \\ value");
  CHECK(loaded.limits.image_max_pixels == 10'000'000'000);
}

TEST_CASE("Dump round-trips through Load (apart from masked secrets)", "[config]") {
  auto r = LoadToml(kEveryKey);
  REQUIRE(r.ok());
  std::string dumped = Dump(*r);
  // Secrets come back as "***"; the URL password too.
  auto again = LoadToml(dumped);
  REQUIRE(again.ok());
  Config expected = *r;
  expected.storage.s3_access_key_id = "***";
  expected.storage.s3_secret_access_key = "***";
  expected.database.url = "postgres://pm:***@db.internal:5432/pm";
  expected.database.migration_url = "postgres://pm_migrator:***@db.internal:5432/pm";
  expected.mail.password = "***";
  expected.metrics.token = "***";
  CHECK(*again == expected);

  // With no secrets and no URL credentials it is exact.
  Config plain = *r;
  plain.storage.s3_access_key_id.clear();
  plain.storage.s3_secret_access_key.clear();
  plain.database.url = "sqlite:///x \"y\".db";
  plain.database.migration_url.clear();
  plain.mail.password.clear();
  plain.metrics.token.clear();
  auto exact = LoadToml(Dump(plain));
  REQUIRE(exact.ok());
  CHECK(*exact == plain);
}

TEST_CASE("Dump masks secrets and URL passwords", "[config]") {
  Config c;
  std::string unset = Dump(c);
  CHECK_THAT(unset, Contains("s3_secret_access_key = \"\"\n"));
  CHECK_THAT(unset, Contains("s3_access_key_id = \"\"\n"));
  CHECK_THAT(unset, Contains("url = \"\"  # effective: sqlite://./data/palettemaker.db\n"));
  CHECK_THAT(unset, Contains("url = \"\"  # effective: file://./data/objects\n"));
  CHECK_THAT(unset, Contains("[server]\nlisten = \"127.0.0.1:8080\"\nthreads = 0\n"));

  c.storage.s3_secret_access_key = "hunter2";
  c.storage.s3_access_key_id = "AKIDSECRETID";
  c.database.url = "postgres://pm:pa@ss@db/pm";
  std::string set = Dump(c);
  CHECK_THAT(set, Contains("s3_secret_access_key = \"***\"\n"));
  CHECK_THAT(set, Contains("s3_access_key_id = \"***\"\n"));
  CHECK_THAT(set, Contains("url = \"postgres://pm:***@db/pm\"\n"));
  CHECK_THAT(set, !Contains("hunter2"));
  CHECK_THAT(set, !Contains("AKIDSECRETID"));
  CHECK_THAT(set, !Contains("pa@ss"));
}

TEST_CASE("Dump shows every key", "[config]") {
  std::string dumped = Dump(Config{});
  for (const KeySpec& k : Keys()) {
    CAPTURE(k.name);
    CHECK_THAT(dumped, Contains("\n" + std::string(k.Key()) + " = "));
  }
}

TEST_CASE("ExampleToml documents every key and loads to the defaults", "[config]") {
  std::string example = ExampleToml();
  for (const KeySpec& k : Keys()) {
    CAPTURE(k.name);
    CHECK_THAT(example, Contains(EnvName(k)));
    CHECK_THAT(example, Contains("# " + std::string(k.doc) + "\n"));
  }
  CHECK_THAT(example,
             Contains("# env PALETTEMAKER_SERVER_THREADS; default 0; 0 to 1024\nthreads = 0\n"));
  CHECK_THAT(example, Contains("# env PALETTEMAKER_LOG_LEVEL; default \"info\"; one of debug, "
                               "info, warn, error\nlevel = \"info\"\n"));
  CHECK_THAT(example, Contains("PALETTEMAKER_STORAGE_S3_SECRET_ACCESS_KEY_FILE, else "
                               "AWS_SECRET_ACCESS_KEY"));
  auto r = LoadToml(example);
  REQUIRE(r.ok());
  CHECK(*r == Config{});
}

TEST_CASE("config/palettemaker.example.toml is ExampleToml()", "[config]") {
  std::string path = std::string(PM_SOURCE_DIR) + "/config/palettemaker.example.toml";
  std::string committed = ReadFile(path);
  INFO(path << " is out of date with src/config/config_keys.cc. Regenerate it with\n"
               "  cmake --build <build dir> --target config_example\n"
               "and commit the result.");
  CHECK(committed == ExampleToml());
}
