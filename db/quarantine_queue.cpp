#include "db/quarantine_queue.hpp"

#include <pqxx/pqxx>

#include "db/accounted_keys.hpp"
#include "db/sql_values.hpp"

namespace hd::db {
namespace {

constexpr const char* kRetryPrefix = "retry:";

constexpr const char* kList =
    "SELECT jsonb_build_object('id', q.id,"
    " 'source_key', regexp_replace(q.source_key, '^retry:', ''),"
    " 'retrying', q.source_key LIKE 'retry:%', 'mailbox', q.mailbox, 'error', q.error,"
    " 'attempts', q.attempts, 'first_seen', q.first_seen, 'last_seen', q.last_seen,"
    " 'raw_size', octet_length(q.raw), 'on_server', q.on_server, 'size', q.size,"
    " 'fetch_requested', q.fetch_requested)::text"
    " FROM quarantine q WHERE ($1 = '' OR q.mailbox = $1) AND q.id > $2 ORDER BY q.id LIMIT $3";
constexpr const char* kLeftOnServer =
    "SELECT regexp_replace(source_key, '^retry:', ''), mailbox, coalesce(size, 0) FROM quarantine"
    " WHERE id = $1 AND on_server";
constexpr const char* kRequestFetch =
    "UPDATE quarantine SET fetch_requested = true, attempts = attempts + 1, last_seen = now()"
    " WHERE id = $1 AND on_server";
constexpr const char* kClaim =
    "UPDATE quarantine SET attempts = attempts + 1, last_seen = now(),"
    " source_key = CASE WHEN source_key LIKE 'retry:%' THEN source_key ELSE 'retry:' || source_key "
    "END"
    " WHERE id = $1 RETURNING source_key, mailbox, raw";
constexpr const char* kRestore =
    "UPDATE quarantine SET source_key = $2, error = $3 WHERE id = $1 AND source_key = 'retry:' || "
    "$2";
constexpr const char* kDropRenamed =
    "DELETE FROM quarantine WHERE id = $1 AND source_key = 'retry:' || $2";

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

std::optional<QuarantineClaim> QuarantineQueue::claimForRetry(std::int64_t id) {
  std::optional<QuarantineClaim> claim;
  connection_.run("claim quarantine entry", [&](pqxx::connection_base& c) {
    pqxx::work tx(c);
    const auto rows = tx.exec_params(kClaim, id);
    tx.commit();
    if (rows.empty()) return;
    QuarantineClaim found;
    found.id = id;
    found.source_key = rows[0][0].as<std::string>().substr(std::string(kRetryPrefix).size());
    found.mailbox = rows[0][1].as<std::string>();
    if (!rows[0][2].is_null()) found.raw = pqxx::binarystring(rows[0][2]).str();
    claim = std::move(found);
  });
  return claim;
}

void QuarantineQueue::restore(const QuarantineClaim& claim, const std::string& error) {
  connection_.run("restore quarantine entry", [&](pqxx::connection_base& c) {
    pqxx::work tx(c);
    if (isAccounted(tx, claim.source_key) ||
        tx.exec_params(kRestore, claim.id, claim.source_key, validUtf8(error)).affected_rows() ==
            0) {
      tx.exec_params0(kDropRenamed, claim.id, claim.source_key);
    }
    tx.commit();
  });
}

}  // namespace hd::db
