// Logging facade. spdlog is included only by log.cc, so most files compile without it.
// Lines are JSON objects on stderr (or plain text when configured). Thread-safe.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace pm::log {

enum class Level { kDebug, kInfo, kWarn, kError };

// Key/value fields appended to a line; values are written as JSON strings or numbers.
struct Field {
  std::string key;
  std::string value;
  bool is_number = false;
  Field(std::string k, std::string v) : key(std::move(k)), value(std::move(v)) {}
  Field(std::string k, const char* v) : key(std::move(k)), value(v) {}
  Field(std::string k, std::string_view v) : key(std::move(k)), value(v) {}
  Field(std::string k, long long v) : key(std::move(k)), value(std::to_string(v)), is_number(true) {}
  Field(std::string k, long v) : key(std::move(k)), value(std::to_string(v)), is_number(true) {}
  Field(std::string k, int v) : key(std::move(k)), value(std::to_string(v)), is_number(true) {}
  Field(std::string k, double v) : key(std::move(k)), value(std::to_string(v)), is_number(true) {}
};

// Configure once at start-up. `format` is "json" or "text".
void Init(Level level, std::string_view format);
bool ParseLevel(std::string_view name, Level* out);

void Write(Level level, std::string_view msg, std::initializer_list<Field> fields = {});
inline void Debug(std::string_view m, std::initializer_list<Field> f = {}) { Write(Level::kDebug, m, f); }
inline void Info(std::string_view m, std::initializer_list<Field> f = {}) { Write(Level::kInfo, m, f); }
inline void Warn(std::string_view m, std::initializer_list<Field> f = {}) { Write(Level::kWarn, m, f); }
inline void Error(std::string_view m, std::initializer_list<Field> f = {}) { Write(Level::kError, m, f); }

// JSON string escaping, shared with the few places that hand-build JSON.
std::string JsonEscape(std::string_view s);
// Appends the escaped form of `s` to `out` (no quotes); the common no-escape case is one append.
void AppendJsonEscaped(std::string& out, std::string_view s);

}  // namespace pm::log
