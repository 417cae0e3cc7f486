#pragma once
// TicketStore: everything the ingestion loop and the HTTP status need from PostgreSQL.
// Knows nothing of IMAP or POP3: it stores what it is given under an opaque `source_key`.
//
// One TicketStore owns one connection and is NOT thread-safe: each worker and each HTTP request
// handler thread uses its own. The connection is opened on first use. Errors (db/errors.hpp):
// - DatabaseError: unreachable, connection lost, or outcome unknown. The store drops the
//   connection; the next call reconnects. End the pass and back off.
// - StatementError (a DatabaseError): PostgreSQL refused this input although the connection is
//   fine; retrying the same input fails again (quarantine the message instead).
// Text fields are stored as valid UTF-8 (invalid sequences become U+FFFD, NUL bytes are dropped),
// since PostgreSQL refuses both; raw bytes and attachment contents are stored exactly.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "connectors/mime/message.hpp"
#include "db/errors.hpp"
#include "db/lazy_connection.hpp"
#include "service/ingest/outcome.hpp"
#include "service/ingest/thread_lookup.hpp"
#include "service/ports/checkpoint_store.hpp"
#include "service/ports/message_store.hpp"
#include "service/ports/quarantine_retry_store.hpp"

namespace pqxx {
class connection_base;
}

namespace hd::db {

struct StoreOptions {
  std::string ticket_prefix = "HD-";  // public reference = prefix + id
};

// The value types of a group commit belong to the seam the service owns (service/ports).
using service::BatchDecideFn;
using service::BatchEntryResult;
using service::CommitResult;
using service::CommitStatus;
using service::IncomingMessage;
using service::OnRefused;
using service::RetryResult;

struct MailboxCounts {
  std::int64_t ingested = 0;     // rows in messages for this mailbox (every classification)
  std::int64_t quarantined = 0;  // rows in quarantine for this mailbox
};

using DecideFn = std::function<ingest::Outcome(ingest::ThreadLookup&)>;

class TicketStore : public service::MessageStore,
                    public service::CheckpointStore,
                    public service::QuarantineRetryStore {
 public:
  // `url`: a libpq connection string or postgresql:// URI.
  TicketStore(std::string url, StoreOptions options = {});
  ~TicketStore();
  TicketStore(const TicketStore&) = delete;
  TicketStore& operator=(const TicketStore&) = delete;

  // Creates or upgrades the schema: numbered migrations from db/migrations, each in a
  // transaction, under a PostgreSQL advisory lock, recorded in schema_migrations. Idempotent and
  // safe to run from several processes at once. Returns how many migrations it applied.
  int migrate();

  // True when every embedded migration is applied (for a readiness probe).
  bool schemaUpToDate();

  // The subset of `source_keys` that already has a row (messages, quarantine or alias), in no
  // particular order. One query.
  std::vector<std::string> accountedKeys(const std::vector<std::string>& source_keys) override;

  // One query each (see service::MessageStore).
  std::vector<std::string> keysLeftOnServer(const std::vector<std::string>& source_keys) override;
  std::vector<std::string> fetchRequested(const std::string& mailbox) override;

  // Writes the message, its raw bytes, its attachments, the ticket (new or existing) and the feed
  // events in ONE transaction. `decide` runs inside that transaction, with a ThreadLookup reading
  // the same database state; it is not called for kAlreadyIngested / kDuplicateContent. A replay of
  // a stored source_key writes nothing (kAlreadyIngested), also when a concurrent commit of the
  // same key wins the race. Exceptions thrown by `decide` roll back and propagate unchanged.
  // StatementError when the database refuses the message (nothing is written then).
  CommitResult commitMessage(const IncomingMessage& message, const DecideFn& decide);

  // Group commit: every message of `batch`, in order, in ONE transaction, so that decide() of a
  // later message sees the rows of the earlier ones (a follow-up finds its parent, the rate limit
  // counts earlier mail). The rows of messages that do not depend on each other are written ten
  // to a statement (db/pending_messages.hpp). A message the database refuses is rolled back alone
  // (the batch is written again with a savepoint and a statement per message) and quarantined
  // alone, or only reported (OnRefused); its batch-mates are committed. A lost connection or outage
  // throws DatabaseError: nothing of the batch is committed (or, with the COMMIT's answer lost, all
  // of it: a replay is harmless). Exceptions thrown by `decide` roll the whole batch back and
  // propagate unchanged.
  std::vector<BatchEntryResult> commitBatch(std::span<const IncomingMessage> batch,
                                            const BatchDecideFn& decide,
                                            OnRefused on_refused = OnRefused::kQuarantine) override;

  // The quarantine retry (service/ports/quarantine_retry_store.hpp): deletes entry
  // `quarantine_id` (it must still hold message.source_key; the delete locks it, so a second retry
  // of the entry waits, then finds it gone) and stores the message, in one transaction.
  RetryResult commitRetry(std::int64_t quarantine_id, const IncomingMessage& message,
                          const BatchDecideFn& decide) override;

  // Records a message that could not be parsed or stored, with its raw bytes and the reason.
  // Idempotent on source_key (a second call bumps attempts and last_seen, keeps the newest error).
  void quarantine(const std::string& source_key, const std::string& mailbox,
                  const spill::Bytes& raw, const std::string& error) override;

  std::optional<source::Checkpoint> loadCheckpoint(const std::string& mailbox) override;
  void saveCheckpoint(const std::string& mailbox, const source::Checkpoint& checkpoint) override;

  MailboxCounts counts(const std::string& mailbox);
  // Counts of several mailboxes in one query (for the HTTP status); every requested name is
  // present in the result.
  std::map<std::string, MailboxCounts> countsByMailbox(const std::vector<std::string>& mailboxes);

  // Cheap liveness probe (SELECT 1); throws DatabaseError when unreachable.
  void ping();

 private:
  // One attempt of commitBatch; false (all rolled back) when a message was refused while
  // `isolate` (a savepoint per message) was off.
  bool commitOnce(pqxx::connection_base& c, std::span<const IncomingMessage> batch,
                  const std::vector<std::string>& hashes, const BatchDecideFn& decide,
                  OnRefused on_refused, bool isolate, std::vector<BatchEntryResult>& results);
  StoreOptions options_;
  // Translates libpqxx errors (see the header comment); other exceptions pass through unchanged.
  LazyConnection connection_;
};

}  // namespace hd::db
