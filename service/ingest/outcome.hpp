#pragma once
// What a mail becomes. Decided by hd::ingest::decide(), stored by hd::db::TicketStore.

#include <cstdint>
#include <string>

namespace hd::ingest {

enum class Classification {
  kCustomer,     // an ordinary message from a person
  kAutoReply,    // RFC 3834 auto-submitted / out-of-office
  kBounce,       // delivery status notification
  kRateLimited,  // sender over the new-ticket rate limit
  kOwnMail,      // sent by one of our own mailbox addresses
  kBulk,         // list or bulk mail
};

std::string toString(Classification c);

struct Outcome {
  enum class Kind { kNewTicket, kFollowUp, kRecorded };
  Kind kind = Kind::kNewTicket;
  std::int64_t ticket_id = 0;  // for kFollowUp
  Classification classification = Classification::kCustomer;
  std::string
      reason;  // short, human readable: why this decision ("In-Reply-To matches message 42")
  std::string ticket_subject;  // for kNewTicket: subject without Re:/Fwd: prefixes
};

}  // namespace hd::ingest
