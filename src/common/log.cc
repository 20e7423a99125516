#include "common/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <cstdio>

namespace pm::log {
namespace {
std::atomic<int> g_level{static_cast<int>(Level::kInfo)};
std::atomic<bool> g_json{true};

std::shared_ptr<spdlog::logger>& Logger() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    auto l = spdlog::stderr_logger_mt("palettemaker");
    l->set_pattern("%v");
    l->set_level(spdlog::level::trace);
    l->flush_on(spdlog::level::trace);
    return l;
  }();
  return logger;
}

const char* LevelName(Level l) {
  switch (l) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
  }
  return "info";
}
}  // namespace

void AppendJsonEscaped(std::string& out, std::string_view s) {
  size_t clean = 0;
  while (clean < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[clean]);
    if (c < 0x20 || c == '"' || c == '\\') break;
    ++clean;
  }
  out.append(s.data(), clean);
  for (size_t i = clean; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
}

std::string JsonEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  AppendJsonEscaped(out, s);
  return out;
}

bool ParseLevel(std::string_view name, Level* out) {
  if (name == "debug") *out = Level::kDebug;
  else if (name == "info") *out = Level::kInfo;
  else if (name == "warn") *out = Level::kWarn;
  else if (name == "error") *out = Level::kError;
  else return false;
  return true;
}

void Init(Level level, std::string_view format) {
  g_level = static_cast<int>(level);
  g_json = format != "text";
  Logger();
}

void Write(Level level, std::string_view msg, std::initializer_list<Field> fields) {
  if (static_cast<int>(level) < g_level.load(std::memory_order_relaxed)) return;
  auto now = std::chrono::system_clock::now();
  std::string line;
  line.reserve(128);
  if (g_json) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    line.append("{\"ts\":").append(std::to_string(ms));
    line.append(",\"level\":\"").append(LevelName(level));
    line.append("\",\"msg\":\"").append(JsonEscape(msg)).append("\"");
    for (const auto& f : fields) {
      line.append(",\"").append(JsonEscape(f.key)).append("\":");
      if (f.is_number) {
        line.append(f.value);
      } else {
        line.append("\"").append(JsonEscape(f.value)).append("\"");
      }
    }
    line.append("}");
  } else {
    line.append(LevelName(level)).append(" ").append(msg);
    for (const auto& f : fields) line.append(" ").append(f.key).append("=").append(f.value);
  }
  Logger()->info(line);
}

}  // namespace pm::log
