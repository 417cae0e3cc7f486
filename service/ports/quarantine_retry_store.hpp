#pragma once
// The store seam of POST /api/v1/quarantine/{id}/retry: a quarantined message stored again in
// ONE transaction that also deletes its quarantine entry, so its source key is accounted for at
// every moment (by the entry until the commit, by the message from then on) and never by both.
// Implemented by db::TicketStore. Errors: as MessageStore (an outage throws).

#include <cstdint>
#include <string>

#include "service/ports/batch_commit.hpp"

namespace hd::service {

struct RetryResult {
  enum class Kind {
    kStored,   // `commit` says how; kAlreadyIngested: the key was stored meanwhile (entry removed)
    kGone,     // the entry no longer exists (retried meanwhile): nothing written
    kRefused,  // the store refused the message: nothing written, the entry stays
  };
  Kind kind = Kind::kStored;
  CommitResult commit;
  std::string error;     // kRefused: the store's message
  std::string sqlstate;  // kRefused by a SQL store: its SQLSTATE
};

class QuarantineRetryStore {
 public:
  virtual ~QuarantineRetryStore() = default;

  // `message.source_key` must be the entry's key; decide() runs inside the transaction (index 0).
  virtual RetryResult commitRetry(std::int64_t quarantine_id, const IncomingMessage& message,
                                  const BatchDecideFn& decide) = 0;
};

}  // namespace hd::service
