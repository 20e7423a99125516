#include "http/exchange.h"

#include <httplib.h>

#include <algorithm>
#include <cctype>

#include "common/log.h"
#include "http/multipart.h"

namespace pm::http {

int HttpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return 400;
    case ErrorCode::kUnauthenticated: return 401;
    case ErrorCode::kPermissionDenied: return 403;
    case ErrorCode::kCsrfFailed: return 403;
    case ErrorCode::kWorkspaceSuspended: return 403;
    case ErrorCode::kMfaRequired: return 401;
    case ErrorCode::kMfaSetupRequired: return 403;
    case ErrorCode::kQuotaExceeded: return 402;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kAlreadyExists: return 409;
    case ErrorCode::kConflict: return 409;
    case ErrorCode::kLengthRequired: return 411;
    case ErrorCode::kPayloadTooLarge: return 413;
    case ErrorCode::kUnsupportedMediaType: return 415;
    case ErrorCode::kInvalidImage: return 422;
    case ErrorCode::kRateLimited: return 429;
    case ErrorCode::kFetchFailed: return 502;
    case ErrorCode::kUnavailable: return 503;
    case ErrorCode::kInternal: return 500;
  }
  return 500;
}

Exchange::Exchange(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader* reader,
                   std::string request_id, int trusted_proxy_hops)
    : req_(req),
      res_(res),
      reader_(reader),
      request_id_(std::move(request_id)),
      trusted_proxy_hops_(trusted_proxy_hops) {}

const std::string& Exchange::method() const { return req_.method; }
const std::string& Exchange::path() const { return req_.path; }
std::string Exchange::Header(const std::string& name) const { return req_.get_header_value(name); }
bool Exchange::HasHeader(const std::string& name) const { return req_.has_header(name); }
bool Exchange::HasQuery(const std::string& name) const { return req_.has_param(name); }
std::string Exchange::Query(const std::string& name) const { return req_.get_param_value(name); }
std::string Exchange::remote_addr() const { return req_.remote_addr; }

std::string Exchange::client_ip() const {
  if (trusted_proxy_hops_ <= 0) return req_.remote_addr;
  std::string xff;
  size_t n = req_.get_header_value_count("X-Forwarded-For");
  for (size_t i = 0; i < n; ++i) {
    if (!xff.empty()) xff += ',';
    xff += req_.get_header_value("X-Forwarded-For", i);
  }
  return ClientIpFromForwardedFor(req_.remote_addr, xff, trusted_proxy_hops_);
}

namespace {

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// An address as proxies write it: 1.2.3.4, 1.2.3.4:567, ::1, [::1], [::1]:567. "" if not one.
std::string ParseForwardedAddress(std::string_view v) {
  v = TrimSpaces(v);
  if (v.empty() || v.size() > 64) return {};
  auto is_hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
  if (v.front() == '[') {
    size_t close = v.find(']');
    if (close == std::string_view::npos) return {};
    std::string_view rest = v.substr(close + 1);
    if (!rest.empty() && (rest.front() != ':' || rest.size() == 1)) return {};
    v = v.substr(1, close - 1);
  } else if (std::count(v.begin(), v.end(), ':') == 1) {
    v = v.substr(0, v.find(':'));  // IPv4 with a port
  }
  if (v.empty()) return {};
  bool v6 = v.find(':') != std::string_view::npos;
  for (char c : v) {
    bool ok = v6 ? (is_hex(c) || c == ':' || c == '.') : ((c >= '0' && c <= '9') || c == '.');
    if (!ok) return {};
  }
  if (!v6 && std::count(v.begin(), v.end(), '.') != 3) return {};
  return std::string(v);
}

}  // namespace

std::string ClientIpFromForwardedFor(std::string_view peer, std::string_view xff, int hops) {
  if (hops <= 0) return std::string(peer);
  std::vector<std::string_view> entries;
  while (true) {
    size_t comma = xff.find(',');
    std::string_view e = TrimSpaces(xff.substr(0, comma));
    if (!e.empty()) entries.push_back(e);
    if (comma == std::string_view::npos) break;
    xff.remove_prefix(comma + 1);
  }
  if (entries.empty()) return std::string(peer);
  size_t index = entries.size() >= static_cast<size_t>(hops) ? entries.size() - static_cast<size_t>(hops) : 0;
  std::string ip = ParseForwardedAddress(entries[index]);
  return ip.empty() ? std::string(peer) : ip;
}

bool Exchange::IsHttps() const {
  // Only the first proxy's word counts; TLS termination happens at the ingress.
  std::string proto = req_.get_header_value("X-Forwarded-Proto");
  return proto == "https";
}

std::string Exchange::Cookie(std::string_view name) const {
  // RFC 6265 cookie-string: "a=b; c=d". Several Cookie headers are folded together.
  size_t n = req_.get_header_value_count("Cookie");
  for (size_t i = 0; i < n; ++i) {
    const std::string header = req_.get_header_value("Cookie", i);
    std::string_view all = header;
    while (!all.empty()) {
      size_t semi = all.find(';');
      std::string_view pair = all.substr(0, semi);
      all = semi == std::string_view::npos ? std::string_view() : all.substr(semi + 1);
      while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
      size_t eq = pair.find('=');
      if (eq == std::string_view::npos) continue;
      if (pair.substr(0, eq) == name) {
        std::string_view v = pair.substr(eq + 1);
        while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
        if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
        return std::string(v);
      }
    }
  }
  return "";
}

const std::string& Exchange::Param(std::string_view name) const {
  static const std::string kEmpty;
  for (const auto& [k, v] : params_) {
    if (k == name) return v;
  }
  return kEmpty;
}

Result<std::string> Exchange::ReadBody(int64_t max_bytes) {
  if (!reader_) return std::string();
  if (body_consumed_) return MakeError(ErrorCode::kInternal, "request body read twice");
  body_consumed_ = true;
  std::string body;
  bool too_large = false;
  // Receivers never stop the read early: the rest of the body (bounded by the Content-Length
  // limit checked before routing) is drained, so the connection can carry the next request.
  bool ok = (*reader_)([&](const char* data, size_t len) {
    if (too_large || static_cast<int64_t>(body.size() + len) > max_bytes) {
      too_large = true;
      return true;
    }
    body.append(data, len);
    return true;
  });
  if (too_large || res_.status == 413) {
    return MakeError(ErrorCode::kPayloadTooLarge,
                     "the request body is larger than the limit of " + std::to_string(max_bytes) + " bytes");
  }
  if (!ok) return MakeError(ErrorCode::kInvalidArgument, "the request body could not be read");
  return body;
}

void Exchange::DrainBody() {
  if (!reader_ || body_consumed_) return;
  body_consumed_ = true;
  (void)(*reader_)([](const char*, size_t) { return true; });
}

bool Exchange::IsMultipart() const { return req_.has_header(kMultipartTypeHeader); }

Status Exchange::ReadMultipart(const PartStart& on_part, const PartData& on_data) {
  if (!reader_) return MakeError(ErrorCode::kInvalidArgument, "a multipart body is required");
  if (body_consumed_) return MakeError(ErrorCode::kInternal, "request body read twice");
  body_consumed_ = true;
  PM_ASSIGN_OR_RETURN(std::string boundary,
                      MultipartParser::BoundaryFrom(req_.get_header_value(kMultipartTypeHeader)));
  MultipartParser parser(
      std::move(boundary), [&](const PartHeaders& h) { return on_part(h.name, h.filename, h.content_type); },
      on_data);
  // After the first failure the rest of the body is drained, not parsed (see ReadBody).
  Status failure;
  bool ok = (*reader_)([&](const char* data, size_t len) {
    if (failure.ok()) failure = parser.Feed(std::string_view(data, len));
    return true;
  });
  if (!failure.ok()) return failure;
  if (res_.status == 413) {
    return MakeError(ErrorCode::kPayloadTooLarge, "the request body is larger than the server accepts");
  }
  if (!ok) return MakeError(ErrorCode::kInvalidArgument, "the request body could not be read");
  return parser.Finish();
}

void Exchange::SetStatus(int status) { res_.status = status; }
void Exchange::SetHeader(const std::string& name, const std::string& value) {
  // httplib's set_header adds another line: a handler's Cache-Control would otherwise be sent
  // after the router's default "no-store" (and a cache obeys the stricter one).
  res_.headers.erase(name);
  res_.set_header(name, value);
}

void Exchange::SetBody(std::string body, const std::string& content_type) {
  res_.body = std::move(body);
  res_.set_header("Content-Type", content_type);
}

void Exchange::SetBody(std::string_view body, const std::string& content_type) {
  res_.set_content(body.data(), body.size(), content_type);
}

void Exchange::StreamBody(int64_t size, const std::string& content_type,
                          std::unique_ptr<objects::ObjectReader> reader) {
  struct State {
    std::unique_ptr<objects::ObjectReader> reader;
    size_t pos = 0;
  };
  auto state = std::make_shared<State>();
  state->reader = std::move(reader);
  res_.set_content_provider(
      static_cast<size_t>(size), content_type,
      [state](size_t offset, size_t length, httplib::DataSink& sink) {
        // Readers are sequential: a Range request skips forward by reading; going back fails.
        char buf[64 * 1024];
        if (offset < state->pos) return false;
        while (state->pos < offset) {
          auto n = state->reader->Read(buf, std::min(sizeof buf, offset - state->pos));
          if (!n.ok() || n.value() == 0) return false;
          state->pos += n.value();
        }
        auto n = state->reader->Read(buf, std::min(length, sizeof buf));
        if (!n.ok() || n.value() == 0) {
          if (!n.ok()) log::Warn("object read failed mid-response", {{"error", n.error().message}});
          return false;
        }
        state->pos += n.value();
        return sink.write(buf, n.value());
      });
}

void Exchange::AddCookie(const CookieSpec& c) {
  std::string v = c.name + "=" + c.value + "; Path=/; SameSite=Lax";
  if (c.max_age_s >= 0) v += "; Max-Age=" + std::to_string(c.max_age_s);
  if (c.http_only) v += "; HttpOnly";
  if (c.secure) v += "; Secure";
  res_.headers.emplace("Set-Cookie", v);
}

void Exchange::SendError(const Error& error) {
  res_.status = HttpStatusFor(error.code);
  if (error.retry_after_s > 0) res_.set_header("Retry-After", std::to_string(error.retry_after_s));
  if (error.code == ErrorCode::kInternal) {
    log::Error("internal error", {{"request_id", request_id_}, {"error", error.message}});
  }
  std::string message = error.code == ErrorCode::kInternal ? "internal error" : error.message;
  res_.set_content("{\"error\":{\"code\":\"" + std::string(ErrorCodeName(error.code)) + "\",\"message\":\"" +
                       log::JsonEscape(message) + "\",\"request_id\":\"" + log::JsonEscape(request_id_) + "\"}}",
                   "application/json");
}

}  // namespace pm::http
