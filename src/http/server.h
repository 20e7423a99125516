// The HTTP server: binds server.listen, runs the middleware (request id, security headers,
// body-framing checks, authentication, CSRF, the tenant gate) and dispatches to the route table
// and the embedded web app.
//
// Thread safety: Bind and Run from one thread; Stop from any thread (e.g. a signal watcher).
#pragma once

#include <memory>
#include <string>

#include "app/services.h"
#include "common/result.h"
#include "config/config.h"

namespace pm::http {

class Server {
 public:
  Server(const config::Config& config, app::Services services);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listening socket; returns the bound port (useful with port 0).
  Result<int> Bind();
  // Serves until Stop(); returns when the listener is closed and workers have finished.
  Status Run();
  // Draining: /readyz answers 503 and responses ask clients to close their connection, while
  // requests are still served. Called on SIGTERM before Stop().
  void BeginDrain();
  // Closes the listener; Run() returns once in-flight requests have finished.
  void Stop();

  // The printable URL once bound, e.g. "http://127.0.0.1:8080".
  std::string url() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Splits "host:port" or "[v6]:port". kInvalidArgument on anything else.
Result<std::pair<std::string, int>> ParseListen(const std::string& listen);

}  // namespace pm::http
