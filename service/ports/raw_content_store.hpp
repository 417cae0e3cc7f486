#pragma once
// Where a batch's raw bytes can be written ahead of its group commit (issue 10): PostgreSQL's
// per-byte work of storing them (TOAST, WAL) then runs on a connection of its own, beside the
// commit of the batch before, instead of inside the batch's transaction. The commit then names
// the bytes (IncomingMessage::raw_written_ahead) instead of writing them. Implemented by
// db::RawContents; a pass without one writes every message's bytes in its commit.
//
// Bytes written ahead whose commit never comes (a crash, an outage, a message quarantined) are
// found again by the retry, never stored twice, and deleted by the store once nothing names them
// for long enough. Errors: as MessageStore's (a broken store throws; the pass ends).

#include <span>
#include <vector>

#include "service/ports/batch_commit.hpp"

namespace hd::service {

class RawContentStore {
 public:
  virtual ~RawContentStore() = default;

  // Stores the raw bytes of those of `messages` that can go ahead (parsed, held in memory, with
  // their raw_sha256), durably before any later commit; answers, per message, whether its bytes
  // are now stored under its raw_sha256. Safe to call from any thread (calls are serialized).
  virtual std::vector<bool> writeAhead(std::span<const IncomingMessage> messages) = 0;
};

}  // namespace hd::service
