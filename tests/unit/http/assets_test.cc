#include "http/assets.h"

#include <catch2/catch.hpp>

namespace pm::http {
namespace {

TEST_CASE("ChooseCoding follows Accept-Encoding weights", "[http][assets]") {
  using C = ContentCoding;
  struct Case {
    const char* header;
    C want;
  };
  for (Case c : {Case{"", C::kIdentity}, Case{"br", C::kBrotli}, Case{"gzip", C::kGzip},
                 Case{"gzip, deflate, br", C::kBrotli}, Case{"GZIP", C::kGzip}, Case{"x-gzip", C::kGzip},
                 Case{"gzip;q=1, br;q=0.5", C::kGzip}, Case{"br;q=0, gzip", C::kGzip},
                 Case{"gzip;q=0, br;q=0", C::kIdentity}, Case{"gzip ; q=0.0 , br ; Q=0", C::kIdentity},
                 Case{"*", C::kBrotli}, Case{"*;q=0", C::kIdentity}, Case{"gzip, *;q=0", C::kGzip},
                 Case{"br;q=0, *", C::kGzip}, Case{"identity", C::kIdentity}, Case{"deflate", C::kIdentity},
                 Case{"br;q=abc, gzip", C::kGzip}, Case{"br;q=2", C::kIdentity}, Case{"br;q=", C::kIdentity}}) {
    INFO(c.header);
    CHECK(ChooseCoding(c.header, true, true) == c.want);
  }
}

TEST_CASE("ChooseCoding only picks a copy that exists", "[http][assets]") {
  CHECK(ChooseCoding("br, gzip", false, true) == ContentCoding::kGzip);
  CHECK(ChooseCoding("br", false, true) == ContentCoding::kIdentity);
  CHECK(ChooseCoding("br, gzip", false, false) == ContentCoding::kIdentity);
  CHECK(ChooseCoding("gzip", true, false) == ContentCoding::kIdentity);
}

}  // namespace
}  // namespace pm::http
