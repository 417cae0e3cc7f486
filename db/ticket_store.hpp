#pragma once
// TicketStore: everything the ingestion loop and the HTTP status need from PostgreSQL.
// Knows nothing of IMAP or POP3: it stores what it is given under an opaque `source_key`.
//
// One TicketStore owns one connection and is NOT thread-safe: each worker and each HTTP request
// handler thread uses its own. A lost connection throws hd::db::DatabaseError; the next call
// reconnects.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connectors/mime/message.hpp"
#include "connectors/source/mail_source.hpp"  // Checkpoint: plain data, no protocol code
#include "service/ingest/outcome.hpp"
#include "service/ingest/thread_lookup.hpp"

namespace pqxx {
class connection;
}

namespace hd::db {

class DatabaseError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct StoreOptions {
  std::string ticket_prefix = "HD-";  // public reference = prefix + id
};

// One message ready to be committed.
struct IncomingMessage {
  std::string source_key;
  std::string mailbox;
  std::string raw;         // exact bytes from the server
  std::string raw_sha256;  // lowercase hex of `raw`
  const mime::Message* parsed = nullptr;
  std::vector<mime::Warning> warnings;
};

enum class CommitStatus {
  kInserted,          // new rows written
  kAlreadyIngested,   // source_key already has a row (a replay after a crash): nothing written
  kDuplicateContent,  // same Message-ID + SHA-256 already stored in this mailbox under another key
                      // (e.g. after a UIDVALIDITY change): the key is recorded as an alias
};

struct CommitResult {
  CommitStatus status = CommitStatus::kInserted;
  std::int64_t message_id = 0;
  std::int64_t ticket_id = 0;  // 0 when recorded without a ticket
  bool ticket_created = false;
  std::string ticket_reference;
  ingest::Outcome outcome;
};

struct MailboxCounts {
  std::int64_t ingested = 0;     // rows in messages for this mailbox (every classification)
  std::int64_t quarantined = 0;  // rows in quarantine for this mailbox
};

using DecideFn = std::function<ingest::Outcome(ingest::ThreadLookup&)>;

class TicketStore {
 public:
  TicketStore(std::string url, StoreOptions options = {});
  ~TicketStore();
  TicketStore(const TicketStore&) = delete;
  TicketStore& operator=(const TicketStore&) = delete;

  // Creates or upgrades the schema: numbered migrations from db/migrations, each in a
  // transaction, under a PostgreSQL advisory lock, recorded in schema_migrations. Idempotent.
  void migrate();

  // The subset of `source_keys` that already has a row (messages, quarantine or alias).
  std::vector<std::string> accountedKeys(const std::vector<std::string>& source_keys);

  // Writes the message, its raw bytes, its attachments and the ticket (new or existing) in ONE
  // transaction. `decide` runs inside that transaction, with a ThreadLookup reading the same
  // snapshot. A replay of a stored source_key writes nothing (kAlreadyIngested).
  CommitResult commitMessage(const IncomingMessage& message, const DecideFn& decide);

  // Records a message that could not be parsed or stored, with its raw bytes and the reason.
  // Idempotent on source_key (a second call bumps attempts and last_seen).
  void quarantine(const std::string& source_key, const std::string& mailbox, const std::string& raw,
                  const std::string& error);

  std::optional<source::Checkpoint> loadCheckpoint(const std::string& mailbox);
  void saveCheckpoint(const std::string& mailbox, const source::Checkpoint& checkpoint);

  MailboxCounts counts(const std::string& mailbox);

  // Cheap liveness probe (SELECT 1); throws DatabaseError when unreachable.
  void ping();

 private:
  pqxx::connection& connection();

  std::string url_;
  StoreOptions options_;
  std::unique_ptr<pqxx::connection> connection_;
};

}  // namespace hd::db
