// TicketStore::commitBatch (group commit) and commitMessage (a batch of one). One transaction
// (READ COMMITTED) per batch, the messages' rows written a group per statement; after a refusal,
// the batch again with a savepoint and a statement per message: a refused message costs only
// itself.

#include <Poco/Logger.h>

#include <optional>
#include <pqxx/pqxx>

#include "db/accounted_keys.hpp"
#include "db/batch_knowledge.hpp"
#include "db/batch_thread_lookup.hpp"
#include "db/message_writer.hpp"
#include "db/pending_messages.hpp"
#include "db/savepoint.hpp"
#include "db/sql_state.hpp"
#include "db/ticket_store.hpp"

namespace hd::db {
namespace {

Poco::Logger& logger() {
  return Poco::Logger::get("hd.db");
}

struct Refusal {
  std::string error, sqlstate;
};

void logResult(const IncomingMessage& in, const BatchEntryResult& entry) {
  if (!logger().debug()) return;
  const CommitResult& result = entry.commit;
  if (entry.kind != BatchEntryResult::Kind::kCommitted) {
    logger().debug("%s not stored: %s", in.source_key, entry.error);
    return;
  }
  switch (result.status) {
    case CommitStatus::kAlreadyIngested:
      logger().debug("%s already stored", in.source_key);
      break;
    case CommitStatus::kDuplicateContent:
      logger().debug(
          "%s duplicates %s %s: recorded as alias", in.source_key,
          std::string(result.quarantine_id != 0 ? "quarantine entry" : "message"),
          std::to_string(result.quarantine_id != 0 ? result.quarantine_id : result.message_id));
      break;
    case CommitStatus::kInserted:
      logger().debug("%s stored as message %s (%s, ticket %s)", in.source_key,
                     std::to_string(result.message_id),
                     ingest::toString(result.outcome.classification),
                     result.ticket_id == 0 ? std::string("none") : result.ticket_reference);
      break;
  }
}

}  // namespace

std::vector<BatchEntryResult> TicketStore::commitBatch(std::span<const IncomingMessage> batch,
                                                       const BatchDecideFn& decide,
                                                       OnRefused on_refused) {
  // Hashed before the transaction opens: large messages take a noticeable time. Mail left on the
  // server has only its header block here: no hash, never compared.
  std::vector<std::string> hashes;
  hashes.reserve(batch.size());
  for (const auto& in : batch) {
    hashes.push_back(in.left_on_server || !in.raw_sha256.empty() ? in.raw_sha256
                                                                 : spill::sha256Hex(in.raw));
  }
  std::vector<BatchEntryResult> results;
  connection_.run("commit batch", [&](pqxx::connection_base& c) {
    // First without savepoints (two round trips per message fewer); after a refusal, the whole
    // batch again with a savepoint per message, so that only the refused one is left out.
    for (bool isolate = false;; isolate = true) {
      if (commitOnce(c, batch, hashes, decide, on_refused, isolate, results)) return;
    }
  });
  for (std::size_t i = 0; i < batch.size(); ++i) logResult(batch[i], results[i]);
  return results;
}

bool TicketStore::commitOnce(pqxx::connection_base& c, std::span<const IncomingMessage> batch,
                             const std::vector<std::string>& hashes, const BatchDecideFn& decide,
                             OnRefused on_refused, bool isolate,
                             std::vector<BatchEntryResult>& results) {
  results.assign(batch.size(), {});
  pqxx::work tx(c);
  // Released messages left on the server: their quarantine row goes first, so that what the
  // batch knows below no longer counts them as accounted for.
  for (const IncomingMessage& in : batch) {
    if (in.replaces_left_on_server) forgetLeftOnServer(tx, in.source_key);
  }
  BatchKnowledge known(tx, batch, hashes);
  BatchThreadLookup lookup(tx, batch);
  // What a later message of the batch must see of an earlier one, once its rows are written.
  const auto remember = [&](const IncomingMessage& in, const std::string& sha256,
                            const CommitResult& stored) {
    known.remember(
        in, sha256,
        {stored.message_id, stored.ticket_id, stored.ticket_reference, stored.quarantine_id});
    lookup.remember(in, stored);
  };
  PendingMessages rows(tx, options_.ticket_prefix,
                       [&](const MessageRow& row) { remember(*row.in, *row.sha256, *row.result); });
  const auto write = [&](std::size_t i) {
    writeMessage(
        tx, batch[i], hashes[i], known, lookup,
        [&](ingest::ThreadLookup& asked) { return decide(i, asked); }, rows, results[i].commit);
    if (results[i].commit.status == CommitStatus::kDuplicateContent) {
      remember(batch[i], hashes[i], results[i].commit);
    }
  };

  if (!isolate) {
    // The messages' rows go in groups (db/pending_messages.hpp); any refusal ends the attempt.
    try {
      for (std::size_t i = 0; i < batch.size(); ++i) {
        if (batch[i].parsed == nullptr) {
          rows.flush();
          results[i] =
              writeQuarantineOrAlias(tx, batch[i], hashes[i], batch[i].quarantine_reason, known);
        } else {
          write(i);
        }
      }
      rows.flush();
    } catch (const pqxx::unique_violation&) {
      return false;  // tx rolls back; try again isolated
    } catch (const pqxx::sql_error& e) {
      // Only data the database refuses is a message's fault; an outage, a timeout or a conflict
      // ends the whole batch (the store's LazyConnection translates it).
      if (classifySqlState(e.sqlstate()) != SqlStateClass::kDataRefused || !c.is_open()) throw;
      return false;
    }
    tx.commit();
    return true;
  }

  for (std::size_t i = 0; i < batch.size(); ++i) {
    const IncomingMessage& in = batch[i];
    BatchEntryResult& entry = results[i];
    if (in.parsed == nullptr) {
      entry = writeQuarantineOrAlias(tx, in, hashes[i], in.quarantine_reason, known);
      continue;
    }
    std::optional<Refusal> refused;
    bool lost_race = false;
    tx.exec0(kSavepoint);
    try {
      write(i);
      rows.flush();
      tx.exec0(kReleaseSavepoint);
    } catch (const pqxx::unique_violation&) {
      lost_race = true;
    } catch (const pqxx::sql_error& e) {
      if (classifySqlState(e.sqlstate()) != SqlStateClass::kDataRefused || !c.is_open()) throw;
      refused = Refusal{e.what(), e.sqlstate()};
    }
    if (lost_race || refused) tx.exec0(kRollbackToSavepoint);
    if (lost_race) {
      // Most likely a concurrent commit of the same key; anything else is a real refusal.
      if (isAccounted(tx, in.source_key)) {
        entry.commit = CommitResult{};
        entry.commit.status = CommitStatus::kAlreadyIngested;
      } else {
        refused = Refusal{"unique violation for " + in.source_key, "23505"};
      }
    }
    if (refused) {
      entry.commit = CommitResult{};
      entry.sqlstate = refused->sqlstate;
      if (on_refused == OnRefused::kQuarantine) {
        entry = writeQuarantineOrAlias(tx, in, hashes[i], "cannot store: " + refused->error, known);
        entry.sqlstate = refused->sqlstate;
      } else {
        entry.kind = BatchEntryResult::Kind::kRefused;
        entry.error = refused->error;
      }
    }
  }
  tx.commit();
  return true;
}

CommitResult TicketStore::commitMessage(const IncomingMessage& in, const DecideFn& decide) {
  if (in.parsed == nullptr) throw std::invalid_argument("commitMessage: parsed message missing");
  const auto results = commitBatch(
      {&in, 1}, [&](std::size_t, ingest::ThreadLookup& l) { return decide(l); },
      OnRefused::kReport);
  const BatchEntryResult& entry = results.front();
  if (entry.kind == BatchEntryResult::Kind::kRefused) {
    throw StatementError("commit message: " + entry.error, entry.sqlstate);
  }
  return entry.commit;
}

}  // namespace hd::db
