// NamedStatement / NamedArgs against the real PostgreSQL: values reach the parameter of their
// name (text, numbers, booleans, bytes with every byte value), and a parameter left unset is
// refused before anything is sent.

#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "db/named_statement.hpp"
#include "tests/integration/db_store_fixture.hpp"
#include "tests/support/test_env.hpp"

namespace hd::db::itest {
namespace {

TEST(NamedStatementItest, EachValueReachesTheParameterOfItsName) {
  test::ScratchDatabase db;
  pqxx::connection c(db.url());
  const NamedStatement s("hd_test_named",
                         "SELECT :b || '|' || :a, :n::bigint + 1, NOT :f::boolean,"
                         " encode(:raw::bytea, 'hex'), :a");
  pqxx::work tx(c);
  const std::string bytes = allBytes();
  const auto row = NamedArgs(s)
                       .set("raw", bytes)
                       .set("a", "first: 'quoted'")
                       .set("f", false)
                       .set("n", std::int64_t{41})
                       .set("b", "second")
                       .exec(tx)
                       .at(0);
  EXPECT_EQ(row[0].as<std::string>(), "second|first: 'quoted'");
  EXPECT_EQ(row[1].as<long long>(), 42);
  EXPECT_EQ(row[2].as<bool>(), true);
  EXPECT_EQ(row[3].as<std::string>(), hex(bytes));

  // Prepared once per connection: a second execution with other values reuses it.
  EXPECT_EQ(NamedArgs(s)
                .set("raw", "")
                .set("a", "x")
                .set("f", true)
                .set("n", std::int64_t{0})
                .set("b", "y")
                .exec(tx)
                .at(0)[0]
                .as<std::string>(),
            "y|x");
  EXPECT_THROW(NamedArgs(s).set("a", "x").exec(tx), std::logic_error);
}

}  // namespace
}  // namespace hd::db::itest
