// store/db_metrics.h: statements are classified into a small fixed set of operation labels.
#include "store/db_metrics.h"

#include <catch2/catch.hpp>

namespace pm::store {
namespace {

TEST_CASE("SQL is classified by its first keyword") {
  CHECK(ClassifySql("SELECT 1") == DbOperation::kSelect);
  CHECK(ClassifySql("  select id from palettes") == DbOperation::kSelect);
  CHECK(ClassifySql("WITH x AS (SELECT 1) SELECT * FROM x") == DbOperation::kSelect);
  CHECK(ClassifySql("-- a comment\nINSERT INTO t VALUES (1)") == DbOperation::kInsert);
  CHECK(ClassifySql("/* hint */ update t set a = 1") == DbOperation::kUpdate);
  CHECK(ClassifySql("DELETE FROM t") == DbOperation::kDelete);
  CHECK(ClassifySql("BEGIN IMMEDIATE") == DbOperation::kTransaction);
  CHECK(ClassifySql("COMMIT") == DbOperation::kTransaction);
  CHECK(ClassifySql("ROLLBACK") == DbOperation::kTransaction);
  CHECK(ClassifySql("SAVEPOINT a") == DbOperation::kTransaction);
  CHECK(ClassifySql("CREATE TABLE t (a int)") == DbOperation::kOther);
  CHECK(ClassifySql("PREPARE") == DbOperation::kOther);
  // A keyword must be a whole word.
  CHECK(ClassifySql("selection") == DbOperation::kOther);
  CHECK(ClassifySql("updates") == DbOperation::kOther);
  CHECK(ClassifySql("") == DbOperation::kOther);
  CHECK(ClassifySql("-- only a comment") == DbOperation::kOther);
  CHECK(ClassifySql("/* unterminated") == DbOperation::kOther);
}

}  // namespace
}  // namespace pm::store
