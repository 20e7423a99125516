// healthcheck's URL rules and doctor's checks and output formats, in process (the integration
// suite runs both through the real binary against real servers and both backend pairs).
#include "cli/doctor.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/healthcheck.h"

namespace pm::cli {
namespace {

namespace fs = std::filesystem;

const DoctorCheck* Find(const std::vector<DoctorCheck>& checks, const std::string& name) {
  for (const DoctorCheck& c : checks) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

TEST_CASE("HealthUrl adds /healthz when there is no path and refuses what is not http(s)") {
  CHECK(HealthUrl("http://127.0.0.1:8080").value() == "http://127.0.0.1:8080/healthz");
  CHECK(HealthUrl("https://pm.example:443/readyz").value() == "https://pm.example:443/readyz");
  CHECK(HealthUrl("http://[::1]:9").value() == "http://[::1]:9/healthz");
  for (const char* bad : {"127.0.0.1:8080", "ftp://host/", "http://", "http:///x", "http://a b"}) {
    INFO(bad);
    auto r = HealthUrl(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::kInvalidArgument);
  }
}

TEST_CASE("HealthUrlForListen probes wildcard addresses on loopback and refuses port 0") {
  CHECK(HealthUrlForListen("0.0.0.0:8080").value() == "http://127.0.0.1:8080/healthz");
  CHECK(HealthUrlForListen("[::]:8080").value() == "http://[::1]:8080/healthz");
  CHECK(HealthUrlForListen("10.1.2.3:81").value() == "http://10.1.2.3:81/healthz");
  auto zero = HealthUrlForListen("127.0.0.1:0");
  REQUIRE_FALSE(zero.ok());
  CHECK(zero.error().message.find("port 0") != std::string::npos);
}

TEST_CASE("doctor: a configuration that does not load is the only check") {
  auto checks = RunDoctor({}, {{"PALETTEMAKER_LOG_LEVEL", "loud"}});
  REQUIRE(checks.size() == 1);
  CHECK(checks[0].name == "config");
  CHECK(checks[0].status == CheckStatus::kFail);
  CHECK(checks[0].detail.find("log.level") != std::string::npos);
}

TEST_CASE("doctor on a fresh data directory creates no database and leaves no probe behind") {
  fs::path dir = fs::temp_directory_path() / ("pm-doctor-unit-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto checks =
      RunDoctor({}, {{"PALETTEMAKER_DATA_DIR", dir.string()}, {"PALETTEMAKER_SERVER_LISTEN", "127.0.0.1:0"}});
  REQUIRE(Find(checks, "data_dir") != nullptr);
  CHECK(Find(checks, "data_dir")->status == CheckStatus::kOk);
  CHECK(Find(checks, "database")->status == CheckStatus::kWarn);
  CHECK_FALSE(fs::exists(dir / "palettemaker.db"));
  CHECK(Find(checks, "objects")->status == CheckStatus::kOk);
  // The objects directory serve would create is there; nothing else is.
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    INFO(entry.path());
    CHECK(entry.is_directory());
  }
  // Below the free-space threshold: a warning, not a failure.
  DoctorOptions tight;
  tight.min_free_mb = int64_t{1} << 40;
  auto warned = RunDoctor(
      tight, {{"PALETTEMAKER_DATA_DIR", dir.string()}, {"PALETTEMAKER_SERVER_LISTEN", "127.0.0.1:0"}});
  CHECK(Find(warned, "data_dir")->status == CheckStatus::kWarn);
  fs::remove_all(dir);
}

TEST_CASE("doctor output: aligned text lines and JSON with an overall verdict") {
  std::vector<DoctorCheck> checks = {{"config", CheckStatus::kOk, "fine"},
                                     {"data_dir", CheckStatus::kWarn, "low"},
                                     {"database", CheckStatus::kFail, "down"}};
  CHECK(FormatDoctorText(checks) ==
        "ok    config    fine\n"
        "warn  data_dir  low\n"
        "FAIL  database  down\n");
  auto doc = nlohmann::json::parse(FormatDoctorJson(checks));
  CHECK(doc["ok"] == false);
  REQUIRE(doc["checks"].size() == 3);
  CHECK(doc["checks"][2]["status"] == "fail");
  CHECK(doc["checks"][1]["check"] == "data_dir");
  checks.pop_back();
  CHECK(nlohmann::json::parse(FormatDoctorJson(checks))["ok"] == true);
}

}  // namespace
}  // namespace pm::cli
