// Exchange: one HTTP request and its response, as handlers see them. Wraps cpp-httplib so that
// only server.cc and exchange.cc include httplib.h (compile time; the later static build).
// Not thread-safe: an Exchange lives on the worker thread that serves its request.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "objects/object_store.h"

namespace httplib {
struct Request;
struct Response;
class ContentReader;
}  // namespace httplib

namespace pm::http {

// Multipart bodies are hidden from httplib's own parser (see multipart.h): before routing the
// server moves a multipart Content-Type into this header and the Exchange parses the body itself.
inline constexpr const char* kMultipartTypeHeader = "X-Pm-Multipart-Content-Type";

struct CookieSpec {
  std::string name;
  std::string value;
  int64_t max_age_s = -1;  // -1: session cookie; 0: delete
  bool http_only = true;
  bool secure = false;
};

class Exchange {
 public:
  // trusted_proxy_hops: server.trusted_proxy_hops (see client_ip()).
  Exchange(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader* reader,
           std::string request_id, int trusted_proxy_hops = 0);

  // --- request
  const std::string& method() const;
  const std::string& path() const;
  std::string Header(const std::string& name) const;
  bool HasHeader(const std::string& name) const;
  std::string Cookie(std::string_view name) const;
  bool HasQuery(const std::string& name) const;
  std::string Query(const std::string& name) const;
  const std::string& request_id() const { return request_id_; }
  std::string remote_addr() const;
  // The client's address as the audit log and per-IP limits see it: the peer address, or with
  // trusted proxy hops the X-Forwarded-For entry that many hops from the right
  // (ClientIpFromForwardedFor).
  std::string client_ip() const;
  bool IsHttps() const;  // TLS here or X-Forwarded-Proto: https from the proxy

  // Path parameters set by the router ({ws}, {id}).
  void SetParams(std::vector<std::pair<std::string, std::string>> params) { params_ = std::move(params); }
  const std::string& Param(std::string_view name) const;

  // --- request body (each may be called once)
  // The whole body, refused with kPayloadTooLarge past `max_bytes`.
  Result<std::string> ReadBody(int64_t max_bytes);
  bool IsMultipart() const;
  // Streams a multipart body: on_part(field name, file name, content type) starts each part,
  // on_data(chunk) receives its bytes. Either returning an error stops reading, and that error
  // is returned. Malformed multipart -> kInvalidArgument; over the server's payload limit ->
  // kPayloadTooLarge.
  using PartStart = std::function<Status(const std::string& name, const std::string& filename,
                                         const std::string& content_type)>;
  using PartData = std::function<Status(std::string_view chunk)>;
  Status ReadMultipart(const PartStart& on_part, const PartData& on_data);
  // Reads and discards an unread body (bounded by the Content-Length limit), so a keep-alive
  // connection stays in step after an early error response.
  void DrainBody();
  bool body_consumed() const { return body_consumed_; }

  // --- response
  void SetStatus(int status);
  // Replaces any earlier value of the header (cookies have their own call).
  void SetHeader(const std::string& name, const std::string& value);
  void SetBody(std::string body, const std::string& content_type);
  void SetBody(std::string_view body, const std::string& content_type);
  // Streams `size` bytes from `reader` as the body.
  void StreamBody(int64_t size, const std::string& content_type, std::unique_ptr<objects::ObjectReader> reader);
  void AddCookie(const CookieSpec& cookie);
  // {"error":{"code","message","request_id"}} with the status mapped from the code.
  void SendError(const Error& error);

 private:
  const httplib::Request& req_;
  httplib::Response& res_;
  const httplib::ContentReader* reader_;
  std::string request_id_;
  std::vector<std::pair<std::string, std::string>> params_;
  bool body_consumed_ = false;
  int trusted_proxy_hops_ = 0;
};

// The client IP behind `hops` trusted reverse proxies, each of which appended the address it
// received the request from to X-Forwarded-For (`xff`: every such header joined with ","). The
// entry `hops` from the right is the one the outermost trusted proxy wrote; entries left of it
// are whatever the client sent and are ignored. With fewer entries than hops, the leftmost one
// (still written by a trusted proxy). `peer` when hops <= 0, the header is empty, or the chosen
// entry is not an IP address (IPv4, or IPv6 optionally in brackets; a port is dropped).
std::string ClientIpFromForwardedFor(std::string_view peer, std::string_view xff, int hops);

int HttpStatusFor(ErrorCode code);

}  // namespace pm::http
