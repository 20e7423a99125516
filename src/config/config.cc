// Load(): defaults -> TOML -> PALETTEMAKER_* -> <ENV>_FILE -> AWS_* fallbacks -> cross-field
// checks.
#include "config/config.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <string>
#include <variant>
#include <vector>

#include "config/config_format.h"
#include "config/config_keys.h"
#include "config/plan_keys.h"
#include "config/toml_source.h"

extern char** environ;  // NOLINT: POSIX

namespace pm::config {
namespace {

constexpr std::string_view kEnvPrefix = "PALETTEMAKER_";
constexpr size_t kMaxShownValue = 80;

// One value on its way into a Config, with where it came from for error messages.
struct Input {
  // Text (environment, *_FILE, defaults) is parsed by the key's type; TOML values arrive typed.
  bool is_text = true;
  std::variant<std::monostate, std::string, int64_t, bool> value;
  std::string toml_type;  // TOML type name when !is_text
  std::string origin;     // "PALETTEMAKER_SERVER_THREADS", "/etc/pm.toml:3"; empty for defaults
};

Error Fail(const KeySpec& spec, const std::string& what, const std::string& got,
           const std::string& origin) {
  std::string msg = "config: " + std::string(spec.name) + ": " + what;
  if (!got.empty()) msg += " (got " + got + ")";
  if (!origin.empty()) msg += " (from " + origin + ")";
  return MakeError(ErrorCode::kInvalidArgument, msg);
}

// How the offending value is echoed: never for secrets, URLs without their password.
std::string Shown(const KeySpec& spec, const std::string& text) {
  if (spec.sensitivity == Sensitivity::kSecret) return "";
  std::string s = spec.sensitivity == Sensitivity::kUrlCredentials ? RedactUrl(text) : text;
  if (s.size() > kMaxShownValue) s = s.substr(0, kMaxShownValue) + "...";
  return TomlQuote(s);
}

// "an integer", "a float".
std::string WithArticle(const std::string& type) {
  bool vowel = !type.empty() && std::string_view("aeiou").find(type[0]) != std::string_view::npos;
  return (vowel ? "an " : "a ") + type;
}

std::string Got(const KeySpec& spec, const Input& in) {
  if (in.is_text) return Shown(spec, std::get<std::string>(in.value));
  if (const auto* s = std::get_if<std::string>(&in.value)) {
    std::string shown = Shown(spec, *s);
    return shown.empty() ? "a string" : "the string " + shown;
  }
  if (spec.sensitivity == Sensitivity::kSecret) return WithArticle(in.toml_type);
  if (const auto* i = std::get_if<int64_t>(&in.value)) return std::to_string(*i);
  if (const auto* b = std::get_if<bool>(&in.value)) return *b ? "true" : "false";
  return WithArticle(in.toml_type);
}

std::string Expected(const KeySpec& spec, bool text) {
  switch (spec.type) {
    case KeyType::kInt:
    case KeyType::kInt64:
      return "must be an integer between " + std::to_string(spec.min) + " and " +
             std::to_string(spec.max);
    case KeyType::kBool:
      return text ? "must be a boolean: true, false, 1, 0, yes or no" : "must be true or false";
    case KeyType::kEnum: {
      std::string allowed = spec.allowed;
      std::string out = "must be one of ";
      for (char c : allowed) out += c == '|' ? std::string(", ") : std::string(1, c);
      return out;
    }
    case KeyType::kString:
      break;
  }
  return "must be a string";
}

bool ParseInt(std::string_view text, int64_t* out) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, *out);
  return ec == std::errc() && ptr == end && !text.empty();
}

bool ParseBool(std::string_view text, bool* out) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "true" || lower == "1" || lower == "yes") {
    *out = true;
    return true;
  }
  if (lower == "false" || lower == "0" || lower == "no") {
    *out = false;
    return true;
  }
  return false;
}

bool IsAllowed(const KeySpec& spec, std::string_view value) {
  std::string_view allowed = spec.allowed;
  while (!allowed.empty()) {
    size_t bar = allowed.find('|');
    if (allowed.substr(0, bar) == value) return true;
    if (bar == std::string_view::npos) break;
    allowed.remove_prefix(bar + 1);
  }
  return false;
}

// Validates `in` against the key's type, bounds and check, then stores it.
Status Assign(const KeySpec& spec, const Input& in, Config* config) {
  FieldPtr field = spec.field(*config);
  auto fail = [&] { return Fail(spec, Expected(spec, in.is_text), Got(spec, in), in.origin); };
  switch (spec.type) {
    case KeyType::kInt:
    case KeyType::kInt64: {
      int64_t v = 0;
      if (in.is_text) {
        if (!ParseInt(std::get<std::string>(in.value), &v)) return fail();
      } else if (const auto* i = std::get_if<int64_t>(&in.value)) {
        v = *i;
      } else {
        return fail();
      }
      if (v < spec.min || v > spec.max) return fail();
      if (auto** p = std::get_if<int*>(&field)) {
        **p = static_cast<int>(v);  // the bounds of every int key fit an int
      } else {
        *std::get<int64_t*>(field) = v;
      }
      return Status::Ok();
    }
    case KeyType::kBool: {
      bool v = false;
      if (in.is_text) {
        if (!ParseBool(std::get<std::string>(in.value), &v)) return fail();
      } else if (const auto* b = std::get_if<bool>(&in.value)) {
        v = *b;
      } else {
        return fail();
      }
      *std::get<bool*>(field) = v;
      return Status::Ok();
    }
    case KeyType::kEnum:
    case KeyType::kString: {
      const auto* s = std::get_if<std::string>(&in.value);
      if (s == nullptr) return fail();
      if (spec.type == KeyType::kEnum && !IsAllowed(spec, *s)) return fail();
      if (spec.check != nullptr) {
        std::string problem = spec.check(*s);
        if (!problem.empty()) return Fail(spec, problem, Shown(spec, *s), in.origin);
      }
      *std::get<std::string*>(field) = *s;
      return Status::Ok();
    }
  }
  return Status::Ok();
}

Input TextInput(std::string text, std::string origin) {
  Input in;
  in.value = std::move(text);
  in.origin = std::move(origin);
  return in;
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// "; did you mean server.threads?" when a candidate is close enough to be a typo.
std::string Suggest(std::string_view name, const std::vector<std::string>& candidates) {
  const std::string* best = nullptr;
  size_t best_distance = 3;  // at most two edits
  for (const std::string& c : candidates) {
    size_t d = EditDistance(name, c);
    if (d < best_distance) {
      best_distance = d;
      best = &c;
    }
  }
  return best == nullptr ? "" : "; did you mean " + *best + "?";
}

Status ApplyToml(const std::string& path, Config* config) {
  PM_ASSIGN_OR_RETURN(std::vector<TomlEntry> entries, ReadTomlFile(path));
  std::vector<std::string> key_names;
  std::vector<std::string> section_names;
  for (const KeySpec& k : Keys()) key_names.emplace_back(k.name);
  for (std::string_view s : Sections()) section_names.emplace_back(s);
  PlanReader plans(path, &config->plans);

  for (const TomlEntry& e : entries) {
    std::string origin = path + ":" + std::to_string(e.line);
    if (e.section.empty()) {
      bool known =
          std::find(section_names.begin(), section_names.end(), e.key) != section_names.end();
      std::string what;
      if (known && e.type_name != "table") {
        what = "must be a table: write [" + e.key + "] and its keys below it";
      } else if (!known && e.type_name == "table") {
        what = "unknown section" + Suggest(e.key, section_names);
      } else if (!known) {
        what = "unknown key; keys belong in a section such as [server]" + Suggest(e.key, key_names);
      }
      if (!what.empty()) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "config: " + e.key + ": " + what + " (from " + origin + ")");
      }
      continue;
    }
    // [plans.<name>] tables and their keys.
    if (e.section == "plans" && e.type_name == "table") {
      PM_RETURN_IF_ERROR(plans.AddPlan(e));
      continue;
    }
    if (e.section.rfind("plans.", 0) == 0) {
      PM_RETURN_IF_ERROR(plans.SetKey(e));
      continue;
    }
    std::string name = e.section + "." + e.key;
    const KeySpec* spec = FindKey(name);
    if (spec == nullptr) {
      return MakeError(ErrorCode::kInvalidArgument, "config: " + name + ": unknown key" +
                                                        Suggest(name, key_names) + " (from " +
                                                        origin + ")");
    }
    Input in;
    in.is_text = false;
    in.value = e.value;
    in.toml_type = e.type_name;
    in.origin = origin;
    PM_RETURN_IF_ERROR(Assign(*spec, in, config));
  }
  return Status::Ok();
}

Result<std::string> ReadSecretFile(const KeySpec& spec, const std::string& env_name,
                                   const std::string& path) {
  std::string prefix =
      "config: " + std::string(spec.name) + ": cannot read " + env_name + "=" + path + ": ";
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return MakeError(ErrorCode::kInvalidArgument, prefix + std::strerror(errno));
  std::string data;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) data.append(buf, n);
  bool failed = std::ferror(f) != 0;
  int err = errno;
  std::fclose(f);
  if (failed) return MakeError(ErrorCode::kInvalidArgument, prefix + std::strerror(err));
  // Files written by editors and `echo` end in a newline that is not part of the secret.
  while (!data.empty() && (data.back() == '\n' || data.back() == '\r')) data.pop_back();
  return data;
}

Status ApplyEnv(const Env& env, Config* config) {
  // Unknown PALETTEMAKER_* variables first: a typo must not pass silently.
  std::vector<std::string> known;
  for (const KeySpec& k : Keys()) {
    known.push_back(EnvName(k));
    if (k.FileAllowed()) known.push_back(EnvName(k) + "_FILE");
  }
  for (const auto& [name, value] : env) {
    if (name.compare(0, kEnvPrefix.size(), kEnvPrefix) != 0 || name == kConfigPathEnv) continue;
    if (std::find(known.begin(), known.end(), name) == known.end() &&
        !IsPlanEnvName(config->plans, name)) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "config: unknown environment variable " + name + Suggest(name, known));
    }
  }
  for (const KeySpec& spec : Keys()) {
    std::string env_name = EnvName(spec);
    std::string file_env = env_name + "_FILE";
    auto direct = env.find(env_name);
    auto file = spec.FileAllowed() ? env.find(file_env) : env.end();
    if (direct != env.end() && file != env.end()) {
      return MakeError(ErrorCode::kInvalidArgument, "config: " + std::string(spec.name) +
                                                        ": both " + env_name + " and " + file_env +
                                                        " are set; set only one");
    }
    if (direct != env.end()) {
      PM_RETURN_IF_ERROR(Assign(spec, TextInput(direct->second, env_name), config));
    } else if (file != env.end()) {
      PM_ASSIGN_OR_RETURN(std::string text, ReadSecretFile(spec, file_env, file->second));
      PM_RETURN_IF_ERROR(Assign(spec, TextInput(std::move(text), file_env), config));
    }
  }
  PM_RETURN_IF_ERROR(ApplyPlanEnv(env, &config->plans));
  // The standard AWS_* variables, for S3 keys that neither the file nor PALETTEMAKER_* set.
  for (const KeySpec& spec : Keys()) {
    if (spec.fallback_env == nullptr) continue;
    auto fallback = env.find(spec.fallback_env);
    if (fallback == env.end() || fallback->second.empty()) continue;
    if (!std::get<std::string*>(spec.field(*config))->empty()) continue;
    PM_RETURN_IF_ERROR(Assign(spec, TextInput(fallback->second, spec.fallback_env), config));
  }
  return Status::Ok();
}

Status CheckCrossField(const Config& c) {
  if (c.palette.luminance_min >= c.palette.luminance_max) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        "config: palette.luminance_min: must be less than palette.luminance_max (got " +
            std::to_string(c.palette.luminance_min) + " and " +
            std::to_string(c.palette.luminance_max) + ")");
  }
  return CheckPlans(c.plans);
}

}  // namespace

std::string Config::EffectiveDatabaseUrl() const {
  return database.url.empty() ? "sqlite://" + data.dir + "/palettemaker.db" : database.url;
}

std::string Config::PublicUrl() const {
  std::string url = server.public_url.empty() ? "http://" + server.listen : server.public_url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

std::string Config::EffectiveStorageUrl() const {
  return storage.url.empty() ? "file://" + data.dir + "/objects" : storage.url;
}

Env ProcessEnv() {
  Env env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    size_t eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return env;
}

Result<Config> Load(const std::string& toml_path, const Env& env) {
  Config config;
  // The table's defaults, through the same parser as the environment (keeps them valid).
  for (const KeySpec& spec : Keys()) {
    PM_RETURN_IF_ERROR(Assign(spec, TextInput(spec.default_value, "default"), &config));
  }
  if (!toml_path.empty()) PM_RETURN_IF_ERROR(ApplyToml(toml_path, &config));
  PM_RETURN_IF_ERROR(ApplyEnv(env, &config));
  PM_RETURN_IF_ERROR(CheckCrossField(config));
  return config;
}

}  // namespace pm::config
