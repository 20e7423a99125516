// Load(): precedence (defaults -> TOML -> env -> *_FILE -> AWS_*) and every kind of error.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/config_keys.h"
#include "config_test_util.h"

using Catch::Matchers::Contains;
using Catch::Matchers::Equals;
using pm::config::Config;
using pm::config::Env;
using pm::config::Load;
using pm::config::testing::ErrorOf;
using pm::config::testing::LoadToml;
using pm::config::testing::TempDir;

TEST_CASE("defaults need no file and no environment", "[config]") {
  auto r = Load("", {});
  REQUIRE(r.ok());
  CHECK(*r == Config{});
  CHECK(r->server.listen == "127.0.0.1:8080");
  CHECK(r->data.dir == "./data");
  CHECK(r->server.threads == 0);
  CHECK(r->server.max_json_bytes == 1048576);
  CHECK(r->log.level == "info");
  CHECK(r->database.url.empty());
  CHECK(r->storage.url.empty());
}

TEST_CASE("variables that are not PALETTEMAKER_* are ignored", "[config]") {
  auto r = Load("", {{"PATH", "/bin"},
                     {"HOME", "/root"},
                     {"PALETTEMAKERX", "1"},
                     {"PALETTEMAKER_CONFIG", "/etc/palettemaker.toml"}});
  REQUIRE(r.ok());
  CHECK(*r == Config{});
}

TEST_CASE("TOML overrides defaults", "[config]") {
  auto r = LoadToml(R"(
[server]
listen = "0.0.0.0:9000"
threads = 8
[storage]
s3_path_style = true
[limits]
image_max_pixels = 10_000_000_000
)");
  REQUIRE(r.ok());
  CHECK(r->server.listen == "0.0.0.0:9000");
  CHECK(r->server.threads == 8);
  CHECK(r->storage.s3_path_style);
  CHECK(r->limits.image_max_pixels == 10'000'000'000);
  CHECK(r->server.read_timeout_s == 30);  // untouched keys keep their defaults
}

TEST_CASE("dotted keys at the top level are the same as a section", "[config]") {
  auto r = LoadToml("server.threads = 3\n");
  REQUIRE(r.ok());
  CHECK(r->server.threads == 3);
}

TEST_CASE("environment overrides TOML", "[config]") {
  auto r = LoadToml("[server]\nthreads = 8\nlisten = \"0.0.0.0:9000\"\n",
                    {{"PALETTEMAKER_SERVER_THREADS", "16"},
                     {"PALETTEMAKER_DATA_DIR", "/var/lib/pm"},
                     {"PALETTEMAKER_STORAGE_S3_PATH_STYLE", "yes"},
                     {"PALETTEMAKER_LIMITS_UPLOAD_MAX_BYTES", "4294967296"}});
  REQUIRE(r.ok());
  CHECK(r->server.threads == 16);
  CHECK(r->server.listen == "0.0.0.0:9000");
  CHECK(r->data.dir == "/var/lib/pm");
  CHECK(r->storage.s3_path_style);
  CHECK(r->limits.upload_max_bytes == 4294967296LL);
}

TEST_CASE("booleans from the environment", "[config]") {
  for (const char* t : {"true", "1", "yes", "TRUE", "Yes"}) {
    auto r = Load("", {{"PALETTEMAKER_STORAGE_S3_PATH_STYLE", t}});
    REQUIRE(r.ok());
    CHECK(r->storage.s3_path_style);
  }
  for (const char* f : {"false", "0", "no"}) {
    auto r =
        LoadToml("[storage]\ns3_path_style = true\n", {{"PALETTEMAKER_STORAGE_S3_PATH_STYLE", f}});
    REQUIRE(r.ok());
    CHECK_FALSE(r->storage.s3_path_style);
  }
  CHECK_THAT(ErrorOf(Load("", {{"PALETTEMAKER_STORAGE_S3_PATH_STYLE", "maybe"}})),
             Equals("config: storage.s3_path_style: must be a boolean: true, false, 1, 0, yes or "
                    "no (got \"maybe\") (from PALETTEMAKER_STORAGE_S3_PATH_STYLE)"));
}

TEST_CASE("integers from the environment must parse fully and fit", "[config]") {
  CHECK_THAT(ErrorOf(Load("", {{"PALETTEMAKER_SERVER_THREADS", "abc"}})),
             Equals("config: server.threads: must be an integer between 0 and 1024 (got \"abc\") "
                    "(from PALETTEMAKER_SERVER_THREADS)"));
  for (const char* bad : {"12abc", " 12", "12 ", "", "1.5", "0x10", "99999999999999999999"}) {
    CAPTURE(bad);
    CHECK_THAT(ErrorOf(Load("", {{"PALETTEMAKER_SERVER_THREADS", bad}})),
               Contains("server.threads: must be an integer between 0 and 1024"));
  }
  CHECK_THAT(ErrorOf(Load("", {{"PALETTEMAKER_SERVER_THREADS", "1025"}})),
             Contains("(got \"1025\")"));
  CHECK_THAT(ErrorOf(Load("", {{"PALETTEMAKER_SERVER_THREADS", "-1"}})), Contains("(got \"-1\")"));
  CHECK_THAT(ErrorOf(Load("", {{"PALETTEMAKER_SERVER_MAX_JSON_BYTES", "1023"}})),
             Contains("server.max_json_bytes: must be an integer between 1024 and 67108864"));
  CHECK_THAT(ErrorOf(Load("", {{"PALETTEMAKER_LIMITS_UPLOAD_MAX_BYTES", "4294967297"}})),
             Contains("limits.upload_max_bytes: must be an integer between 1 and 4294967296"));
  auto r = Load("", {{"PALETTEMAKER_SERVER_THREADS", "1024"}});
  REQUIRE(r.ok());
  CHECK(r->server.threads == 1024);
}

TEST_CASE("enum errors list the allowed values", "[config]") {
  CHECK_THAT(ErrorOf(Load("", {{"PALETTEMAKER_LOG_LEVEL", "loud"}})),
             Equals("config: log.level: must be one of debug, info, warn, error (got \"loud\") "
                    "(from PALETTEMAKER_LOG_LEVEL)"));
  CHECK_THAT(ErrorOf(LoadToml("[server]\ncookie_secure = \"sometimes\"\n")),
             Contains("config: server.cookie_secure: must be one of auto, always, never (got the "
                      "string \"sometimes\") (from "));
  CHECK_THAT(ErrorOf(LoadToml("[auth]\nsignup = \"anyone\"\n")),
             Contains("auth.signup: must be one of open, invite, closed"));
  CHECK_THAT(ErrorOf(LoadToml("[log]\nformat = \"xml\"\n")),
             Contains("log.format: must be one of json, text"));
}

TEST_CASE("TOML errors name the key, the file and the line", "[config]") {
  TempDir dir;
  std::string path = dir.Write("pm.toml", "[server]\n\nthreads = 5000\n");
  CHECK_THAT(ErrorOf(Load(path, {})),
             Equals("config: server.threads: must be an integer between 0 and 1024 (got 5000) "
                    "(from " +
                    path + ":3)"));
}

TEST_CASE("wrong TOML types are errors", "[config]") {
  CHECK_THAT(ErrorOf(LoadToml("[server]\nthreads = \"8\"\n")),
             Contains("config: server.threads: must be an integer between 0 and 1024 (got the "
                      "string \"8\")"));
  CHECK_THAT(ErrorOf(LoadToml("[server]\nlisten = 8080\n")),
             Contains("config: server.listen: must be a string (got 8080)"));
  CHECK_THAT(ErrorOf(LoadToml("[storage]\ns3_path_style = \"yes\"\n")),
             Contains("config: storage.s3_path_style: must be true or false (got the string "
                      "\"yes\")"));
  CHECK_THAT(ErrorOf(LoadToml("[palette]\nluminance_min = 2.5\n")),
             Contains("config: palette.luminance_min: must be an integer between 0 and 255 (got a "
                      "float)"));
  CHECK_THAT(ErrorOf(LoadToml("[data]\ndir = [\"a\"]\n")),
             Contains("config: data.dir: must be a string (got an array)"));
  CHECK_THAT(ErrorOf(LoadToml("server = 1\n")),
             Contains("config: server: must be a table: write [server] and its keys below it"));
}

TEST_CASE("unknown sections and keys in TOML are errors", "[config]") {
  CHECK_THAT(ErrorOf(LoadToml("[server]\nthread = 4\n")),
             Contains("config: server.thread: unknown key; did you mean server.threads? (from "));
  CHECK_THAT(ErrorOf(LoadToml("[sever]\nthreads = 4\n")),
             Contains("config: sever: unknown section; did you mean server? (from "));
  CHECK_THAT(ErrorOf(LoadToml("[telemetry]\n")), Contains("config: telemetry: unknown section (from "));
  CHECK_THAT(ErrorOf(LoadToml("listen = \"0.0.0.0:1\"\n")),
             Contains("config: listen: unknown key; keys belong in a section such as [server]"));
  CHECK_THAT(ErrorOf(LoadToml("[server.tls]\ncert = \"x\"\n")),
             Contains("config: server.tls: unknown key"));
}

TEST_CASE("a missing, unreadable or invalid TOML file is an error naming it", "[config]") {
  TempDir dir;
  std::string missing = dir.Path("nope.toml");
  CHECK_THAT(ErrorOf(Load(missing, {})),
             Equals("config: cannot read " + missing + ": No such file or directory"));
  CHECK_THAT(ErrorOf(Load(dir.Path(""), {})), Contains("config: cannot read "));  // a directory

  std::string bad = dir.Write("bad.toml", "[server]\nthreads = 4\nlisten = \n");
  std::string m = ErrorOf(Load(bad, {}));
  CHECK_THAT(m, Contains("config: " + bad + ":3:"));

  std::string dup = dir.Write("dup.toml", "[server]\nthreads = 4\nthreads = 5\n");
  CHECK_THAT(ErrorOf(Load(dup, {})), Contains("config: " + dup + ":3:"));
}

TEST_CASE("unknown PALETTEMAKER_* variables are errors", "[config]") {
  CHECK_THAT(ErrorOf(Load("", {{"PALETTEMAKER_SERVER_THREAD", "4"}})),
             Equals("config: unknown environment variable PALETTEMAKER_SERVER_THREAD; did you "
                    "mean PALETTEMAKER_SERVER_THREADS?"));
  CHECK_THAT(ErrorOf(Load("", {{"PALETTEMAKER_FOO", "1"}})),
             Equals("config: unknown environment variable PALETTEMAKER_FOO"));
  // *_FILE only for secrets (and database.url, which may hold a password).
  CHECK_THAT(ErrorOf(Load("", {{"PALETTEMAKER_SERVER_THREADS_FILE", "/x"}})),
             Contains("unknown environment variable PALETTEMAKER_SERVER_THREADS_FILE"));
}

TEST_CASE("*_FILE variables read secrets from files", "[config]") {
  TempDir dir;
  std::string secret = dir.Write("secret", "s3cr3t\n");
  std::string id = dir.Write("id", "AKIDEXAMPLE\r\n");
  std::string db = dir.Write("db", "postgres://pm:pw@db:5432/pm");
  auto r = Load("", {{"PALETTEMAKER_STORAGE_S3_SECRET_ACCESS_KEY_FILE", secret},
                     {"PALETTEMAKER_STORAGE_S3_ACCESS_KEY_ID_FILE", id},
                     {"PALETTEMAKER_DATABASE_URL_FILE", db}});
  REQUIRE(r.ok());
  CHECK(r->storage.s3_secret_access_key == "s3cr3t");
  CHECK(r->storage.s3_access_key_id == "AKIDEXAMPLE");
  CHECK(r->database.url == "postgres://pm:pw@db:5432/pm");

  // The file wins over TOML, like the plain variable.
  auto over = LoadToml("[storage]\ns3_secret_access_key = \"from-toml\"\n",
                       {{"PALETTEMAKER_STORAGE_S3_SECRET_ACCESS_KEY_FILE", secret}});
  REQUIRE(over.ok());
  CHECK(over->storage.s3_secret_access_key == "s3cr3t");
}

TEST_CASE("an unreadable *_FILE is an error naming the key", "[config]") {
  TempDir dir;
  std::string missing = dir.Path("missing");
  CHECK_THAT(ErrorOf(Load("", {{"PALETTEMAKER_STORAGE_S3_SECRET_ACCESS_KEY_FILE", missing}})),
             Equals("config: storage.s3_secret_access_key: cannot read "
                    "PALETTEMAKER_STORAGE_S3_SECRET_ACCESS_KEY_FILE=" +
                    missing + ": No such file or directory"));
}

TEST_CASE("setting a secret both directly and by file is an error", "[config]") {
  TempDir dir;
  std::string secret = dir.Write("secret", "a");
  CHECK_THAT(ErrorOf(Load("", {{"PALETTEMAKER_STORAGE_S3_SECRET_ACCESS_KEY", "b"},
                               {"PALETTEMAKER_STORAGE_S3_SECRET_ACCESS_KEY_FILE", secret}})),
             Contains("config: storage.s3_secret_access_key: both "
                      "PALETTEMAKER_STORAGE_S3_SECRET_ACCESS_KEY and "
                      "PALETTEMAKER_STORAGE_S3_SECRET_ACCESS_KEY_FILE are set"));
}

TEST_CASE("AWS_* variables fill S3 keys that are otherwise unset", "[config]") {
  Env aws = {{"AWS_ACCESS_KEY_ID", "aws-id"},
             {"AWS_SECRET_ACCESS_KEY", "aws-secret"},
             {"AWS_REGION", "eu-west-1"}};
  auto r = Load("", aws);
  REQUIRE(r.ok());
  CHECK(r->storage.s3_access_key_id == "aws-id");
  CHECK(r->storage.s3_secret_access_key == "aws-secret");
  CHECK(r->storage.s3_region == "eu-west-1");

  Env both = aws;
  both["PALETTEMAKER_STORAGE_S3_ACCESS_KEY_ID"] = "pm-id";
  both["PALETTEMAKER_STORAGE_S3_REGION"] = "us-east-2";
  auto p = LoadToml("[storage]\ns3_secret_access_key = \"toml-secret\"\n", both);
  REQUIRE(p.ok());
  CHECK(p->storage.s3_access_key_id == "pm-id");
  CHECK(p->storage.s3_region == "us-east-2");
  CHECK(p->storage.s3_secret_access_key == "toml-secret");  // the file also counts as set
}

TEST_CASE("server.listen must be host:port or [v6]:port", "[config]") {
  for (const char* good : {"127.0.0.1:8080", "0.0.0.0:0", "localhost:65535", "[::1]:8080",
                           "[::]:80", "[fe80::1%eth0]:8080", "my-host.example:443"}) {
    CAPTURE(good);
    auto r = Load("", {{"PALETTEMAKER_SERVER_LISTEN", good}});
    CHECK(r.ok());
  }
  for (const char* bad :
       {"8080", ":8080", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:http", "::1:8080", "[::1]8080",
        "[::1]:", "[]:80", "[1.2.3.4]:80", "host:80:80", "", "127.0.0.1:-1", "127.0.0.1:123456"}) {
    CAPTURE(bad);
    CHECK_THAT(ErrorOf(Load("", {{"PALETTEMAKER_SERVER_LISTEN", bad}})),
               Contains("config: server.listen: must be host:port or [ipv6]:port with a port from "
                        "0 to 65535"));
  }
  auto parsed = pm::config::ParseListenAddress("[::1]:8080");
  REQUIRE(parsed.ok());
  CHECK(parsed->host == "::1");
  CHECK(parsed->port == 8080);
  auto v4 = pm::config::ParseListenAddress("0.0.0.0:0");
  REQUIRE(v4.ok());
  CHECK(v4->host == "0.0.0.0");
  CHECK(v4->port == 0);
}

TEST_CASE("uploads.url_ports is a list of distinct ports", "[config]") {
  auto r = Load("", {{"PALETTEMAKER_UPLOADS_URL_PORTS", " 8080 ,443"}});
  REQUIRE(r.ok());
  auto ports = pm::config::ParsePortList(r->uploads.url_ports);
  REQUIRE(ports.ok());
  CHECK(*ports == std::vector<int>{8080, 443});
  CHECK(*pm::config::ParsePortList(Config().uploads.url_ports) == std::vector<int>{80, 443});
  for (const char* bad : {"", "0", "65536", "80,,443", "80;443", "http", "80,80", "-1", "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17"}) {
    CAPTURE(bad);
    CHECK_THAT(ErrorOf(Load("", {{"PALETTEMAKER_UPLOADS_URL_PORTS", bad}})),
               Contains("config: uploads.url_ports: must be 1 to 16 distinct ports from 1 to 65535"));
  }
  // Testing-only key: off unless set, and a plain boolean.
  CHECK_FALSE(Config().uploads.url_allow_loopback);
  CHECK(Config().uploads.url_fetch);
  CHECK_THAT(ErrorOf(Load("", {{"PALETTEMAKER_UPLOADS_URL_ALLOW_LOOPBACK", "sometimes"}})),
             Contains("config: uploads.url_allow_loopback:"));
}

TEST_CASE("database.url and storage.url schemes are checked", "[config]") {
  for (const char* good : {"sqlite:///var/lib/pm/pm.db", "sqlite://./data/pm.db",
                           "postgres://u:p@h:5432/db", "postgresql://h/db"}) {
    CAPTURE(good);
    CHECK(Load("", {{"PALETTEMAKER_DATABASE_URL", good}}).ok());
  }
  CHECK_THAT(ErrorOf(Load("", {{"PALETTEMAKER_DATABASE_URL", "mysql://u:hunter2@h/db"}})),
             Equals("config: database.url: must start with sqlite://, postgres:// or "
                    "postgresql:// (got \"mysql://u:***@h/db\") (from PALETTEMAKER_DATABASE_URL)"));
  CHECK_THAT(ErrorOf(Load("", {{"PALETTEMAKER_DATABASE_URL", "sqlite://"}})),
             Contains("config: database.url: must name a file after sqlite://"));

  for (const char* good :
       {"file:///var/lib/pm/objects", "s3://my-bucket", "s3://my-bucket/pre/fix"}) {
    CAPTURE(good);
    CHECK(Load("", {{"PALETTEMAKER_STORAGE_URL", good}}).ok());
  }
  CHECK_THAT(ErrorOf(Load("", {{"PALETTEMAKER_STORAGE_URL", "gs://bucket"}})),
             Equals("config: storage.url: must start with file:// or s3:// (got \"gs://bucket\") "
                    "(from PALETTEMAKER_STORAGE_URL)"));
  CHECK_THAT(ErrorOf(Load("", {{"PALETTEMAKER_STORAGE_URL", "s3://"}})),
             Contains("config: storage.url: must be s3://bucket or s3://bucket/prefix"));
  CHECK_THAT(ErrorOf(Load("", {{"PALETTEMAKER_STORAGE_URL", "s3://My_Bucket/x"}})),
             Contains("config: storage.url: must be s3://bucket"));
  CHECK_THAT(ErrorOf(Load("", {{"PALETTEMAKER_STORAGE_URL", "file://"}})),
             Contains("config: storage.url: must name a directory after file://"));
  CHECK_THAT(ErrorOf(Load("", {{"PALETTEMAKER_STORAGE_S3_ENDPOINT", "minio:9000"}})),
             Contains("config: storage.s3_endpoint: must be empty or an http:// or https:// URL"));
  CHECK_THAT(ErrorOf(Load("", {{"PALETTEMAKER_DATA_DIR", ""}})),
             Contains("config: data.dir: must not be empty"));
}

TEST_CASE("derived URLs come from data.dir unless set", "[config]") {
  auto r = Load("", {{"PALETTEMAKER_DATA_DIR", "/srv/pm"}});
  REQUIRE(r.ok());
  CHECK(r->EffectiveDatabaseUrl() == "sqlite:///srv/pm/palettemaker.db");
  CHECK(r->EffectiveStorageUrl() == "file:///srv/pm/objects");
  CHECK(Config{}.EffectiveDatabaseUrl() == "sqlite://./data/palettemaker.db");
  CHECK(Config{}.EffectiveStorageUrl() == "file://./data/objects");

  auto set = Load("", {{"PALETTEMAKER_DATA_DIR", "/srv/pm"},
                       {"PALETTEMAKER_DATABASE_URL", "postgres://h/db"},
                       {"PALETTEMAKER_STORAGE_URL", "s3://bucket/p"}});
  REQUIRE(set.ok());
  CHECK(set->EffectiveDatabaseUrl() == "postgres://h/db");
  CHECK(set->EffectiveStorageUrl() == "s3://bucket/p");
}

TEST_CASE("palette luminance bounds are checked together", "[config]") {
  CHECK_THAT(ErrorOf(LoadToml("[palette]\nluminance_min = 200\n")),
             Equals("config: palette.luminance_min: must be less than palette.luminance_max (got "
                    "200 and 185)"));
  CHECK_THAT(ErrorOf(LoadToml("[palette]\nluminance_min = 100\nluminance_max = 100\n")),
             Contains("must be less than palette.luminance_max"));
  CHECK_THAT(ErrorOf(LoadToml("[palette]\nluminance_max = 256\n")),
             Contains("palette.luminance_max: must be an integer between 0 and 255 (got 256)"));
  auto r = LoadToml("[palette]\nluminance_min = 0\nluminance_max = 255\n");
  REQUIRE(r.ok());
}

TEST_CASE("secret values never appear in error messages", "[config]") {
  std::string m = ErrorOf(LoadToml("[storage]\ns3_secret_access_key = 12345\n"));
  CHECK_THAT(m,
             Contains("config: storage.s3_secret_access_key: must be a string (got an integer)"));
  CHECK_THAT(m, !Contains("12345"));
}

TEST_CASE("control characters in values stay on one line", "[config]") {
  std::string m = ErrorOf(Load("", {{"PALETTEMAKER_LOG_LEVEL", "a\nb"}}));
  CHECK_THAT(m, Contains("(got \"a\\nb\")"));
}

TEST_CASE("metrics keys: networks are checked, the token is a secret with a _FILE form", "[config]") {
  CHECK_THAT(ErrorOf(LoadToml("[metrics]\nallow_networks = \"10.0.0.0/8, 10.0.0.1/8\"\n")),
             Contains("config: metrics.allow_networks: \"10.0.0.1/8\" is not a network"));
  auto ok = LoadToml("[metrics]\nallow_networks = \"10.0.0.0/8,fd00::/8\"\ntenant_cardinality_cap = 5\n");
  REQUIRE(ok.ok());
  CHECK(ok->metrics.allow_networks == "10.0.0.0/8,fd00::/8");
  CHECK(ok->metrics.tenant_cardinality_cap == 5);
  const pm::config::KeySpec* token = pm::config::FindKey("metrics.token");
  REQUIRE(token != nullptr);
  CHECK(token->sensitivity == pm::config::Sensitivity::kSecret);
  CHECK(token->FileAllowed());
}
