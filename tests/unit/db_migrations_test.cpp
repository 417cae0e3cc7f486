#include <gtest/gtest.h>

#include <string>

#include "db/migrations.hpp"

namespace hd::db {
namespace {

TEST(DbEmbeddedMigrations, AscendingUniqueVersionsWithNamesAndSql) {
  const auto& migrations = embeddedMigrations();
  ASSERT_FALSE(migrations.empty());
  EXPECT_EQ(migrations.front().version, 1);
  EXPECT_EQ(migrations.front().name, "initial");
  int previous = 0;
  for (const auto& m : migrations) {
    EXPECT_GT(m.version, previous) << m.name;
    previous = m.version;
    EXPECT_FALSE(m.name.empty());
    EXPECT_FALSE(m.sql.empty()) << m.name;
    EXPECT_EQ(m.sql.find('\0'), std::string_view::npos) << m.name;
  }
}

TEST(DbEmbeddedMigrations, SqlIsTheFileVerbatim) {
  const std::string_view sql = embeddedMigrations().front().sql;
  EXPECT_EQ(sql.substr(0, 3), "-- ");
  EXPECT_NE(sql.find("CREATE TABLE tickets ("), std::string_view::npos);
  EXPECT_NE(sql.find("source_key text NOT NULL UNIQUE"), std::string_view::npos);
  EXPECT_EQ(sql.back(), '\n');
}

}  // namespace
}  // namespace hd::db
