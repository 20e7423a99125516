#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "http/multipart.h"

using namespace pm;
using namespace pm::http;

namespace {

struct Collected {
  std::vector<PartHeaders> parts;
  std::vector<std::string> data;
};

// Feeds `body` in pieces of `step` bytes (0 = all at once) and finishes.
Status Parse(const std::string& boundary, const std::string& body, size_t step, Collected* out) {
  MultipartParser p(
      boundary,
      [&](const PartHeaders& h) {
        out->parts.push_back(h);
        out->data.emplace_back();
        return Status::Ok();
      },
      [&](std::string_view d) {
        out->data.back().append(d);
        return Status::Ok();
      });
  if (step == 0) step = body.size() ? body.size() : 1;
  for (size_t i = 0; i < body.size(); i += step) {
    Status st = p.Feed(std::string_view(body).substr(i, step));
    if (!st.ok()) return st;
  }
  return p.Finish();
}

const std::string kTwoParts =
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"name\"\r\n\r\n"
    "Sunset\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"file\"; filename=\"a \\\"b\\\".png\"\r\n"
    "Content-Type: image/png\r\n\r\n"
    "\x89PNG\r\n--XyY is not here\r\n--Xy\r\nbytes\r\n"
    "--XyZ--";

}  // namespace

TEST_CASE("multipart: parts, names, file names and bytes, fed at every chunk size", "[http]") {
  for (const std::string& tail : {std::string(), std::string("\r\n"), std::string("\r\nepilogue\r\n")}) {
    for (size_t step : {size_t{0}, size_t{1}, size_t{2}, size_t{3}, size_t{7}, size_t{64}}) {
      CAPTURE(step, tail);
      Collected c;
      REQUIRE(Parse("XyZ", kTwoParts + tail, step, &c).ok());
      REQUIRE(c.parts.size() == 2);
      CHECK(c.parts[0].name == "name");
      CHECK(c.parts[0].filename.empty());
      CHECK(c.data[0] == "Sunset");
      CHECK(c.parts[1].name == "file");
      CHECK(c.parts[1].filename == "a \"b\".png");
      CHECK(c.parts[1].content_type == "image/png");
      CHECK(c.data[1] == "\x89PNG\r\n--XyY is not here\r\n--Xy\r\nbytes");
    }
  }
}

TEST_CASE("multipart: a preamble before the first boundary is skipped", "[http]") {
  Collected c;
  REQUIRE(Parse("b", "preamble text\r\n--b\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n--b--", 1, &c).ok());
  REQUIRE(c.parts.size() == 1);
  CHECK(c.parts[0].name == "x");
  CHECK(c.data[0] == "1");
}

TEST_CASE("multipart: malformed bodies are kInvalidArgument", "[http]") {
  const char* bad[] = {
      "",                                                          // no parts
      "--b\r\nContent-Disposition: form-data; name=x\r\n\r\nabc",  // no close delimiter
      "--b\r\nContent-Disposition: form-data; name=x\r\n\r\nabc\r\n--b",  // ends after a delimiter
      "--b\r\nContent-Type: text/plain\r\n\r\nabc\r\n--b--",              // no Content-Disposition
      "--b\r\nContent-Disposition: attachment; name=x\r\n\r\nabc\r\n--b--",
      "--b\r\nContent-Disposition: form-data; name=\"x\r\n\r\nabc\r\n--b--",  // unterminated quote
      "--bX\r\nContent-Disposition: form-data; name=x\r\n\r\nabc\r\n--b--",  // boundary + junk
      "--b\r\nno colon here\r\n\r\nabc\r\n--b--",
  };
  for (const char* body : bad) {
    CAPTURE(body);
    Collected c;
    Status st = Parse("b", body, 0, &c);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().code == ErrorCode::kInvalidArgument);
  }
}

TEST_CASE("multipart: oversized header blocks are refused without buffering the body", "[http]") {
  std::string body = "--b\r\nContent-Disposition: form-data; name=x\r\nX-Pad: " + std::string(20000, 'a');
  Collected c;
  CHECK(Parse("b", body, 1000, &c).error().code == ErrorCode::kInvalidArgument);
}

TEST_CASE("multipart: a callback error stops parsing and is returned", "[http]") {
  int data_calls = 0;
  MultipartParser p(
      "XyZ", [](const PartHeaders& h) {
        if (h.name == "file") return Status(MakeError(ErrorCode::kUnsupportedMediaType, "nope"));
        return Status::Ok();
      },
      [&](std::string_view) {
        ++data_calls;
        return Status::Ok();
      });
  Status st = p.Feed(kTwoParts);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == ErrorCode::kUnsupportedMediaType);
  CHECK(p.Feed("more").error().code == ErrorCode::kUnsupportedMediaType);
  CHECK(data_calls == 1);  // only the "name" part's bytes
}

TEST_CASE("multipart: the boundary comes from the Content-Type", "[http]") {
  CHECK(MultipartParser::BoundaryFrom("multipart/form-data; boundary=abc").value() == "abc");
  CHECK(MultipartParser::BoundaryFrom("multipart/form-data; charset=utf-8; Boundary=\"a b\"").value() == "a b");
  CHECK_FALSE(MultipartParser::BoundaryFrom("multipart/form-data").ok());
  CHECK_FALSE(MultipartParser::BoundaryFrom("multipart/form-data; boundary=").ok());
  CHECK_FALSE(MultipartParser::BoundaryFrom("multipart/form-data; boundary=" + std::string(71, 'a')).ok());
}
