// NamedStatement: named parameters compiled to positional ones, so the SQL and the values are
// matched by name (the execution itself is covered by the PostgreSQL tests of the store).

#include "db/named_statement.hpp"

#include <gtest/gtest.h>

namespace hd::db {
namespace {

TEST(NamedStatement, NumbersParametersInOrderOfFirstUseAndSendsThemAsText) {
  const NamedStatement s("s", "INSERT INTO t (a, b, c) VALUES (:beta, :alpha, :beta)");
  EXPECT_EQ(s.sql(), "INSERT INTO t (a, b, c) VALUES ($1::text, $2::text, $1::text)");
  EXPECT_EQ(s.parameters(), (std::vector<std::string>{"beta", "alpha"}));
  EXPECT_EQ(s.position("alpha"), 1u);
  EXPECT_EQ(s.position("beta"), 0u);
}

TEST(NamedStatement, KeepsCastsAndLiteralsAndSendsByteaAsBytes) {
  const NamedStatement s("s",
                         "SELECT :size::bigint, :raw::bytea, 'a:b ::c :d', x::jsonb, 'it''s :e'");
  EXPECT_EQ(s.sql(), "SELECT $1::text::bigint, $2::bytea, 'a:b ::c :d', x::jsonb, 'it''s :e'");
  EXPECT_EQ(s.parameters(), (std::vector<std::string>{"size", "raw"}));
}

TEST(NamedStatement, RefusesPositionalOrMalformedParameters) {
  EXPECT_THROW(NamedStatement("s", "SELECT $1"), std::invalid_argument);
  EXPECT_THROW(NamedStatement("s", "SELECT :Upper"), std::invalid_argument);
  EXPECT_THROW(NamedStatement("s", "SELECT :1"), std::invalid_argument);
  EXPECT_THROW(NamedStatement("s", "SELECT 'open"), std::invalid_argument);
}

TEST(NamedArgs, RefusesANameTheStatementDoesNotHave) {
  const NamedStatement s("s", "SELECT :subject");
  NamedArgs args(s);
  EXPECT_NO_THROW(args.set("subject", "x"));
  EXPECT_THROW(args.set("subjet", "x"), std::logic_error);
  EXPECT_THROW(args.set("subject_", std::int64_t{1}), std::logic_error);
}

}  // namespace
}  // namespace hd::db
