// Dump() and ExampleToml(): both walk the key table, so neither can miss a key.
#include "config/config_format.h"

#include <cstdio>
#include <string>

#include "config/config.h"
#include "config/config_keys.h"
#include "config/plan_keys.h"

namespace pm::config {

std::string TomlQuote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

std::string RedactUrl(std::string_view url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  size_t start = scheme_end + 3;
  size_t authority_end = url.find_first_of("/?#", start);
  if (authority_end == std::string_view::npos) authority_end = url.size();
  // The last '@' of the authority ends the user-info (a password may itself contain '@').
  size_t at = url.substr(0, authority_end).rfind('@');
  if (at == std::string_view::npos || at < start) return std::string(url);
  size_t colon = url.substr(0, at).find(':', start);
  if (colon == std::string_view::npos) return std::string(url);
  return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
}

std::string FieldToToml(const FieldPtr& field) {
  struct Visitor {
    std::string operator()(std::string* s) const { return TomlQuote(*s); }
    std::string operator()(int* i) const { return std::to_string(*i); }
    std::string operator()(int64_t* i) const { return std::to_string(*i); }
    std::string operator()(bool* b) const { return *b ? "true" : "false"; }
  };
  return std::visit(Visitor{}, field);
}

std::string Dump(const Config& config) {
  Config copy = config;  // the table's accessors take a mutable Config
  std::string out;
  for (std::string_view section : Sections()) {
    if (!out.empty()) out += '\n';
    out += "[" + std::string(section) + "]\n";
    for (const KeySpec& spec : Keys()) {
      if (spec.Section() != section) continue;
      FieldPtr field = spec.field(copy);
      std::string value;
      if (spec.sensitivity == Sensitivity::kSecret) {
        value = std::get<std::string*>(field)->empty() ? "\"\"" : "\"***\"";
      } else if (spec.sensitivity == Sensitivity::kUrlCredentials) {
        value = TomlQuote(RedactUrl(*std::get<std::string*>(field)));
      } else {
        value = FieldToToml(field);
      }
      out += std::string(spec.Key()) + " = " + value;
      if (std::string_view(spec.name) == "database.url" && copy.database.url.empty()) {
        out += "  # effective: " + RedactUrl(copy.EffectiveDatabaseUrl());
      } else if (std::string_view(spec.name) == "storage.url" && copy.storage.url.empty()) {
        out += "  # effective: " + copy.EffectiveStorageUrl();
      }
      out += '\n';
    }
    if (section == "plans") out += PlansToml(copy.plans);
  }
  return out;
}

namespace {

std::string DefaultToml(const KeySpec& spec) {
  bool quoted = spec.type == KeyType::kString || spec.type == KeyType::kEnum;
  return quoted ? TomlQuote(spec.default_value) : std::string(spec.default_value);
}

// "env PALETTEMAKER_X or PALETTEMAKER_X_FILE, else AWS_X; default 0; 0 to 1024; secret"
std::string DescribeKey(const KeySpec& spec) {
  std::string env = EnvName(spec);
  std::string out = "env " + env;
  if (spec.FileAllowed()) out += " or " + env + "_FILE";
  if (spec.fallback_env != nullptr) out += ", else " + std::string(spec.fallback_env);
  out += "; default " + DefaultToml(spec);
  if (spec.type == KeyType::kInt || spec.type == KeyType::kInt64) {
    out += "; " + std::to_string(spec.min) + " to " + std::to_string(spec.max);
  } else if (spec.type == KeyType::kEnum) {
    out += "; one of ";
    for (const char* c = spec.allowed; *c != '\0'; ++c)
      out += *c == '|' ? std::string(", ") : std::string(1, *c);
  } else if (spec.type == KeyType::kBool) {
    out += "; true or false";
  }
  if (spec.sensitivity == Sensitivity::kSecret) out += "; secret";
  return out;
}

}  // namespace

std::string ExampleToml() {
  std::string out =
      "# Palette Maker configuration: every key, set to its default.\n"
      "#\n"
      "# Values come from the built-in defaults, then this file (when one is given),\n"
      "# then the environment variable named above each key, which wins over the file. Keys that\n"
      "# accept <ENV>_FILE read the value from that file instead (e.g. a Kubernetes secret).\n"
      "# Unknown sections, keys and PALETTEMAKER_* variables are errors, so typos do not pass.\n"
      "#\n"
      "# Generated from src/config/config_keys.cc; do not edit by hand. Regenerate with\n"
      "#   cmake --build <build dir> --target config_example\n";
  for (std::string_view section : Sections()) {
    out += "\n[" + std::string(section) + "]\n";
    for (const KeySpec& spec : Keys()) {
      if (spec.Section() != section) continue;
      out += "\n# " + std::string(spec.doc) + "\n";
      out += "# " + DescribeKey(spec) + "\n";
      out += std::string(spec.Key()) + " = " + DefaultToml(spec) + "\n";
    }
    if (section == "plans") {
      out += "\n# Plans: [plans.<name>] tables (name: 1 to 40 characters of a-z, 0-9, _ and -) with\n"
             "# any of these integer keys, 0 or a key left out = unlimited; env\n"
             "# PALETTEMAKER_PLANS_<NAME>_<KEY> overrides a key of a plan that exists (name upper-cased,\n"
             "# - as _). These are the built-in plans, used when the file defines none; a file that\n"
             "# defines any plan replaces them all, so keep plans.default naming one of yours.\n";
      out += PlanKeysDoc();
      out += PlansToml(PlansConfig{});
    }
  }
  return out;
}

}  // namespace pm::config
