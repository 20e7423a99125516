// The keys of a [plans.<name>] table, and how plans are read, checked and written. Internal to
// pm_config (config.cc, config_format.cc and their tests); everything else uses config.h
// (Plan, FindPlan).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"
#include "config/config.h"
#include "config/toml_source.h"

namespace pm::config {

struct PlanKeySpec {
  const char* key;  // "members"
  const char* doc;  // one line
  int64_t Plan::*field;
};

std::span<const PlanKeySpec> PlanKeys();
const PlanKeySpec* FindPlanKey(std::string_view key);

// Largest value a plan key takes (JavaScript's largest exact integer, so JSON clients read it).
inline constexpr int64_t kMaxPlanValue = 9007199254740991;

// PALETTEMAKER_PLANS_<NAME>_<KEY>: the name upper-cased, '-' as '_'.
std::string PlanEnvName(std::string_view plan, const PlanKeySpec& key);

// Applies the file's plans: `entries` are ReadTomlFile's entries with section "plans" and type
// "table" (one per plan) or section "plans.<name>" (their keys). The first plan of the file
// replaces the built-in ones. One-line errors name the plan key and file:line.
class PlanReader {
 public:
  PlanReader(std::string path, PlansConfig* plans) : path_(std::move(path)), plans_(plans) {}
  // A [plans.<name>] table.
  Status AddPlan(const TomlEntry& entry);
  // A key of one (entry.section = "plans.<name>").
  Status SetKey(const TomlEntry& entry);

 private:
  std::string path_;
  PlansConfig* plans_;
  bool replaced_builtins_ = false;
};

// The PALETTEMAKER_PLANS_<NAME>_<KEY> variables for the configured plans.
bool IsPlanEnvName(const PlansConfig& plans, std::string_view env_name);
// Applies those set in `env` to the plans they name.
Status ApplyPlanEnv(const Env& env, PlansConfig* plans);
// plans.default must name a configured plan.
Status CheckPlans(const PlansConfig& plans);

// "\n[plans.free]\nmembers = 3\n..." for every plan, keys in PlanKeys() order.
std::string PlansToml(const PlansConfig& plans);
// "#   members: <doc>\n" for every plan key (the example file).
std::string PlanKeysDoc();

}  // namespace pm::config
