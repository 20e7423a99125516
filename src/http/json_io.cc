#include "http/json_io.h"


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

void AppendIsoTime(std::string& out, int64_t unix_ms) {
  // Civil date from days since 1970-01-01 (Howard Hinnant's days_from_civil inverse). Done by
  // hand because gmtime_r + snprintf dominated the list endpoint's profile.
  int64_t ms = unix_ms % 1000;
  int64_t secs = unix_ms / 1000;
  if (ms < 0) {
    ms += 1000;
    secs -= 1;
  }
  int64_t days = secs / 86400;
  int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    days -= 1;
  }
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  char buf[24];
  auto put = [&](int pos, int64_t v, int width) {
    for (int i = width - 1; i >= 0; --i) {
      buf[pos + i] = static_cast<char>('0' + v % 10);
      v /= 10;
    }
  };
  put(0, y, 4);
  buf[4] = '-';
  put(5, m, 2);
  buf[7] = '-';
  put(8, d, 2);
  buf[10] = 'T';
  put(11, rem / 3600, 2);
  buf[13] = ':';
  put(14, rem / 60 % 60, 2);
  buf[16] = ':';
  put(17, rem % 60, 2);
  buf[19] = '.';
  put(20, ms, 3);
  buf[23] = 'Z';
  out.append(buf, 24);
}

std::string IsoTime(int64_t unix_ms) {
  std::string out;
  AppendIsoTime(out, unix_ms);
  return out;
}

}  // namespace pm::http
