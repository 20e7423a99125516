#include "http/server.h"

#include <httplib.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <atomic>
#include <charconv>
#include <chrono>
#include <thread>

#include "app/app_metrics.h"
#include "app/audit.h"
#include "app/accounts.h"
#include "app/operators.h"
#include "app/palettes.h"
#include "app/quotas.h"
#include "app/workspaces.h"
#include "common/crypto.h"
#include "common/log.h"
#include "common/metrics.h"
#include "http/api.h"
#include "http/assets.h"
#include "http/exchange.h"
#include "http/http_metrics.h"
#include "http/router.h"

namespace pm::http {
namespace {

constexpr const char* kCsp =
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
// Multipart framing on top of the file itself.
constexpr int64_t kMultipartOverhead = 64 * 1024;

// Per-request facts for the access log line. A request is served start to finish on one worker
// thread, so thread_local state is per request.
struct RequestLog {
  std::chrono::steady_clock::time_point start;
  std::string request_id;
  int64_t user_id = 0;
  int64_t tenant_id = 0;
  std::string tenant_slug;
  // The route pattern (a view into the route table, or one of the kRoute* constants): the
  // metrics label and the log field, never the raw path.
  std::string_view route = kRouteUnmatched;
  // Set by PreRouting, cleared by the logger: httplib answers some requests (unparsable ones)
  // without running PreRouting, and those must neither reuse the previous request's fields nor
  // decrement the in-flight gauge.
  bool active = false;
};
thread_local RequestLog t_log;

bool SaneRequestId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == ':';
  });
}

// Messages for the errors httplib answers by itself, before any handler runs.
const char* StatusText(int status) {
  switch (status) {
    case 400: return "the request could not be parsed";
    case 404: return "not found";
    case 413: return "the request body is too large";
    case 414: return "the request URI is too long";
    case 416: return "the requested range is not satisfiable";
    default: return status >= 500 ? "internal error" : "bad request";
  }
}

bool IsSafeMethod(std::string_view m) { return m == "GET" || m == "HEAD" || m == "OPTIONS"; }
// What a suspended workspace still answers (app::RefuseWritesWhenSuspended).
bool IsReadMethod(std::string_view m) { return m == "GET" || m == "HEAD"; }

std::string ErrorBody(ErrorCode code, std::string_view message, std::string_view request_id) {
  return "{\"error\":{\"code\":\"" + std::string(ErrorCodeName(code)) + "\",\"message\":\"" +
         log::JsonEscape(message) + "\",\"request_id\":\"" + log::JsonEscape(request_id) + "\"}}";
}

}  // namespace

Result<std::pair<std::string, int>> ParseListen(const std::string& listen) {
  auto bad = [&] {
    return MakeError(ErrorCode::kInvalidArgument,
                     "server.listen: must be host:port or [ipv6]:port (got \"" + listen + "\")");
  };
  std::string host;
  std::string port_str;
  if (!listen.empty() && listen.front() == '[') {
    size_t close = listen.find(']');
    if (close == std::string::npos || close + 1 >= listen.size() || listen[close + 1] != ':') return bad();
    host = listen.substr(1, close - 1);
    port_str = listen.substr(close + 2);
  } else {
    size_t colon = listen.rfind(':');
    if (colon == std::string::npos || listen.find(':') != colon) return bad();
    host = listen.substr(0, colon);
    port_str = listen.substr(colon + 1);
  }
  int port = -1;
  auto [p, ec] = std::from_chars(port_str.data(), port_str.data() + port_str.size(), port);
  if (host.empty() || ec != std::errc() || p != port_str.data() + port_str.size() || port < 0 || port > 65535) {
    return bad();
  }
  return std::make_pair(host, port);
}

struct Server::Impl {
  const config::Config& config;
  app::Services services;
  app::Accounts accounts;
  app::Palettes palettes;
  app::Workspaces workspaces;
  app::AuditLog audit_log;
  app::Quotas quotas;
  app::RequestMeter request_meter;
  app::Operators operators;
  Router router;
  httplib::Server http;
  std::string host;
  int port = 0;
  std::atomic<bool> stopping{false};
  std::atomic<bool> draining{false};
  std::string replica;
  HttpMetrics http_metrics;
  MetricsAccess metrics_access;
  // metrics.enabled = false: nobody can read the request metrics, so they are not recorded
  // either (the per-request cost the benchmark in docs/BENCHMARKS.md compares against).
  bool record_http_metrics = false;
  ApiContext api_context;

  Impl(const config::Config& c, app::Services s)
      : config(c),
        services(s),
        accounts(s),
        palettes(s),
        workspaces(s),
        audit_log(s),
        quotas(s),
        request_meter(s),
        operators(s) {
    replica = config.server.replica_name;
    if (replica.empty()) {
      char host[256] = {};
      if (gethostname(host, sizeof host - 1) == 0) replica = host;
    }
    ApiContext api{&accounts, &palettes, &workspaces, services, &config, &draining};
    api.audit_log = &audit_log;
    api.request_meter = &request_meter;
    api.operator_mfa_required = config.auth.operator_mfa_required;
    api.operators = &operators;
    AddAllRoutes(router, api);
    api_context = api;
    app::InitAppMetrics(config);
    // config::Load has checked metrics.allow_networks; a hand-built Config that fails here gets
    // a closed /metrics (and a log line) rather than an open one.
    auto access = MetricsAccess::FromConfig(config.metrics);
    if (access.ok()) {
      metrics_access = std::move(access).value();
      record_http_metrics = metrics_access.enabled();
    } else {
      log::Error("metrics endpoint disabled", {{"error", access.error().message}});
    }
    Configure();
  }

  int64_t MaxBodyBytes() const {
    return std::max<int64_t>(config.limits.upload_max_bytes + kMultipartOverhead, config.server.max_json_bytes);
  }

  void Configure() {
    int threads = config.server.threads > 0 ? config.server.threads : 128;
    // Each keep-alive connection holds a worker while open, so the pool is sized for the number of
    // concurrent connections rather than for the cores.
    http.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
    http.set_tcp_nodelay(true);
    http.set_keep_alive_max_count(static_cast<size_t>(config.server.keep_alive_max_count));
    http.set_keep_alive_timeout(config.server.keep_alive_timeout_s);
    http.set_read_timeout(config.server.read_timeout_s, 0);
    http.set_write_timeout(config.server.write_timeout_s, 0);
    http.set_payload_max_length(static_cast<size_t>(MaxBodyBytes()));

    http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      return PreRouting(req, res);
    });
    http.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
      // Errors httplib produced itself (unparsable request, 413 on the payload limit, ...) get
      // the same JSON shape as ours.
      if (!res.body.empty() || res.content_length_ > 0) return httplib::Server::HandlerResponse::Unhandled;
      ErrorCode code = res.status == 413   ? ErrorCode::kPayloadTooLarge
                       : res.status == 404 ? ErrorCode::kNotFound
                       : res.status >= 500 ? ErrorCode::kInternal
                                           : ErrorCode::kInvalidArgument;
      res.set_content(ErrorBody(code, StatusText(res.status), t_log.request_id), "application/json");
      return httplib::Server::HandlerResponse::Handled;
    }));
    http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
      std::string what = "unknown exception";
      try {
        std::rethrow_exception(ep);
      } catch (const std::exception& e) {
        what = e.what();
      } catch (...) {
      }
      log::Error("unhandled exception", {{"request_id", t_log.request_id}, {"error", what}});
      res.status = 500;
      res.set_content(ErrorBody(ErrorCode::kInternal, "internal error", t_log.request_id), "application/json");
    });
    http.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
      if (!t_log.active) {
        // Answered by httplib before PreRouting ran (an unparsable request): start afresh.
        t_log = RequestLog{std::chrono::steady_clock::now(), "", 0, 0, {}, kRouteUnmatched, false};
      } else {
        if (record_http_metrics) http_metrics.RequestFinished();
        t_log.active = false;
      }
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_log.start).count();
      if (record_http_metrics) http_metrics.Observe(t_log.route, req.method, res.status, seconds);
      // A provided body (assets) has no res.body; its length is content_length_.
      const size_t bytes = res.body.empty() ? res.content_length_ : res.body.size();
      // One JSON line per request (log.format = json); docs/OPERATIONS.md lists the fields.
      log::Info("request", {{"request_id", t_log.request_id},
                            {"method", req.method},
                            {"route", t_log.route},
                            {"path", req.path},
                            {"status", res.status},
                            {"duration_ms", seconds * 1000.0},
                            {"bytes", static_cast<long long>(bytes)},
                            {"user_id", static_cast<long long>(t_log.user_id)},
                            {"tenant_id", static_cast<long long>(t_log.tenant_id)},
                            {"tenant", t_log.tenant_slug},
                            {"remote", req.remote_addr}});
    });

    auto get = [this](const httplib::Request& req, httplib::Response& res) { Dispatch(req, res, nullptr); };
    auto with_body = [this](const httplib::Request& req, httplib::Response& res,
                            const httplib::ContentReader& reader) { Dispatch(req, res, &reader); };
    http.Get(".*", get);
    http.Options(".*", get);
    http.Post(".*", with_body);
    http.Put(".*", with_body);
    http.Patch(".*", with_body);
    http.Delete(".*", with_body);
  }

  httplib::Server::HandlerResponse PreRouting(const httplib::Request& req, httplib::Response& res) {
    // A request whose logger never ran (its response could not be written) still leaves the
    // in-flight gauge.
    if (t_log.active && record_http_metrics) http_metrics.RequestFinished();
    t_log = RequestLog{std::chrono::steady_clock::now(), "", 0, 0, {}, kRouteUnmatched, true};
    if (record_http_metrics) http_metrics.RequestStarted();
    std::string incoming = req.get_header_value("X-Request-Id");
    t_log.request_id = SaneRequestId(incoming) ? incoming : RandomToken(12);
    res.set_header("X-Request-Id", t_log.request_id);
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Referrer-Policy", "same-origin");
    res.set_header("X-Frame-Options", "DENY");
    res.set_header("Cross-Origin-Opener-Policy", "same-origin");
    res.set_header("Content-Security-Policy", kCsp);
    // Lets operators (and the scale-out test) see which replica answered.
    if (!replica.empty()) res.set_header("X-Palettemaker-Replica", replica);
    // While draining, clients and proxies should take their next request elsewhere.
    if (draining) res.set_header("Connection", "close");

    auto reject = [&](ErrorCode code, const std::string& message) {
      res.status = HttpStatusFor(code);
      // The body was not read: the connection cannot carry another request.
      res.set_header("Connection", "close");
      res.set_content(ErrorBody(code, message, t_log.request_id), "application/json");
      return httplib::Server::HandlerResponse::Handled;
    };
    // httplib does not apply its payload limit to chunked bodies: refuse them outright.
    if (req.has_header("Transfer-Encoding")) {
      return reject(ErrorCode::kLengthRequired, "chunked request bodies are not accepted; send Content-Length");
    }
    // Compressed request bodies would be inflated without limit.
    std::string encoding = req.get_header_value("Content-Encoding");
    if (!encoding.empty() && encoding != "identity") {
      return reject(ErrorCode::kUnsupportedMediaType, "compressed request bodies are not accepted");
    }
    {
      auto& mutable_req = const_cast<httplib::Request&>(req);
      mutable_req.headers.erase(kMultipartTypeHeader);  // only we set it
      std::string type = req.get_header_value("Content-Type");
      std::string lower = type.substr(0, 19);
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
      if (lower == "multipart/form-data") {
        // httplib's parser rejects bodies whose close delimiter lacks a trailing CRLF (valid per
        // RFC 2046, and what Node 18's fetch sends): hand the raw body to our own parser instead.
        mutable_req.headers.erase("Content-Type");
        mutable_req.set_header("Content-Type", "application/octet-stream");
        mutable_req.set_header(kMultipartTypeHeader, type);
      }
    }
    if (req.has_header("Content-Length")) {
      const std::string& v = req.get_header_value("Content-Length");
      int64_t len = -1;
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), len);
      if (ec != std::errc() || p != v.data() + v.size() || len < 0) {
        return reject(ErrorCode::kInvalidArgument, "invalid Content-Length");
      }
      if (len > MaxBodyBytes()) {
        return reject(ErrorCode::kPayloadTooLarge,
                      "the request body is larger than the upload limit of " +
                          std::to_string(config.limits.upload_max_bytes) + " bytes");
      }
    } else if (req.method == "POST" || req.method == "PUT" || req.method == "PATCH" || req.method == "DELETE") {
      // Without a length httplib would read until the peer closes; a bodiless POST is empty.
      const_cast<httplib::Request&>(req).set_header("Content-Length", "0");
    }
    return httplib::Server::HandlerResponse::Unhandled;
  }

  void Dispatch(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader* reader) {
    Exchange ex(req, res, reader, t_log.request_id, config.server.trusted_proxy_hops);
    // The audit log reads who asked from here (app/audit.h).
    app::ScopedRequest scoped_request(
        app::RequestMeta{ex.client_ip(), req.get_header_value("User-Agent"), t_log.request_id});
    const std::string& path = req.path;
    bool api = path.rfind("/api/", 0) == 0 || path == "/healthz" || path == "/readyz";
    if (path == kRouteMetrics) {
      ServeMetrics(ex);
    } else if (!api) {
      t_log.route = kRouteStatic;
      ServeAsset(ex, req, res);
    } else {
      Status st = Route(ex);
      if (!st.ok()) {
        const ErrorCode code = st.error().code;
        if (!t_log.tenant_slug.empty() && (code == ErrorCode::kQuotaExceeded || code == ErrorCode::kRateLimited)) {
          app::CountTenantQuotaRefusal(t_log.tenant_slug);
        }
        ex.SendError(st.error());
      }
    }
    // An unread body would otherwise be parsed as the next request on this connection.
    if (reader) ex.DrainBody();
  }

  Status Route(Exchange& ex) {
    Router::Match m = router.Find(ex.method(), ex.path());
    if (!m.route) {
      // The admin API does not advertise itself: a wrong method on one of its paths, or a path
      // it does not have, is the same 404 as any path that does not exist.
      const bool admin = ex.path().rfind("/api/v1/admin/", 0) == 0;
      if (m.path_matched && !admin) {
        return MakeError(ErrorCode::kInvalidArgument, "method " + ex.method() + " is not allowed here");
      }
      return MakeError(ErrorCode::kNotFound, "no such endpoint: " + ex.method() + " " + ex.path());
    }
    t_log.route = m.route->pattern;
    ex.SetParams(std::move(m.params));
    ex.SetHeader("Cache-Control", "no-store");
    Call call{ex};
    std::optional<app::Principal> principal;
    std::optional<app::TenantContext> tenant;
    const http::Route& route = *m.route;
    if (route.access != Access::kPublic && ex.HasHeader("Authorization")) {
      // API tokens (Bearer) work on tenant routes only, need no CSRF token (a browser never
      // attaches them by itself), and act with the token's effective role.
      if (route.access != Access::kTenant) {
        return MakeError(ErrorCode::kUnauthenticated,
                         "API tokens work only on /api/v1/t/{ws}/... routes; sign in for this one");
      }
      PM_ASSIGN_OR_RETURN(auto entry, accounts.EnterWorkspaceWithToken(ex.Header("Authorization"), ex.Param("ws")));
      principal = std::move(entry.principal);
      tenant = std::move(entry.tenant);
      t_log.user_id = principal->user.id.value;
      t_log.tenant_id = tenant->tenant.value;
      t_log.tenant_slug = tenant->slug;
      call.principal = &*principal;
      call.tenant = &*tenant;
    } else if (route.access != Access::kPublic) {
      std::string token = ex.Cookie("pm_session");
      if (token.empty()) return MakeError(ErrorCode::kUnauthenticated, "sign in first");
      PM_ASSIGN_OR_RETURN(principal, accounts.Authenticate(token));
      t_log.user_id = principal->user.id.value;
      call.principal = &*principal;
      // Cookie-authenticated writes must prove they come from our page (double submit, bound to
      // the session).
      if (!IsSafeMethod(ex.method()) && !route.csrf_exempt &&
          !app::Accounts::CheckCsrf(*principal, ex.Header("X-CSRF-Token"))) {
        return MakeError(ErrorCode::kCsrfFailed, "missing or wrong X-CSRF-Token header");
      }
      if (route.access == Access::kTenant) {
        PM_ASSIGN_OR_RETURN(tenant, accounts.EnterWorkspace(*principal, ex.Param("ws")));
        t_log.tenant_id = tenant->tenant.value;
        t_log.tenant_slug = tenant->slug;
        call.tenant = &*tenant;
      }
    }
    if (route.access == Access::kTenant) {
      app::CountTenantRequest(tenant->slug);
      // Every tenant request is metered and, when the plan caps requests_per_minute, counted
      // against it in the database (so across replicas), whatever it asks for.
      PM_RETURN_IF_ERROR(quotas.CountRequest(*tenant, request_meter));
      // A suspended workspace is read-only for everyone in it, whatever their role or token.
      PM_RETURN_IF_ERROR(app::RefuseWritesWhenSuspended(tenant->workspace, !IsReadMethod(ex.method())));
      PM_RETURN_IF_ERROR(CheckCapability(route, *tenant));
    }
    return m.route->handler(call);
  }

  // The permission matrix, in one place (docs/PERMISSIONS.md): after the tenant gate, before the
  // handler. app/ checks again, and applies the rules that depend on the target.
  static Status CheckCapability(const http::Route& route, const app::TenantContext& tenant) {
    if (!route.capability) {
      return MakeError(ErrorCode::kInternal, "route " + route.method + " " + route.pattern + " declares no capability");
    }
    auth::Capability cap = *route.capability;
    if (tenant.token) {
      if (!auth::TokenUsable(cap)) {
        return MakeError(ErrorCode::kPermissionDenied,
                         "API tokens cannot do this; sign in to manage members, invitations, tokens or ownership");
      }
      if (!auth::Allows(tenant.role, cap)) {
        return MakeError(ErrorCode::kPermissionDenied, *tenant.token == auth::TokenScope::kRead
                                                           ? "this API token is read-only"
                                                           : "this API token's user cannot change palettes");
      }
      return Status::Ok();
    }
    if (auth::Allows(tenant.role, cap)) return Status::Ok();
    switch (cap) {
      case auth::Capability::kEditPalettes:
        return MakeError(ErrorCode::kPermissionDenied, "your role in this workspace cannot change palettes");
      case auth::Capability::kManageMembers:
        return MakeError(ErrorCode::kPermissionDenied, "only the owner and admins can manage members and invitations");
      case auth::Capability::kOwnWorkspace:
        return MakeError(ErrorCode::kPermissionDenied, "only the owner can do this");
      default:
        return MakeError(ErrorCode::kPermissionDenied, "your role in this workspace does not allow this");
    }
  }

  // GET /metrics: outside the route table (it is not part of the API, has no OpenAPI entry and
  // no tenant), and not rate limited. Refusals are the plain 404 of an unknown path, so the
  // endpoint does not reveal itself (docs/OPERATIONS.md "Metrics and alerts").
  void ServeMetrics(Exchange& ex) {
    t_log.route = kRouteMetrics;
    // A request that a proxy forwarded while server.trusted_proxy_hops is 0 (say nginx on the
    // same host, in front of a server that trusts no proxy) shows the proxy's address, often
    // loopback: the network rule cannot tell who the client is, so only the token opens it.
    const bool unknown_client = config.server.trusted_proxy_hops <= 0 &&
                                (ex.HasHeader("X-Forwarded-For") || ex.HasHeader("Forwarded") ||
                                 ex.HasHeader("X-Real-IP"));
    if (!metrics_access.Allows(unknown_client ? std::string() : ex.client_ip(), ex.Header("Authorization"))) {
      ex.SendError(MakeError(ErrorCode::kNotFound, "no such endpoint: " + ex.method() + " " + ex.path()));
      return;
    }
    if (ex.method() != "GET") {
      ex.SendError(MakeError(ErrorCode::kInvalidArgument, "method " + ex.method() + " is not allowed here"));
      return;
    }
    Readiness r = CheckReadiness(api_context);
    http_metrics.SetReadiness(r.ready, r.draining);
    ex.SetHeader("Cache-Control", "no-store");
    ex.SetStatus(200);
    ex.SetBody(metrics::Default().Render(), metrics::kContentType);
  }

  void ServeAsset(Exchange& ex, const httplib::Request& req, httplib::Response& res) {
    if (req.method != "GET" && req.method != "HEAD") {
      ex.SendError(MakeError(ErrorCode::kNotFound, "no such endpoint: " + req.method + " " + req.path));
      return;
    }
    const std::string& path = req.path;
    // The compressed copies are sent only as an encoding of their original, never by name.
    const bool copy = path.ends_with(".br") || path.ends_with(".gz");
    const EmbeddedAsset* asset = path == "/" || copy ? nullptr : FindAsset(path);
    bool hashed = path.rfind("/assets/", 0) == 0;
    if (!asset && hashed) {
      ex.SendError(MakeError(ErrorCode::kNotFound, "no such asset"));
      return;
    }
    if (!asset) asset = FindAsset("/index.html");  // SPA fallback for client-side routes
    if (!asset) {
      ex.SendError(MakeError(ErrorCode::kNotFound, "the web app is not part of this build"));
      return;
    }
    // Vite puts a content hash in every file name under /assets/, so those never change.
    res.set_header("Cache-Control", hashed ? "public, max-age=31536000, immutable" : "no-cache");
    res.status = 200;
    // The compressed copies made at build time (quality 11), chosen by Accept-Encoding.
    const std::string original = asset->path;
    const EmbeddedAsset* br = FindAsset(original + ".br");
    const EmbeddedAsset* gz = FindAsset(original + ".gz");
    const EmbeddedAsset* body = asset;
    if (br || gz) {
      res.set_header("Vary", "Accept-Encoding");
      switch (ChooseCoding(req.get_header_value("Accept-Encoding"), br != nullptr, gz != nullptr)) {
        case ContentCoding::kBrotli:
          body = br;
          res.set_header("Content-Encoding", "br");
          break;
        case ContentCoding::kGzip:
          body = gz;
          res.set_header("Content-Encoding", "gzip");
          break;
        case ContentCoding::kIdentity:
          break;
      }
    }
    // A content provider rather than set_content: httplib compresses a set_content body again
    // on its own (ignoring q=0 and Vary), but leaves provided bodies as they are.
    const char* data = reinterpret_cast<const char*>(body->data);
    const size_t size = body->size;
    if (size == 0) {
      res.set_content("", ContentTypeFor(original));
      return;
    }
    res.set_content_provider(size, ContentTypeFor(original),
                             [data, size](size_t offset, size_t length, httplib::DataSink& sink) {
                               if (offset >= size) return false;
                               return sink.write(data + offset, std::min(length, size - offset));
                             });
  }
};

Server::Server(const config::Config& config, app::Services services)
    : impl_(std::make_unique<Impl>(config, services)) {}

Server::~Server() = default;

namespace {
// Debian's libcpp-httplib is compiled with CPPHTTPLIB_LISTEN_BACKLOG 5: with dozens of clients
// connecting at once the accept queue overflows, SYNs are dropped and clients wait a full 1 s
// retransmit (seen as a 1 s p99 under wrk). httplib does not expose its listening socket, so find
// it (a socket in LISTEN state bound to our port) and listen() again, which on Linux only raises
// the backlog.
void RaiseListenBacklog(int port) {
  for (int fd = 0; fd < 1024; ++fd) {
    int listening = 0;
    socklen_t len = sizeof listening;
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || !listening) continue;
    sockaddr_storage addr{};
    socklen_t alen = sizeof addr;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &alen) != 0) continue;
    int bound = addr.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port)
                                           : ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
    if (bound == port && ::listen(fd, SOMAXCONN) != 0) {
      log::Warn("could not raise the listen backlog", {{"errno", errno}});
    }
  }
}
}  // namespace

Result<int> Server::Bind() {
  PM_ASSIGN_OR_RETURN(auto hp, ParseListen(impl_->config.server.listen));
  impl_->host = hp.first;
  if (hp.second == 0) {
    int port = impl_->http.bind_to_any_port(hp.first);
    if (port <= 0) return MakeError(ErrorCode::kUnavailable, "cannot listen on " + impl_->config.server.listen);
    impl_->port = port;
  } else {
    if (!impl_->http.bind_to_port(hp.first, hp.second)) {
      return MakeError(ErrorCode::kUnavailable, "cannot listen on " + impl_->config.server.listen +
                                                    " (address in use or not permitted)");
    }
    impl_->port = hp.second;
  }
  RaiseListenBacklog(impl_->port);
  return impl_->port;
}

Status Server::Run() {
  if (!impl_->http.listen_after_bind() && !impl_->stopping) {
    return MakeError(ErrorCode::kUnavailable, "the server stopped listening unexpectedly");
  }
  return Status::Ok();
}

void Server::BeginDrain() { impl_->draining = true; }

void Server::Stop() {
  impl_->stopping = true;
  impl_->http.stop();
}

std::string Server::url() const {
  bool v6 = impl_->host.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + impl_->host + "]" : impl_->host) + ":" + std::to_string(impl_->port);
}

}  // namespace pm::http
