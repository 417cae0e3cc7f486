#include "db/raw_contents.hpp"

#include <Poco/Logger.h>

#include <pqxx/pqxx>
#include <string_view>
#include <unordered_set>

#include "db/errors.hpp"
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

constexpr const char* kDeleteUnnamed =
    "DELETE FROM raw_contents c WHERE c.written_at < now() - make_interval(secs => $1)"
    " AND NOT EXISTS (SELECT 1 FROM raw_messages r WHERE r.content_sha256 = c.sha256)";

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
    : connection_(std::move(url), kSessionSetup, "raw bytes database connection") {}
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
      if (const std::int64_t deleted = deleteUnnamedLocked(kKeepUnnamed); deleted > 0) {
        Poco::Logger::get("hd.db").information(
            "deleted the raw bytes of %Ld messages that no stored message names",
            static_cast<long long>(deleted));
      }
    } catch (const DatabaseError& e) {
      Poco::Logger::get("hd.db").warning("deleting unnamed raw bytes failed: %s",
                                         std::string(e.what()));
    }
  }
  return written;
}

std::int64_t RawContents::deleteUnnamed(std::chrono::seconds age) {
  std::lock_guard lock(mutex_);
  return deleteUnnamedLocked(age);
}

std::int64_t RawContents::deleteUnnamedLocked(std::chrono::seconds age) {
  std::int64_t deleted = 0;
  connection_.run("deleting unnamed raw bytes", [&](pqxx::connection_base& c) {
    pqxx::work tx(c);
    deleted =
        tx.exec_params(kDeleteUnnamed, static_cast<std::int64_t>(age.count())).affected_rows();
    tx.commit();
  });
  return deleted;
}

}  // namespace hd::db
