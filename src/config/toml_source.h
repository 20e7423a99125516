// Reads a TOML file into a flat list of entries. The only file that includes toml++
// (toml_source.cc), so the parser's exceptions and compile time stay in one place.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "common/result.h"

namespace pm::config {

struct TomlEntry {
  // A top-level key has an empty section; a key inside [section] has both. Tables and arrays
  // nested below a section are entries too (type "table"/"array"), so they can be rejected; the
  // keys of a table [a.b] follow its own entry with section "a.b" (one level, for [plans.<name>]).
  std::string section;
  std::string key;
  // string, integer or boolean values; std::monostate for every other TOML type.
  std::variant<std::monostate, std::string, int64_t, bool> value;
  std::string type_name;  // "string", "integer", "boolean", "float", "table", "array", "date", ...
  int line = 0;
};

// Reads and parses `path`. Errors (kInvalidArgument) are one line:
//   config: cannot read /etc/pm.toml: No such file or directory
//   config: /etc/pm.toml:3:7: <what the parser says>
Result<std::vector<TomlEntry>> ReadTomlFile(const std::string& path);

}  // namespace pm::config
