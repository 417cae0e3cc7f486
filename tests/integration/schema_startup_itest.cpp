// The schema is migrated once at start, before any worker: on a fresh database it reaches this
// binary's version; an unreachable database makes --once give up and serve() wait, until the
// database appears or a stop is requested.

#include <gtest/gtest.h>

#include <chrono>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "db/schema_upgrade.hpp"
#include "service/schema_startup.hpp"
#include "tests/support/random_name.hpp"
#include "tests/support/test_env.hpp"

namespace hd::service {
namespace {

const BackoffConfig kQuickBackoff{std::chrono::seconds(1), std::chrono::seconds(1)};

TEST(SchemaStartup, MigratesAFreshDatabaseToThisBinarysVersionOnce) {
  test::ScratchDatabase db;
  StopSignal stop;
  ASSERT_TRUE(migrateSchemaAtStart(db.url(), kQuickBackoff, stop, false));
  EXPECT_EQ(db.scalar("SELECT max(version) FROM schema_migrations"),
            std::to_string(db::latestSchemaVersion()));
  EXPECT_EQ(db::migrateDatabase(db.url()), 0) << "already up to date";
  EXPECT_TRUE(migrateSchemaAtStart(db.url(), kQuickBackoff, stop, false));
}

TEST(SchemaStartup, UnreachableDatabaseWithoutRetryGivesUp) {
  StopSignal stop;
  std::vector<std::string> failures;
  EXPECT_FALSE(migrateSchemaAtStart("postgresql://postgres@127.0.0.1:1/none?connect_timeout=2",
                                    kQuickBackoff, stop, false,
                                    [&](const std::string& error) { failures.push_back(error); }));
  // The runtime shows this text on every mailbox of /status while the workers wait.
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_NE(failures[0].find("127.0.0.1"), std::string::npos) << failures[0];
}

TEST(SchemaStartup, WithRetryAStopEndsTheWait) {
  StopSignal stop;
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    stop.requestStop();
  });
  const bool migrated = migrateSchemaAtStart(
      "postgresql://postgres@127.0.0.1:1/none?connect_timeout=2", kQuickBackoff, stop, true);
  stopper.join();
  EXPECT_FALSE(migrated);
}

TEST(SchemaStartup, WithRetryItWaitsUntilTheDatabaseExists) {
  const std::string admin_url = test::TestEnv::get().pg_admin_url;
  const std::string name = "hd_test_late_" + test::randomName(8);
  const auto slash = admin_url.rfind('/');
  ASSERT_NE(slash, std::string::npos);
  const std::string url = admin_url.substr(0, slash + 1) + name;
  auto run = [&](const std::string& sql) {
    pqxx::connection admin(admin_url);
    pqxx::nontransaction tx(admin);
    tx.exec0(sql);
  };
  StopSignal stop;
  std::thread creator([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    run("CREATE DATABASE " + name);
  });
  const bool migrated = migrateSchemaAtStart(url, kQuickBackoff, stop, true);
  creator.join();
  EXPECT_TRUE(migrated);
  {
    pqxx::connection connection(url);
    pqxx::nontransaction tx(connection);
    EXPECT_EQ(tx.exec1("SELECT max(version) FROM schema_migrations")[0].as<int>(),
              db::latestSchemaVersion());
  }
  run("DROP DATABASE " + name);
}

}  // namespace
}  // namespace hd::service
