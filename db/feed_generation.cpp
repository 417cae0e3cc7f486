#include "db/feed_generation.hpp"

#include <Poco/Logger.h>

#include <pqxx/pqxx>
#include <string>

namespace hd::db {
namespace {

// Transaction-level advisory lock that serialises rebases ("hdfeedrb" in ASCII).
constexpr long long kRebaseLockKey = 0x6864666565647262LL;

// The live identity, whether it matches the stored one, and the snapshot's xmax (which, unlike
// pg_current_xact_id(), does not assign a transaction id to a read).
constexpr const char* kReadGeneration =
    "SELECT s.system_identifier, d.oid::bigint,"
    " COALESCE(g.system_identifier = s.system_identifier AND g.database_oid = d.oid, false),"
    " g.rebased_at IS NOT NULL, pg_snapshot_xmax(pg_current_snapshot())::text"
    " FROM pg_control_system() s"
    " JOIN pg_database d ON d.datname = current_database()"
    " LEFT JOIN feed_generation g ON true";

constexpr const char* kLockRebase = "SELECT pg_advisory_xact_lock($1)";
constexpr const char* kRebaseEvents = "UPDATE events SET xid = '1'::xid8 WHERE xid <> '1'::xid8";
constexpr const char* kRecordGeneration =
    "INSERT INTO feed_generation (system_identifier, database_oid, rebased_at)"
    " VALUES ($1, $2::bigint::oid, now())"
    " ON CONFLICT (only_row) DO UPDATE SET system_identifier = EXCLUDED.system_identifier,"
    " database_oid = EXCLUDED.database_oid, rebased_at = EXCLUDED.rebased_at";

Poco::Logger& logger() {
  return Poco::Logger::get("hd.db");
}

struct Reading {
  std::int64_t system_identifier = 0;
  std::int64_t database_oid = 0;
  bool same = false;
  FeedGeneration generation;
};

Reading readGeneration(pqxx::transaction_base& tx) {
  const auto row = tx.exec1(kReadGeneration);
  Reading reading;
  reading.system_identifier = row[0].as<std::int64_t>();
  reading.database_oid = row[1].as<std::int64_t>();
  reading.same = row[2].as<bool>();
  reading.generation.rebased = row[3].as<bool>();
  reading.generation.xmax = row[4].as<std::uint64_t>();
  const std::uint64_t tag = static_cast<std::uint64_t>(reading.system_identifier) ^
                            (static_cast<std::uint64_t>(reading.database_oid) << 32);
  reading.generation.tag = tag == 0 ? 1 : tag;
  return reading;
}

}  // namespace

FeedGeneration currentFeedGeneration(pqxx::connection_base& connection) {
  {
    pqxx::nontransaction read(connection);
    const Reading reading = readGeneration(read);
    if (reading.same) return reading.generation;
  }
  pqxx::work rebase(connection);
  rebase.exec_params(kLockRebase, kRebaseLockKey);
  Reading reading = readGeneration(rebase);
  if (reading.same) return reading.generation;  // another session rebased it meanwhile
  const auto rebased = rebase.exec0(kRebaseEvents).affected_rows();
  rebase.exec_params0(kRecordGeneration, reading.system_identifier, reading.database_oid);
  rebase.commit();
  logger().warning(
      "the event feed's database was restored or moved (another cluster or database): %z events "
      "rebased; clients holding cursors of the old database get 409 and must resync",
      rebased);
  reading.generation.rebased = true;
  return reading.generation;
}

}  // namespace hd::db
