#include "objects/failing_object_store.h"

#include <catch2/catch.hpp>

#include "objects/memory_object_store.h"

namespace pm::objects {
namespace {

using Op = FailingObjectStore::Op;

bool IsInjected(const Error& e) {
  return e.code == ErrorCode::kUnavailable && e.message.starts_with("injected failure: ");
}

TEST_CASE("failing: FailNth fails exactly the nth call from now", "[objects][failing]") {
  MemoryObjectStore memory;
  FailingObjectStore store(&memory);
  REQUIRE(store.PutBytes("warm-up", "x").ok());  // counts: create 1, write 1, commit 1
  store.FailNth(Op::kCreate, 2);
  CHECK(store.Create("a").ok());
  auto second = store.Create("b");
  REQUIRE_FALSE(second.ok());
  CHECK(IsInjected(second.error()));
  CHECK(second.error().message == "injected failure: create (call 3)");
  CHECK(store.Create("c").ok());
  CHECK(store.calls(Op::kCreate) == 4);
  CHECK(store.injected_failures() == 1);
  // The failed Create never reached the wrapped store.
  CHECK(memory.operations() == std::vector<std::string>{"create warm-up", "commit warm-up", "create a",
                                                        "abort a", "create c", "abort c"});
}

TEST_CASE("failing: a failed commit leaves nothing behind", "[objects][failing]") {
  MemoryObjectStore memory;
  FailingObjectStore store(&memory);
  store.FailNth(Op::kCommit, 1);
  auto put = store.PutBytes("tenants/1/a", "bytes");
  REQUIRE_FALSE(put.ok());
  CHECK(IsInjected(put.error()));
  CHECK(memory.object_count() == 0);
  CHECK(memory.operations() == std::vector<std::string>{"create tenants/1/a", "abort tenants/1/a"});
  // One-shot: the next upload goes through.
  CHECK(store.PutBytes("tenants/1/a", "bytes").ok());
  CHECK(memory.Contains("tenants/1/a"));
}

TEST_CASE("failing: a failed write mid-stream, then abort, leaves nothing", "[objects][failing]") {
  MemoryObjectStore memory;
  FailingObjectStore store(&memory);
  store.FailNth(Op::kWrite, 3);
  auto w = store.Create("tenants/1/big");
  REQUIRE(w.ok());
  CHECK((*w)->Write("1").ok());
  CHECK((*w)->Write("2").ok());
  Status third = (*w)->Write("3");
  REQUIRE_FALSE(third.ok());
  CHECK(IsInjected(third.error()));
  (*w)->Abort();
  CHECK(memory.object_count() == 0);
}

TEST_CASE("failing: FailFromNth keeps failing until cleared", "[objects][failing]") {
  MemoryObjectStore memory;
  REQUIRE(memory.PutBytes("a", "a").ok());
  FailingObjectStore store(&memory);
  store.FailFromNth(Op::kDelete, 2);
  CHECK(store.Delete("x").ok());
  for (int i = 0; i < 3; ++i) {
    Status s = store.Delete("a");
    REQUIRE_FALSE(s.ok());
    CHECK(IsInjected(s.error()));
  }
  CHECK(memory.Contains("a"));
  CHECK(store.injected_failures() == 3);
  store.ClearFailures();
  CHECK(store.Delete("a").ok());
  CHECK_FALSE(memory.Contains("a"));
  CHECK(store.calls(Op::kDelete) == 5);
}

TEST_CASE("failing: open, read, stat, list and check can fail too", "[objects][failing]") {
  auto owned = std::make_unique<MemoryObjectStore>();
  REQUIRE(owned->PutBytes("k", "value").ok());
  FailingObjectStore store(std::move(owned));
  CHECK(store.base().Stat("k").ok());

  store.FailNth(Op::kOpen, 1);
  CHECK(IsInjected(store.Open("k").error()));
  CHECK(store.Open("k").ok());

  store.FailNth(Op::kRead, 2);
  auto reader = store.Open("k");
  REQUIRE(reader.ok());
  char buf[2];
  CHECK((*reader)->Read(buf, 2).ok());
  auto r = (*reader)->Read(buf, 2);
  REQUIRE_FALSE(r.ok());
  CHECK(IsInjected(r.error()));
  CHECK(store.GetBytes("k", 100).ok());  // the rule was one-shot

  store.FailNth(Op::kStat, 1);
  CHECK(IsInjected(store.Stat("k").error()));
  store.FailNth(Op::kList, 1);
  CHECK(IsInjected(store.List("").error()));
  store.FailNth(Op::kCheck, 1);
  CHECK(IsInjected(store.Check().error()));
  CHECK(store.Check().ok());
  CHECK(store.injected_failures() == 5);
}

TEST_CASE("failing: a new rule replaces the old one for that call", "[objects][failing]") {
  MemoryObjectStore memory;
  FailingObjectStore store(&memory);
  store.FailNth(Op::kStat, 1);
  store.FailNth(Op::kStat, 2);
  CHECK(store.Stat("k").error().code == ErrorCode::kNotFound);  // passes through
  CHECK(IsInjected(store.Stat("k").error()));
}

}  // namespace
}  // namespace pm::objects
