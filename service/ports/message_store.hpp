#pragma once
// Where the ingestion loop keeps messages: the store seam of MailboxPass and of the quarantine
// retry. Implemented by db::TicketStore on PostgreSQL; unit tests use an in-memory fake.
//
// Errors: a broken store (connection lost, outage, timeout) throws (db::DatabaseError and its
// RetryableError for PostgreSQL): the pass ends with nothing of the batch acknowledged. A message
// whose data the store refuses never throws out of commitBatch (see OnRefused).

#include <span>
#include <string>
#include <vector>

#include "service/ports/batch_commit.hpp"

namespace hd::service {

class MessageStore {
 public:
  virtual ~MessageStore() = default;

  // The subset of `source_keys` that already has a row (stored, quarantined or an alias).
  virtual std::vector<std::string> accountedKeys(const std::vector<std::string>& source_keys) = 0;

  // The subset of `source_keys` quarantined as left on the server (too large to fetch): accounted
  // for, but never to be acknowledged.
  virtual std::vector<std::string> keysLeftOnServer(
      const std::vector<std::string>& source_keys) = 0;

  // Keys of `mailbox` left on the server whose fetch a retry requested (the limit was raised).
  virtual std::vector<std::string> fetchRequested(const std::string& mailbox) = 0;

  // Group commit: every message of `batch`, in order, in ONE durable transaction; decide() runs
  // per message inside it, so a later message sees the earlier ones. A refused message costs only
  // itself; one result per message, in order. A replayed source_key is kAlreadyIngested.
  virtual std::vector<BatchEntryResult> commitBatch(std::span<const IncomingMessage> batch,
                                                    const BatchDecideFn& decide,
                                                    OnRefused on_refused) = 0;

  // Records a message that cannot be stored, with its raw bytes (may be empty) and the reason.
  // Idempotent on source_key.
  virtual void quarantine(const std::string& source_key, const std::string& mailbox,
                          const spill::Bytes& raw, const std::string& error) = 0;
};

}  // namespace hd::service
