#include "http/json_io.h"

#include <ctime>

namespace pm::http {

Result<nlohmann::json> ReadJsonObject(Exchange& ex, int64_t max_bytes, bool allow_empty) {
  std::string type = ex.Header("Content-Type");
  std::string base = type.substr(0, type.find(';'));
  while (!base.empty() && base.back() == ' ') base.pop_back();
  bool is_json = base == "application/json";
  if (!is_json && !(allow_empty && type.empty())) {
    return MakeError(ErrorCode::kUnsupportedMediaType, "the request body must be application/json");
  }
  PM_ASSIGN_OR_RETURN(std::string body, ex.ReadBody(max_bytes));
  if (body.empty() && allow_empty) return nlohmann::json::object();
  nlohmann::json parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return MakeError(ErrorCode::kInvalidArgument, "the request body is not valid JSON");
  if (!parsed.is_object()) return MakeError(ErrorCode::kInvalidArgument, "the request body must be a JSON object");
  return parsed;
}

Status RejectUnknownFields(const nlohmann::json& obj, std::initializer_list<const char*> allowed) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool known = false;
    for (const char* a : allowed) known = known || it.key() == a;
    if (!known) return MakeError(ErrorCode::kInvalidArgument, "unknown field \"" + it.key() + "\"");
  }
  return Status::Ok();
}

Result<std::optional<std::string>> StringField(const nlohmann::json& obj, const char* key, bool required) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    if (required) return MakeError(ErrorCode::kInvalidArgument, std::string(key) + " is required");
    return std::optional<std::string>();
  }
  if (!it->is_string()) return MakeError(ErrorCode::kInvalidArgument, std::string(key) + " must be a string");
  return std::optional<std::string>(it->get<std::string>());
}

Result<std::optional<int64_t>> IntField(const nlohmann::json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::optional<int64_t>();
  if (!it->is_number_integer()) return MakeError(ErrorCode::kInvalidArgument, std::string(key) + " must be an integer");
  return std::optional<int64_t>(it->get<int64_t>());
}

void SendJson(Exchange& ex, int status, const nlohmann::json& body) {
  ex.SetStatus(status);
  ex.SetBody(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json");
}

std::string IsoTime(int64_t unix_ms) {
  std::time_t secs = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(unix_ms % 1000));
  return buf;
}

}  // namespace pm::http
