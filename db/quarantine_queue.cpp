#include "db/quarantine_queue.hpp"

#include <pqxx/pqxx>

#include "db/content_chunks.hpp"
#include "db/sql_values.hpp"

namespace hd::db {
namespace {

// "retrying" stays in the listing for API compatibility: a retry is one transaction now, so no
// entry is ever caught in the middle of one.
constexpr const char* kList =
    "SELECT jsonb_build_object('id', q.id, 'source_key', q.source_key, 'retrying', false,"
    " 'mailbox', q.mailbox, 'error', q.error, 'attempts', q.attempts,"
    " 'first_seen', q.first_seen, 'last_seen', q.last_seen,"
    " 'raw_size', coalesce(octet_length(q.raw), (SELECT sum(octet_length(c.bytes))::bigint"
    "   FROM quarantine_chunks c WHERE c.quarantine_id = q.id)),"  // chunked: see content_chunks
    " 'on_server', q.on_server, 'size', q.size, 'fetch_requested', q.fetch_requested)::text"
    " FROM quarantine q WHERE ($1 = '' OR q.mailbox = $1) AND q.id > $2 ORDER BY q.id LIMIT $3";
constexpr const char* kLeftOnServer =
    "SELECT source_key, mailbox, coalesce(size, 0) FROM quarantine WHERE id = $1 AND on_server";
constexpr const char* kRequestFetch =
    "UPDATE quarantine SET fetch_requested = true, attempts = attempts + 1, last_seen = now()"
    " WHERE id = $1 AND on_server";
constexpr const char* kFind = "SELECT source_key, mailbox, raw FROM quarantine WHERE id = $1";
// A NULL raw is chunked when it has chunks, else absent (an entry left on the server).
constexpr const char* kHasChunks =
    "SELECT EXISTS (SELECT 1 FROM quarantine_chunks WHERE quarantine_id = $1)";
constexpr const char* kRecordRetryFailure =
    "UPDATE quarantine SET attempts = attempts + 1, last_seen = now(), error = $2 WHERE id = $1";

}  // namespace

nlohmann::json QuarantineQueue::list(const std::string& mailbox, std::int64_t after_id,
                                     std::int64_t limit) {
  auto entries = nlohmann::json::array();
  connection_.run("list quarantine", [&](pqxx::connection_base& c) {
    pqxx::nontransaction tx(c);
    for (const auto& row : tx.exec_params(kList, validUtf8(mailbox), after_id, limit)) {
      entries.push_back(nlohmann::json::parse(row[0].c_str()));
    }
  });
  return entries;
}

std::optional<LeftOnServerEntry> QuarantineQueue::leftOnServer(std::int64_t id) {
  std::optional<LeftOnServerEntry> entry;
  connection_.run("quarantine entry left on the server", [&](pqxx::connection_base& c) {
    pqxx::nontransaction tx(c);
    const auto rows = tx.exec_params(kLeftOnServer, id);
    if (rows.empty()) return;
    entry = LeftOnServerEntry{rows[0][0].as<std::string>(), rows[0][1].as<std::string>(),
                              rows[0][2].as<std::uint64_t>()};
  });
  return entry;
}

void QuarantineQueue::requestFetch(std::int64_t id) {
  connection_.run("request a fetch", [&](pqxx::connection_base& c) {
    pqxx::work tx(c);
    tx.exec_params0(kRequestFetch, id);
    tx.commit();
  });
}

std::optional<QuarantinedMessage> QuarantineQueue::find(std::int64_t id,
                                                        const spill::SpillPolicy& spill) {
  std::optional<QuarantinedMessage> entry;
  connection_.run("read quarantine entry", [&](pqxx::connection_base& c) {
    // One snapshot for the row and all of its chunks.
    pqxx::transaction<pqxx::isolation_level::repeatable_read, pqxx::readwrite_policy::read_only> tx(
        c);
    const auto rows = tx.exec_params(kFind, id);
    if (rows.empty()) return;
    QuarantinedMessage found;
    found.id = id;
    found.source_key = rows[0][0].as<std::string>();
    found.mailbox = rows[0][1].as<std::string>();
    if (!rows[0][2].is_null()) {
      found.raw = spill::Bytes(pqxx::binarystring(rows[0][2]).str());
    } else if (tx.exec_params1(kHasChunks, id)[0].as<bool>()) {
      found.raw = readAllChunks(tx, ChunkedContent::kQuarantineRaw, id, spill);
    }
    entry = std::move(found);
  });
  return entry;
}

void QuarantineQueue::recordRetryFailure(std::int64_t id, const std::string& error) {
  connection_.run("record quarantine retry failure", [&](pqxx::connection_base& c) {
    pqxx::nontransaction tx(c);
    tx.exec_params0(kRecordRetryFailure, id, validUtf8(error));
  });
}

}  // namespace hd::db
