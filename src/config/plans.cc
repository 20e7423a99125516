// Plans: the built-in ones, the [plans.<name>] tables, PALETTEMAKER_PLANS_<NAME>_<KEY> and their
// TOML form for Dump and the example file.
#include <algorithm>
#include <cctype>
#include <charconv>

#include "config/config_format.h"
#include "config/config_keys.h"
#include "config/plan_keys.h"

namespace pm::config {
namespace {

constexpr int64_t kMiB = 1024 * 1024;
constexpr int64_t kGiB = 1024 * kMiB;

const PlanKeySpec kPlanKeys[] = {
    {"members", "Members of a workspace; pending invitations count too.", &Plan::members},
    {"palettes", "Palettes in a workspace.", &Plan::palettes},
    {"storage_bytes", "Stored image bytes of a workspace (an image its duplicates share counts once).",
     &Plan::storage_bytes},
    {"upload_bytes", "Largest upload, in bytes (limits.upload_max_bytes applies too).",
     &Plan::upload_bytes},
    {"image_pixels", "Largest image, width x height (limits.image_max_pixels applies too).",
     &Plan::image_pixels},
    {"detections_per_day", "Region detections per workspace and UTC day.",
     &Plan::detections_per_day},
    {"requests_per_minute", "API requests per workspace and minute (sessions and tokens).",
     &Plan::requests_per_minute},
};

std::string Upper(std::string_view s) {
  std::string out;
  for (char c : s) out += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

Plan* Find(PlansConfig* plans, std::string_view name) {
  for (Plan& p : plans->plans) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

std::string Known(const PlansConfig& plans) {
  std::string out;
  for (const Plan& p : plans.plans) out += (out.empty() ? "" : ", ") + p.name;
  return out.empty() ? "none" : out;
}

std::string ValueProblem() {
  return "must be an integer between 0 and " + std::to_string(kMaxPlanValue) + " (0 = unlimited)";
}

Error PlanError(const std::string& name, const std::string& what, const std::string& origin) {
  return MakeError(ErrorCode::kInvalidArgument,
                   "config: " + name + ": " + what + " (from " + origin + ")");
}

}  // namespace

std::vector<Plan> BuiltInPlans() {
  return {
      Plan{"free", 3, 100, 512 * kMiB, 10 * kMiB, 40'000'000, 200, 300},
      Plan{"pro", 25, 5000, 20 * kGiB, 25 * kMiB, 100'000'000, 5000, 1200},
      Plan{"unlimited", 0, 0, 0, 0, 0, 0, 0},
  };
}

const Plan* FindPlan(const Config& config, std::string_view name) {
  for (const Plan& p : config.plans.plans) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

std::span<const PlanKeySpec> PlanKeys() { return kPlanKeys; }

const PlanKeySpec* FindPlanKey(std::string_view key) {
  for (const PlanKeySpec& k : kPlanKeys) {
    if (key == k.key) return &k;
  }
  return nullptr;
}

std::string PlanEnvName(std::string_view plan, const PlanKeySpec& key) {
  return "PALETTEMAKER_PLANS_" + Upper(plan) + "_" + Upper(key.key);
}

Status PlanReader::AddPlan(const TomlEntry& e) {
  std::string origin = path_ + ":" + std::to_string(e.line);
  std::string problem = CheckPlanName(e.key);
  if (e.key == "default") problem = "is the key naming the default plan, not a plan; name the plan otherwise";
  if (!problem.empty()) return PlanError("plans." + e.key, "plan name " + problem, origin);
  if (!replaced_builtins_) {
    plans_->plans.clear();
    replaced_builtins_ = true;
  }
  if (Find(plans_, e.key) == nullptr) {
    plans_->plans.push_back(Plan{e.key});
    std::sort(plans_->plans.begin(), plans_->plans.end(),
              [](const Plan& a, const Plan& b) { return a.name < b.name; });
  }
  return Status::Ok();
}

Status PlanReader::SetKey(const TomlEntry& e) {
  std::string origin = path_ + ":" + std::to_string(e.line);
  std::string plan_name = e.section.substr(std::string_view("plans.").size());
  std::string name = e.section + "." + e.key;
  Plan* plan = Find(plans_, plan_name);
  if (plan == nullptr) return PlanError(name, "plan not defined", origin);  // AddPlan failed first
  const PlanKeySpec* spec = FindPlanKey(e.key);
  if (spec == nullptr) {
    std::string keys;
    for (const PlanKeySpec& k : kPlanKeys) keys += (keys.empty() ? "" : ", ") + std::string(k.key);
    return PlanError(name, "unknown plan key; plans take " + keys, origin);
  }
  const auto* v = std::get_if<int64_t>(&e.value);
  if (v == nullptr || *v < 0 || *v > kMaxPlanValue) {
    std::string got;
    if (v != nullptr) {
      got = std::to_string(*v);
    } else if (const auto* s = std::get_if<std::string>(&e.value)) {
      got = "the string " + TomlQuote(s->size() > 80 ? s->substr(0, 80) + "..." : *s);
    } else {
      got = (std::string_view("aeiou").find(e.type_name[0]) != std::string_view::npos ? "an " : "a ") +
            e.type_name;
    }
    return PlanError(name, ValueProblem() + " (got " + got + ")", origin);
  }
  plan->*(spec->field) = *v;
  return Status::Ok();
}

bool IsPlanEnvName(const PlansConfig& plans, std::string_view env_name) {
  for (const Plan& p : plans.plans) {
    for (const PlanKeySpec& k : kPlanKeys) {
      if (PlanEnvName(p.name, k) == env_name) return true;
    }
  }
  return false;
}

Status ApplyPlanEnv(const Env& env, PlansConfig* plans) {
  for (Plan& p : plans->plans) {
    for (const PlanKeySpec& k : kPlanKeys) {
      std::string env_name = PlanEnvName(p.name, k);
      auto it = env.find(env_name);
      if (it == env.end()) continue;
      const std::string& text = it->second;
      int64_t v = -1;
      auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || v < 0 ||
          v > kMaxPlanValue) {
        std::string shown = text.size() > 80 ? text.substr(0, 80) + "..." : text;
        return MakeError(ErrorCode::kInvalidArgument,
                         "config: plans." + p.name + "." + k.key + ": " + ValueProblem() +
                             " (got " + TomlQuote(shown) + ") (from " + env_name + ")");
      }
      p.*(k.field) = v;
    }
  }
  return Status::Ok();
}

Status CheckPlans(const PlansConfig& plans) {
  for (const Plan& p : plans.plans) {
    if (p.name == plans.default_plan) return Status::Ok();
  }
  return MakeError(ErrorCode::kInvalidArgument,
                   "config: plans.default: must name a configured plan (got " +
                       TomlQuote(plans.default_plan) + "; configured: " + Known(plans) +
                       "); a file that defines [plans.<name>] tables replaces the built-in plans");
}

std::string PlansToml(const PlansConfig& plans) {
  std::string out;
  for (const Plan& p : plans.plans) {
    out += "\n[plans." + p.name + "]\n";
    for (const PlanKeySpec& k : kPlanKeys) {
      out += std::string(k.key) + " = " + std::to_string(p.*(k.field)) + "\n";
    }
  }
  return out;
}

std::string PlanKeysDoc() {
  std::string out;
  for (const PlanKeySpec& k : kPlanKeys) out += "#   " + std::string(k.key) + ": " + k.doc + "\n";
  return out;
}

}  // namespace pm::config
