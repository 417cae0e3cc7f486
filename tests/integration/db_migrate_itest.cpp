// TicketStore::migrate() against a real PostgreSQL (deploy/local.sh), each test in a scratch
// database.

#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "tests/integration/db_store_fixture.hpp"

namespace hd::db {
namespace {

using namespace itest;

TEST(TicketStoreMigrate, CreatesSchemaOnEmptyDatabaseAndIsIdempotent) {
  test::ScratchDatabase db;
  TicketStore store(db.url());
  EXPECT_FALSE(store.schemaUpToDate());
  ASSERT_FALSE(embeddedMigrations().empty());
  EXPECT_EQ(store.migrate(), int(embeddedMigrations().size()));
  EXPECT_TRUE(store.schemaUpToDate());
  for (const char* table : {"tickets", "messages", "raw_messages", "attachments", "quarantine",
                            "source_aliases", "mailbox_state", "events", "schema_migrations"}) {
    EXPECT_EQ(db.scalar(std::string("SELECT to_regclass('") + table + "') IS NOT NULL"), "t")
        << table;
  }
  EXPECT_EQ(db.scalar("SELECT count(*) FROM schema_migrations"),
            std::to_string(embeddedMigrations().size()));
  EXPECT_EQ(db.scalar("SELECT name FROM schema_migrations WHERE version = 1"), "initial");

  EXPECT_EQ(store.migrate(), 0);
  TicketStore other(db.url());
  EXPECT_EQ(other.migrate(), 0);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM schema_migrations"),
            std::to_string(embeddedMigrations().size()));
}

TEST(TicketStoreMigrate, ConcurrentMigrationsApplyEachVersionOnce) {
  test::ScratchDatabase db;
  TicketStore a(db.url()), b(db.url());
  a.ping();
  b.ping();  // both connected, so the race is on the migration itself
  int applied_a = -1, applied_b = -1;
  std::string error;
  std::mutex error_mutex;
  const auto migrate = [&](TicketStore& store, int& applied) {
    try {
      applied = store.migrate();
    } catch (const std::exception& e) {
      std::lock_guard lock(error_mutex);
      error = e.what();
    }
  };
  std::thread ta(migrate, std::ref(a), std::ref(applied_a));
  std::thread tb(migrate, std::ref(b), std::ref(applied_b));
  ta.join();
  tb.join();
  EXPECT_EQ(error, "");
  EXPECT_EQ(applied_a + applied_b, int(embeddedMigrations().size()));
  EXPECT_EQ(db.scalar("SELECT count(*) FROM schema_migrations"),
            std::to_string(embeddedMigrations().size()));
  EXPECT_TRUE(a.schemaUpToDate());
}

}  // namespace
}  // namespace hd::db
