#include "db/raw_contents.hpp"

#include <Poco/Logger.h>

#include <pqxx/pqxx>
#include <string_view>
#include <unordered_set>

#include "db/errors.hpp"
#include "db/large_value_session.hpp"
#include "db/named_statement.hpp"
#include "db/pending_messages.hpp"
#include "db/sized_statements.hpp"

namespace hd::db {
namespace {

constexpr const char* kSessionSetup =
    "SET client_encoding = 'UTF8'; SET application_name = 'helpdesk-ingest raw';"
    " SET synchronous_commit = off";  // see the header: a later commit syncs these too

// Up to this many messages' bytes per statement, and no more than kPendingRawBytes unless one
// message alone is bigger, as in the group commit (db/pending_messages.hpp).
constexpr std::size_t kRowsPerStatement = 10;

std::unique_ptr<NamedStatement> insertStatement(std::size_t rows) {
  std::string sql = "INSERT INTO raw_contents (sha256, raw) VALUES ";
  for (std::size_t k = 0; k < rows; ++k) {
    const std::string n = std::to_string(k);
    sql += (k > 0 ? ", (:sha256_" : "(:sha256_") + n + ", :raw_" + n + "::bytea)";
  }
  // Bytes already there (a retry) are the same bytes: only their time is renewed.
  sql += " ON CONFLICT (sha256) DO UPDATE SET written_at = now()";
  return std::make_unique<NamedStatement>("hd_raw_contents_" + std::to_string(rows), sql);
}

const NamedStatement& statementFor(std::size_t rows) {
  static SizedStatements<kRowsPerStatement> statements(insertStatement);
  return statements.forSize(rows);
}

// Examines the rows that became `$1` seconds old since the horizon of the sweep before (all of
// them the first time), deletes those no raw_messages row names, and moves the horizon up to
// where this one examined (migration 0016). One statement, so a sweep that fails (a commit naming
// bytes beside it) leaves the horizon where it was and the next one examines those rows again.
// The DELETE's own `written_at` test is checked again against a row a retry rewrites meanwhile.
constexpr const char* kSweepUnnamed = R"SQL(
WITH bounds AS (
  SELECT coalesce((SELECT horizon FROM raw_contents_sweep), '-infinity') AS since,
         now() - make_interval(secs => $1) AS until
), examined AS (
  SELECT c.sha256,
         EXISTS (SELECT 1 FROM raw_messages r WHERE r.content_sha256 = c.sha256) AS named
  FROM raw_contents c, bounds b
  WHERE c.written_at >= b.since AND c.written_at < b.until
), deleted AS (
  DELETE FROM raw_contents c USING examined e, bounds b
  WHERE c.sha256 = e.sha256 AND NOT e.named AND c.written_at < b.until
  RETURNING 1
), moved AS (
  INSERT INTO raw_contents_sweep (horizon) SELECT until FROM bounds
  ON CONFLICT (only_row) DO UPDATE
    SET horizon = greatest(raw_contents_sweep.horizon, excluded.horizon)
)
SELECT (SELECT count(*) FROM examined), (SELECT count(*) FROM deleted))SQL";

bool canGoAhead(const service::IncomingMessage& in) {
  constexpr std::size_t kHexSha256 = 64;
  return in.parsed != nullptr && !in.left_on_server && in.raw.inMemory() &&
         in.raw_sha256.size() == kHexSha256;
}

void insertRows(pqxx::transaction_base& tx, std::span<const service::IncomingMessage* const> rows) {
  NamedArgs args(statementFor(rows.size()));
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const std::string n = std::to_string(k);
    args.set("sha256_" + n, rows[k]->raw_sha256)
        .set("raw_" + n, std::string_view(rows[k]->raw.memory()));  // binary, no escaping
  }
  args.exec(tx);
}

}  // namespace

RawContents::RawContents(std::string url)
    : connection_(std::move(url), std::string(kSessionSetup) + "; " + kLargeValueSessionSetup,
                  "raw bytes database connection") {}
RawContents::~RawContents() = default;

std::vector<bool> RawContents::writeAhead(std::span<const service::IncomingMessage> messages) {
  std::lock_guard lock(mutex_);
  std::vector<bool> written(messages.size(), false);
  std::vector<const service::IncomingMessage*> rows;
  std::unordered_set<std::string_view> seen;  // one row per content: a statement cannot
                                              // update the same row twice
  for (std::size_t i = 0; i < messages.size(); ++i) {
    if (!canGoAhead(messages[i])) continue;
    written[i] = true;
    if (seen.insert(messages[i].raw_sha256).second) rows.push_back(&messages[i]);
  }
  if (rows.empty()) return written;
  connection_.run("raw bytes written ahead", [&](pqxx::connection_base& c) {
    pqxx::work tx(c);
    std::size_t first = 0;
    std::uint64_t bytes = 0;
    for (std::size_t k = 0; k < rows.size(); ++k) {
      bytes += rows[k]->raw.size();
      const bool last = k + 1 == rows.size();
      if (last || k + 1 - first == kRowsPerStatement ||
          bytes + rows[k + 1]->raw.size() > kPendingRawBytes) {
        insertRows(tx, std::span(rows).subspan(first, k + 1 - first));
        first = k + 1;
        bytes = 0;
      }
    }
    tx.commit();
  });
  const auto now = std::chrono::steady_clock::now();
  if (!last_sweep_ || now - *last_sweep_ >= kUnnamedSweepInterval) {
    last_sweep_ = now;
    // The bytes are written: a sweep that fails (a commit naming old bytes beside it) only waits
    // for the next one.
    try {
      if (const UnnamedSweep sweep = deleteUnnamedLocked(kKeepUnnamed); sweep.deleted > 0) {
        Poco::Logger::get("hd.db").information(
            "deleted the raw bytes of %Ld messages that no stored message names",
            static_cast<long long>(sweep.deleted));
      }
    } catch (const DatabaseError& e) {
      Poco::Logger::get("hd.db").warning("deleting unnamed raw bytes failed: %s",
                                         std::string(e.what()));
    }
  }
  return written;
}

UnnamedSweep RawContents::deleteUnnamed(std::chrono::seconds age) {
  std::lock_guard lock(mutex_);
  return deleteUnnamedLocked(age);
}

UnnamedSweep RawContents::deleteUnnamedLocked(std::chrono::seconds age) {
  UnnamedSweep sweep;
  connection_.run("deleting unnamed raw bytes", [&](pqxx::connection_base& c) {
    pqxx::work tx(c);
    const pqxx::row counts = tx.exec_params1(kSweepUnnamed, static_cast<std::int64_t>(age.count()));
    sweep = {.examined = counts[0].as<std::int64_t>(), .deleted = counts[1].as<std::int64_t>()};
    tx.commit();
  });
  return sweep;
}

}  // namespace hd::db
