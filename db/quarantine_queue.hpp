#pragma once
// The quarantine as the HTTP API sees it: listing, and the two steps around a retry.
//
// A retry (POST /api/v1/quarantine/{id}/retry) re-parses the stored raw bytes and commits them
// through TicketStore::commitMessage under the ORIGINAL source_key. commitMessage treats a key in
// quarantine as accounted for, so claimForRetry() first renames the row's key to
// "retry:<source_key>"; the trigger of migration 0003 deletes the renamed row inside the commit
// transaction that stores the message. When the retry fails again, restore() puts the original key
// back with the new error. A crash in between leaves the renamed row (raw bytes intact), listed
// with "retrying": true; claiming it again works.
//
// Errors: DatabaseError / StatementError (db/errors.hpp). Not thread-safe (one connection).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "db/read_connection.hpp"

namespace hd::db {

struct QuarantineClaim {
  std::int64_t id = 0;
  std::string source_key;  // original key, without the "retry:" prefix
  std::string mailbox;
  std::optional<std::string> raw;  // empty when nothing was stored (e.g. too large to keep)
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

  // Renames the key (see above) and counts the attempt. Empty optional for an unknown id.
  std::optional<QuarantineClaim> claimForRetry(std::int64_t id);

  // The retry failed: original key and the new error back (unless the message was stored
  // meanwhile, or the worker quarantined the key again: then the renamed row is dropped).
  void restore(const QuarantineClaim& claim, const std::string& error);

 private:
  ReadConnection& connection_;
};

}  // namespace hd::db
