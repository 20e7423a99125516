#include "config/toml_source.h"

#include <toml++/toml.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string_view>

namespace pm::config {
namespace {

std::string OneLine(std::string_view s) {
  std::string out;
  for (char c : s) out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

const char* TypeName(toml::node_type type) {
  switch (type) {
    case toml::node_type::table:
      return "table";
    case toml::node_type::array:
      return "array";
    case toml::node_type::string:
      return "string";
    case toml::node_type::integer:
      return "integer";
    case toml::node_type::floating_point:
      return "float";
    case toml::node_type::boolean:
      return "boolean";
    case toml::node_type::date:
      return "date";
    case toml::node_type::time:
      return "time";
    case toml::node_type::date_time:
      return "date-time";
    case toml::node_type::none:
      break;
  }
  return "value";
}

TomlEntry MakeEntry(std::string section, std::string key, const toml::node& node) {
  TomlEntry e;
  e.section = std::move(section);
  e.key = std::move(key);
  e.type_name = TypeName(node.type());
  e.line = static_cast<int>(node.source().begin.line);
  if (const auto* s = node.as_string()) {
    e.value = s->get();
  } else if (const auto* i = node.as_integer()) {
    e.value = static_cast<int64_t>(i->get());
  } else if (const auto* b = node.as_boolean()) {
    e.value = b->get();
  }
  return e;
}

Result<std::string> ReadFile(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "config: cannot read " + path + ": " + std::strerror(errno));
  }
  std::string data;
  char buf[8192];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) data.append(buf, n);
  bool failed = std::ferror(f) != 0;
  int err = errno;
  std::fclose(f);
  if (failed) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "config: cannot read " + path + ": " + std::strerror(err));
  }
  return data;
}

}  // namespace

Result<std::vector<TomlEntry>> ReadTomlFile(const std::string& path) {
  PM_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  try {
    toml::table root = toml::parse(text, path);
    std::vector<TomlEntry> out;
    for (const auto& [name, node] : root) {
      std::string section(name.str());
      out.push_back(MakeEntry("", section, node));
      if (const auto* table = node.as_table()) {
        for (const auto& [key, value] : *table) {
          out.push_back(MakeEntry(section, std::string(key.str()), value));
          // One level further, for map-of-tables sections ([plans.<name>]); the caller rejects
          // them everywhere else (their parent entry is a table where a value belongs).
          if (const auto* sub = value.as_table()) {
            std::string sub_section = section + "." + std::string(key.str());
            for (const auto& [sub_key, sub_value] : *sub) {
              out.push_back(MakeEntry(sub_section, std::string(sub_key.str()), sub_value));
            }
          }
        }
      }
    }
    return out;
  } catch (const toml::parse_error& e) {
    const auto& begin = e.source().begin;
    return MakeError(ErrorCode::kInvalidArgument,
                     "config: " + path + ":" + std::to_string(begin.line) + ":" +
                         std::to_string(begin.column) + ": " + OneLine(e.description()));
  } catch (const std::exception& e) {
    return MakeError(ErrorCode::kInvalidArgument, "config: " + path + ": " + OneLine(e.what()));
  }
}

}  // namespace pm::config
