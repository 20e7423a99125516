#include "cli/healthcheck.h"

#include <httplib.h>

#include <string_view>

#include "config/config.h"

namespace pm::cli {

namespace {

// Client errors in words an operator reads in `docker inspect` or the doctor's output.
std::string Describe(httplib::Error error) {
  switch (error) {
    case httplib::Error::Connection:
      return "could not connect (nothing listening, or the address is unreachable)";
    case httplib::Error::ConnectionTimeout: return "connection timed out";
    case httplib::Error::Read: return "no complete answer before the timeout";
    case httplib::Error::SSLConnection:
    case httplib::Error::SSLServerVerification:
    case httplib::Error::SSLLoadingCerts: return "TLS failed (" + httplib::to_string(error) + ")";
    default: return "request failed (" + httplib::to_string(error) + ")";
  }
}

}  // namespace

Result<std::string> HealthUrl(const std::string& url) {
  const std::string_view view = url;
  size_t scheme_end = view.find("://");
  if (scheme_end == std::string_view::npos ||
      (view.substr(0, scheme_end) != "http" && view.substr(0, scheme_end) != "https") ||
      scheme_end + 3 >= view.size() || view[scheme_end + 3] == '/') {
    return MakeError(ErrorCode::kInvalidArgument,
                     "--url must be http(s)://HOST[:PORT][/PATH] (got '" + url + "')");
  }
  if (view.find_first_of(" \t\r\n") != std::string_view::npos) {
    return MakeError(ErrorCode::kInvalidArgument, "--url must not contain white space");
  }
  if (view.find('/', scheme_end + 3) == std::string_view::npos) return url + "/healthz";
  return url;
}

Result<std::string> HealthUrlForListen(const std::string& listen) {
  PM_ASSIGN_OR_RETURN(config::ListenAddress address, config::ParseListenAddress(listen));
  if (address.port == 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "server.listen has port 0 (any free port): pass --url with the real address");
  }
  std::string host = address.host;
  if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(address.port) + "/healthz";
}

Status ProbeHealth(const std::string& url, int timeout_s) {
  const size_t path_at = url.find('/', url.find("://") + 3);
  const std::string origin = url.substr(0, path_at);
  const std::string path = path_at == std::string::npos ? "/healthz" : url.substr(path_at);
  httplib::Client client(origin);
  if (!client.is_valid()) {
    return MakeError(ErrorCode::kUnavailable, origin + ": not a usable address");
  }
  client.set_connection_timeout(timeout_s, 0);
  client.set_read_timeout(timeout_s, 0);
  client.set_write_timeout(timeout_s, 0);
  client.set_follow_location(false);
  httplib::Result res = client.Get(path);
  if (!res) return MakeError(ErrorCode::kUnavailable, url + ": " + Describe(res.error()));
  if (res->status != 200) {
    return MakeError(ErrorCode::kUnavailable, url + ": HTTP " + std::to_string(res->status));
  }
  return Status::Ok();
}

}  // namespace pm::cli
