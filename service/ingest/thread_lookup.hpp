#pragma once
// The questions decide() may ask about earlier mail. Implemented by the database layer inside the
// ingest transaction, so the answer and the insert see the same state.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hd::ingest {

struct TicketMatch {
  std::int64_t ticket_id = 0;
  std::int64_t message_id = 0;  // the stored message that matched
};

class ThreadLookup {
 public:
  virtual ~ThreadLookup() = default;
  // The ticket of the first of `message_ids` (Internet Message-IDs, no brackets) already stored.
  virtual std::optional<TicketMatch> findByMessageIds(const std::vector<std::string>& message_ids) = 0;
};

}  // namespace hd::ingest
