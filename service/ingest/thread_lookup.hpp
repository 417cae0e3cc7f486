#pragma once
// The questions decide() may ask about earlier mail. Implemented by the database layer inside the
// ingest transaction, so the answer and the insert see the same state. Errors are the
// implementation's (db/errors.hpp for the PostgreSQL one); decide() lets them propagate.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hd::ingest {

struct TicketMatch {
  std::int64_t ticket_id = 0;
  std::int64_t message_id = 0;  // the stored message that matched
};

// A ticket found by its public reference, with the people who may follow up on it by subject.
struct TicketPeople {
  std::int64_t ticket_id = 0;
  std::string reference;                  // e.g. "HD-42"
  std::string requester_address;          // as stored on the ticket
  std::vector<std::string> participants;  // From, To and Cc addresses of the ticket's messages
};

class ThreadLookup {
 public:
  virtual ~ThreadLookup() = default;
  // The ticket of the first of `message_ids` (Internet Message-IDs, no brackets) already stored.
  virtual std::optional<TicketMatch> findByMessageIds(
      const std::vector<std::string>& message_ids) = 0;
  // The ticket whose public reference is exactly `reference` ("HD-42"), if any.
  virtual std::optional<TicketPeople> findByReference(const std::string& reference) = 0;
  // How many tickets `address` (compared case-insensitively) opened in the last hour.
  virtual std::int64_t newTicketsInLastHour(const std::string& address) = 0;
};

}  // namespace hd::ingest
