// TicketStore::commitRetry: the quarantine retry as one transaction (see ticket_store.hpp).

#include <pqxx/pqxx>

#include "db/accounted_keys.hpp"
#include "db/batch_knowledge.hpp"
#include "db/message_writer.hpp"
#include "db/pending_messages.hpp"
#include "db/prepared_statement.hpp"
#include "db/savepoint.hpp"
#include "db/sql_state.hpp"
#include "db/ticket_store.hpp"
#include "db/transaction_thread_lookup.hpp"

namespace hd::db {
namespace {

// Deleting the row also locks it: a second retry of the same entry waits for this one, then
// finds nothing to delete. The entry's aliases (migration 0010) follow the stored message at
// commit (the deferred trigger of migration 0011).
constexpr PreparedStatement kTakeQuarantined{
    "hd_take_quarantined", "DELETE FROM quarantine WHERE id = $1 AND source_key = $2 RETURNING id"};

}  // namespace

RetryResult TicketStore::commitRetry(std::int64_t quarantine_id, const IncomingMessage& in,
                                     const BatchDecideFn& decide) {
  if (in.parsed == nullptr) throw std::invalid_argument("commitRetry: parsed message missing");
  const std::string sha256 = in.raw_sha256.empty() ? spill::sha256Hex(in.raw) : in.raw_sha256;
  RetryResult result;
  connection_.run("retry quarantined message", [&](pqxx::connection_base& c) {
    result = RetryResult{};
    pqxx::work tx(c);
    if (execPrepared(tx, kTakeQuarantined, quarantine_id, in.source_key).empty()) {
      result.kind = RetryResult::Kind::kGone;
      return;
    }
    // Looked up after the delete: the entry's own row no longer accounts for the key.
    BatchKnowledge known(tx, {&in, 1}, {sha256});
    TransactionThreadLookup lookup(tx);  // one message: each question is asked when decide() asks
    PendingMessages rows(tx, options_.ticket_prefix, [](const MessageRow&) {});
    tx.exec0(kSavepoint);
    try {
      writeMessage(
          tx, in, sha256, known, lookup,
          [&](ingest::ThreadLookup& asked) { return decide(0, asked); }, rows, result.commit);
      rows.flush();
      tx.exec0(kReleaseSavepoint);
    } catch (const pqxx::unique_violation& e) {
      tx.exec0(kRollbackToSavepoint);
      if (!isAccounted(tx, in.source_key)) {
        // Another unique constraint: the database refuses this message. Deleting the entry now
        // would leave the mail stored nowhere.
        result.kind = RetryResult::Kind::kRefused;
        result.error = e.what();
        result.sqlstate = e.sqlstate();
        return;  // rolled back: the entry stays as it was
      }
      // Stored under the same key by a concurrent commit: the entry is obsolete.
      result.commit = CommitResult{};
      result.commit.status = CommitStatus::kAlreadyIngested;
    } catch (const pqxx::sql_error& e) {
      if (classifySqlState(e.sqlstate()) != SqlStateClass::kDataRefused || !c.is_open()) throw;
      result.kind = RetryResult::Kind::kRefused;
      result.error = e.what();
      result.sqlstate = e.sqlstate();
      return;  // rolled back: the entry stays as it was
    }
    tx.commit();
  });
  return result;
}

}  // namespace hd::db
