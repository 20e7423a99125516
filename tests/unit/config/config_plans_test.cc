// Plans: built-ins, [plans.<name>] tables, PALETTEMAKER_PLANS_<NAME>_<KEY>, plans.default, and the
// plans in Dump and the example file.
#include <catch2/catch.hpp>
#include <string>

#include "config/config.h"
#include "config_test_util.h"

using Catch::Matchers::Contains;
using Catch::Matchers::Equals;
using pm::config::BuiltInPlans;
using pm::config::Config;
using pm::config::Dump;
using pm::config::ExampleToml;
using pm::config::FindPlan;
using pm::config::Load;
using pm::config::Plan;
using pm::config::testing::ErrorOf;
using pm::config::testing::LoadToml;
using pm::config::testing::TempDir;

TEST_CASE("without plans in the file: free, pro and unlimited, default unlimited", "[config][plans]") {
  auto r = Load("", {});
  REQUIRE(r.ok());
  CHECK(r->plans.default_plan == "unlimited");
  REQUIRE(r->plans.plans.size() == 3);
  const Plan* free = FindPlan(*r, "free");
  REQUIRE(free != nullptr);
  CHECK(*free == Plan{"free", 3, 100, 512LL << 20, 10LL << 20, 40'000'000, 200, 300});
  const Plan* pro = FindPlan(*r, "pro");
  REQUIRE(pro != nullptr);
  CHECK(*pro == Plan{"pro", 25, 5000, 20LL << 30, 25LL << 20, 100'000'000, 5000, 1200});
  const Plan* unlimited = FindPlan(*r, "unlimited");
  REQUIRE(unlimited != nullptr);
  CHECK(*unlimited == Plan{"unlimited"});
  CHECK(FindPlan(*r, "gold") == nullptr);
  CHECK(FindPlan(*r, "") == nullptr);
  // Choosing a built-in plan as the default needs no tables.
  auto pro_default = LoadToml("[plans]\ndefault = \"free\"\n");
  REQUIRE(pro_default.ok());
  CHECK(pro_default->plans.default_plan == "free");
  CHECK(pro_default->plans.plans == BuiltInPlans());
}

TEST_CASE("plans from the file replace the built-in ones; missing keys are unlimited", "[config][plans]") {
  auto r = LoadToml(
      "[plans]\n"
      "default = \"team-2\"\n"
      "[plans.team-2]\n"
      "members = 2\n"
      "palettes = 3\n"
      "storage_bytes = 40000\n"
      "upload_bytes = 20000\n"
      "image_pixels = 500000\n"
      "detections_per_day = 4\n"
      "requests_per_minute = 30\n"
      "[plans.basic_1]\n"
      "palettes = 10\n");
  INFO((r.ok() ? "" : r.error().message));
  REQUIRE(r.ok());
  REQUIRE(r->plans.plans.size() == 2);
  CHECK(r->plans.plans[0].name == "basic_1");  // name order
  CHECK(*FindPlan(*r, "team-2") == Plan{"team-2", 2, 3, 40000, 20000, 500000, 4, 30});
  CHECK(*FindPlan(*r, "basic_1") == Plan{"basic_1", 0, 10, 0, 0, 0, 0, 0});
  CHECK(FindPlan(*r, "free") == nullptr);
  CHECK(r->plans.default_plan == "team-2");
  // An empty table is a plan with no caps.
  auto empty = LoadToml("[plans]\ndefault = \"open\"\n[plans.open]\n");
  REQUIRE(empty.ok());
  CHECK(*FindPlan(*empty, "open") == Plan{"open"});
}

TEST_CASE("bad plans are one-line errors naming the key, the file and the line", "[config][plans]") {
  TempDir dir;
  std::string path = dir.Write("pm.toml",
                               "[plans]\ndefault = \"small\"\n[plans.small]\nmembers = 2\n"
                               "palettes = \"many\"\n");
  CHECK_THAT(ErrorOf(Load(path, {})),
             Equals("config: plans.small.palettes: must be an integer between 0 and "
                    "9007199254740991 (0 = unlimited) (got the string \"many\") (from " +
                    path + ":5)"));
  CHECK_THAT(ErrorOf(LoadToml("[plans.small]\nmembers = -1\n")),
             Contains("config: plans.small.members: must be an integer between 0 and "
                      "9007199254740991 (0 = unlimited) (got -1) (from "));
  CHECK_THAT(ErrorOf(LoadToml("[plans.small]\nmembers = 2.5\n")),
             Contains("config: plans.small.members: must be an integer between 0 and "
                      "9007199254740991 (0 = unlimited) (got a float)"));
  CHECK_THAT(ErrorOf(LoadToml("[plans.small]\nmembers = true\n")), Contains("(got a boolean)"));
  CHECK_THAT(ErrorOf(LoadToml("[plans.small]\nmember = 2\n")),
             Contains("config: plans.small.member: unknown plan key; plans take members, palettes, "
                      "storage_bytes, upload_bytes, image_pixels, detections_per_day, "
                      "requests_per_minute (from "));
  CHECK_THAT(ErrorOf(LoadToml("[plans.Big]\nmembers = 2\n")),
             Contains("config: plans.Big: plan name must be 1 to 40 characters of a-z, 0-9, _ and "
                      "- (from "));
  CHECK_THAT(ErrorOf(LoadToml("[plans.\"a b\"]\n")), Contains("config: plans.a b: plan name must be"));
  CHECK_THAT(ErrorOf(LoadToml("[plans." + std::string(41, 'x') + "]\n")),
             Contains("plan name must be 1 to 40 characters"));
  CHECK_THAT(ErrorOf(LoadToml("[plans.default]\nmembers = 1\n")),
             Contains("config: plans.default: plan name is the key naming the default plan"));
  CHECK_THAT(ErrorOf(LoadToml("[plans]\nsmall = 3\n")),
             Contains("config: plans.small: unknown key (from "));
  CHECK_THAT(ErrorOf(LoadToml("[plans.small.extra]\nmembers = 1\n")),
             Contains("config: plans.small.extra: unknown plan key"));
  CHECK_THAT(ErrorOf(LoadToml("plans = 3\n")),
             Contains("config: plans: must be a table: write [plans] and its keys below it"));
  CHECK_THAT(ErrorOf(LoadToml("[plans]\ndefault = \"Gold!\"\n")),
             Contains("config: plans.default: must be 1 to 40 characters of a-z, 0-9, _ and - (got "
                      "\"Gold!\")"));
}

TEST_CASE("plans.default must name a configured plan", "[config][plans]") {
  CHECK_THAT(ErrorOf(LoadToml("[plans]\ndefault = \"gold\"\n")),
             Equals("config: plans.default: must name a configured plan (got \"gold\"; "
                    "configured: free, pro, unlimited); a file that defines [plans.<name>] tables "
                    "replaces the built-in plans"));
  // Defining plans drops the built-in "unlimited", the default's default.
  CHECK_THAT(ErrorOf(LoadToml("[plans.small]\nmembers = 2\n")),
             Contains("(got \"unlimited\"; configured: small)"));
  CHECK_THAT(ErrorOf(Load("", {{"PALETTEMAKER_PLANS_DEFAULT", "gold"}})),
             Contains("config: plans.default: must name a configured plan (got \"gold\""));
}

TEST_CASE("PALETTEMAKER_PLANS_<NAME>_<KEY> overrides keys of plans that exist", "[config][plans]") {
  auto r = Load("", {{"PALETTEMAKER_PLANS_FREE_MEMBERS", "7"},
                     {"PALETTEMAKER_PLANS_PRO_REQUESTS_PER_MINUTE", "0"},
                     {"PALETTEMAKER_PLANS_DEFAULT", "free"}});
  REQUIRE(r.ok());
  CHECK(FindPlan(*r, "free")->members == 7);
  CHECK(FindPlan(*r, "pro")->requests_per_minute == 0);
  CHECK(r->plans.default_plan == "free");

  TempDir dir;
  std::string path = dir.Write("pm.toml",
                               "[plans]\ndefault = \"team-a\"\n[plans.team-a]\nmembers = 2\n");
  auto file = Load(path, {{"PALETTEMAKER_PLANS_TEAM_A_PALETTES", "9"}});
  REQUIRE(file.ok());
  CHECK(*FindPlan(*file, "team-a") == Plan{"team-a", 2, 9, 0, 0, 0, 0, 0});

  CHECK_THAT(ErrorOf(Load("", {{"PALETTEMAKER_PLANS_FREE_MEMBERS", "lots"}})),
             Equals("config: plans.free.members: must be an integer between 0 and "
                    "9007199254740991 (0 = unlimited) (got \"lots\") (from "
                    "PALETTEMAKER_PLANS_FREE_MEMBERS)"));
  CHECK_THAT(ErrorOf(Load("", {{"PALETTEMAKER_PLANS_FREE_MEMBERS", "-3"}})), Contains("(got \"-3\")"));
  // A plan that does not exist, or a key plans do not have: unknown variables.
  CHECK_THAT(ErrorOf(Load("", {{"PALETTEMAKER_PLANS_GOLD_MEMBERS", "3"}})),
             Contains("config: unknown environment variable PALETTEMAKER_PLANS_GOLD_MEMBERS"));
  CHECK_THAT(ErrorOf(Load("", {{"PALETTEMAKER_PLANS_FREE_SEATS", "3"}})),
             Contains("config: unknown environment variable PALETTEMAKER_PLANS_FREE_SEATS"));
}

TEST_CASE("Dump and the example file show the plans, and load back", "[config][plans]") {
  std::string example = ExampleToml();
  CHECK_THAT(example, Contains("\n[plans]\n"));
  CHECK_THAT(example, Contains("\n[plans.free]\nmembers = 3\npalettes = 100\nstorage_bytes = "
                               "536870912\nupload_bytes = 10485760\nimage_pixels = 40000000\n"
                               "detections_per_day = 200\nrequests_per_minute = 300\n"));
  CHECK_THAT(example, Contains("\n[plans.unlimited]\nmembers = 0\n"));
  CHECK_THAT(example, Contains("PALETTEMAKER_PLANS_<NAME>_<KEY>"));

  auto r = LoadToml(
      "[plans]\ndefault = \"b\"\n[plans.a]\npalettes = 1\n[plans.b]\nmembers = 4\n"
      "requests_per_minute = 60\n");
  REQUIRE(r.ok());
  std::string dumped = Dump(*r);
  CHECK_THAT(dumped, Contains("[plans]\ndefault = \"b\"\n\n[plans.a]\nmembers = 0\npalettes = 1\n"));
  CHECK_THAT(dumped, Contains("\n[plans.b]\nmembers = 4\n"));
  CHECK_THAT(dumped, !Contains("[plans.free]"));
  auto again = LoadToml(dumped);
  REQUIRE(again.ok());
  CHECK(*again == *r);
}
