#include <catch2/catch.hpp>

#include "http/router.h"
#include "http/server.h"

using namespace pm;
using namespace pm::http;

namespace {
Router MakeRouter() {
  Router r;
  auto ok = [](Call&) { return Status::Ok(); };
  r.Add({"GET", "/api/v1/t/{ws}/palettes", Access::kTenant, ok, "list"});
  r.Add({"POST", "/api/v1/t/{ws}/palettes", Access::kTenant, ok, "upload"});
  r.Add({"GET", "/api/v1/t/{ws}/palettes/{id}", Access::kTenant, ok, "get"});
  r.Add({"GET", "/api/v1/t/{ws}/palettes/{id}/image", Access::kTenant, ok, "image"});
  return r;
}
}  // namespace

TEST_CASE("routes match by segments and capture parameters", "[http]") {
  Router r = MakeRouter();
  auto m = r.Find("GET", "/api/v1/t/acme/palettes/12");
  REQUIRE(m.route);
  CHECK(m.route->summary == "get");
  REQUIRE(m.params.size() == 2);
  CHECK(m.params[0] == std::make_pair(std::string("ws"), std::string("acme")));
  CHECK(m.params[1] == std::make_pair(std::string("id"), std::string("12")));
  CHECK(r.Find("GET", "/api/v1/t/acme/palettes/12/image").route->summary == "image");
  CHECK(r.Find("HEAD", "/api/v1/t/acme/palettes").route->summary == "list");
}

TEST_CASE("unknown paths, empty parameters and wrong methods do not match", "[http]") {
  Router r = MakeRouter();
  CHECK_FALSE(r.Find("GET", "/api/v1/t/acme/palettes/12/nope").route);
  CHECK_FALSE(r.Find("GET", "/api/v1/t//palettes").route);
  CHECK_FALSE(r.Find("GET", "/api/v1/t/acme/palettes/").route);
  auto m = r.Find("DELETE", "/api/v1/t/acme/palettes");
  CHECK_FALSE(m.route);
  CHECK(m.path_matched);
  CHECK_FALSE(r.Find("DELETE", "/elsewhere").path_matched);
}

TEST_CASE("listen addresses parse host:port and [v6]:port", "[http]") {
  CHECK(ParseListen("127.0.0.1:8080").value() == std::make_pair(std::string("127.0.0.1"), 8080));
  CHECK(ParseListen("[::1]:0").value() == std::make_pair(std::string("::1"), 0));
  for (const char* bad : {"", "8080", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1",
                          ":8080", "::1:8080", "[::1]8080", "host:80x"}) {
    INFO(bad);
    CHECK(ParseListen(bad).error().code == ErrorCode::kInvalidArgument);
  }
}

TEST_CASE("every error code maps to its documented HTTP status", "[http]") {
  CHECK(HttpStatusFor(ErrorCode::kInvalidArgument) == 400);
  CHECK(HttpStatusFor(ErrorCode::kUnauthenticated) == 401);
  CHECK(HttpStatusFor(ErrorCode::kCsrfFailed) == 403);
  CHECK(HttpStatusFor(ErrorCode::kNotFound) == 404);
  CHECK(HttpStatusFor(ErrorCode::kAlreadyExists) == 409);
  CHECK(HttpStatusFor(ErrorCode::kLengthRequired) == 411);
  CHECK(HttpStatusFor(ErrorCode::kPayloadTooLarge) == 413);
  CHECK(HttpStatusFor(ErrorCode::kUnsupportedMediaType) == 415);
  CHECK(HttpStatusFor(ErrorCode::kInvalidImage) == 422);
  CHECK(HttpStatusFor(ErrorCode::kFetchFailed) == 502);
  CHECK(std::string(pm::ErrorCodeName(ErrorCode::kFetchFailed)) == "fetch_failed");
  CHECK(HttpStatusFor(ErrorCode::kUnavailable) == 503);
  CHECK(HttpStatusFor(ErrorCode::kInternal) == 500);
}
