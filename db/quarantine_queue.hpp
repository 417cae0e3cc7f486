#pragma once
// The quarantine as the HTTP API sees it: listing, and the reads and writes around a retry.
//
// A retry (POST /api/v1/quarantine/{id}/retry) reads an entry (find), re-parses its raw bytes and
// stores them with TicketStore::commitRetry, which deletes the entry in the same transaction.
// When the retry fails again, recordRetryFailure() counts the attempt and keeps the new error.
//
// Errors: DatabaseError / StatementError (db/errors.hpp). Not thread-safe (one connection).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "connectors/spill/bytes.hpp"
#include "db/read_connection.hpp"

namespace hd::db {

struct QuarantinedMessage {
  std::int64_t id = 0;
  std::string source_key;
  std::string mailbox;
  std::optional<spill::Bytes> raw;  // empty when nothing was stored (e.g. left on the server)
};

// A quarantine entry for a message too large to fetch, left on the server (migration 0008).
struct LeftOnServerEntry {
  std::string source_key;
  std::string mailbox;
  std::uint64_t size = 0;
};

class QuarantineQueue {
 public:
  explicit QuarantineQueue(ReadConnection& connection) : connection_(connection) {}

  // Entries ordered by id, after `after_id`, optionally of one mailbox; never the raw bytes.
  nlohmann::json list(const std::string& mailbox, std::int64_t after_id, std::int64_t limit);

  // The entry when it is a message left on the server (no raw bytes to retry from); empty for
  // other entries and unknown ids.
  std::optional<LeftOnServerEntry> leftOnServer(std::int64_t id);

  // Asks the mailbox's next pass to fetch and store a message left on the server (after the
  // limit was raised), and counts the attempt.
  void requestFetch(std::int64_t id);

  // The entry with its raw bytes; empty optional for an unknown id. Chunked raw bytes (a big
  // message) are read chunk by chunk into a spill::BytesBuilder under `spill`.
  std::optional<QuarantinedMessage> find(std::int64_t id, const spill::SpillPolicy& spill);

  // A retry of the entry failed: one more attempt, last_seen now, `error` kept. No-op when the
  // entry is gone.
  void recordRetryFailure(std::int64_t id, const std::string& error);

 private:
  ReadConnection& connection_;
};

}  // namespace hd::db
