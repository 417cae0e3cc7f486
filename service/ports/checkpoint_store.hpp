#pragma once
// Where an IMAP folder's sync stands between passes (DESIGN "the loop": every UID up to
// last_uid is stored and acknowledged). Implemented by db::TicketStore; fakes in unit tests.
// Errors as MessageStore's.

#include <optional>
#include <string>

#include "connectors/source/mail_source.hpp"  // Checkpoint: plain data, no protocol code

namespace hd::service {

class CheckpointStore {
 public:
  virtual ~CheckpointStore() = default;
  virtual std::optional<source::Checkpoint> loadCheckpoint(const std::string& mailbox) = 0;
  virtual void saveCheckpoint(const std::string& mailbox, const source::Checkpoint& checkpoint) = 0;
};

}  // namespace hd::service
