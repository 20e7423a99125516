// The key table: one row per configuration key. Internal to pm_config (and its tests); everything
// else uses config.h.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "config/config.h"

namespace pm::config {

enum class KeyType { kString, kInt, kInt64, kBool, kEnum };

// How a value is protected in output and where else it may come from.
enum class Sensitivity {
  kPlain,
  kSecret,          // masked as "***" in Dump and error messages; <ENV>_FILE accepted
  kUrlCredentials,  // a URL that may hold user:password; the password is masked; <ENV>_FILE
                    // accepted
};

// Points at the field of a Config that a key sets. int keys point at int, int64 keys at
// int64_t, string and enum keys at std::string, bool keys at bool (checked by a unit test).
using FieldPtr = std::variant<std::string*, int*, int64_t*, bool*>;

struct KeySpec {
  const char* name;  // "section.key"
  KeyType type;
  const char* default_value;  // as it would be written in the environment
  int64_t min;                // int/int64 bounds, inclusive
  int64_t max;
  const char* allowed;  // enum: values separated by '|'
  Sensitivity sensitivity;
  const char* fallback_env;  // standard variable used when the key is still empty, or nullptr
  const char* doc;           // one line
  FieldPtr (*field)(Config&);
  // Extra syntax check for strings: returns what is wrong ("must be ..."), empty when fine.
  std::string (*check)(std::string_view value);

  std::string_view Section() const;  // "server"
  std::string_view Key() const;      // "listen"
  bool FileAllowed() const { return sensitivity != Sensitivity::kPlain; }
};

std::span<const KeySpec> Keys();
const KeySpec* FindKey(std::string_view name);  // nullptr when unknown

// PALETTEMAKER_SERVER_LISTEN for server.listen.
std::string EnvName(const KeySpec& spec);

// The sections in table order, without duplicates.
std::span<const std::string_view> Sections();

// Checks used by the table, exposed for tests.
std::string CheckListen(std::string_view value);
std::string CheckDatabaseUrl(std::string_view value);
std::string CheckStorageUrl(std::string_view value);
std::string CheckHttpUrl(std::string_view value);
std::string CheckNotEmpty(std::string_view value);
std::string CheckPortList(std::string_view value);  // ParsePortList
std::string CheckCidrList(std::string_view value);  // ParseCidrList (common/cidr.h)
std::string CheckPlanName(std::string_view value);  // [a-z0-9_-]{1,40}

}  // namespace pm::config
