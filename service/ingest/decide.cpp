#include "service/ingest/decide.hpp"

#include "service/ingest/subject.hpp"

namespace hd::ingest {

Outcome decide(const mime::Message& message, ThreadLookup& lookup, const Policy& /*policy*/) {
  Outcome outcome;
  outcome.ticket_subject = ticketSubject(message.subject);

  // In-Reply-To is the direct parent; References lists the thread oldest first, so the newest
  // reference is the most specific one to try after it (RFC 5322 section 3.6.4).
  std::vector<std::string> ids;
  if (!message.in_reply_to.empty()) ids.push_back(message.in_reply_to);
  for (auto it = message.references.rbegin(); it != message.references.rend(); ++it) {
    if (!it->empty() && *it != message.in_reply_to) ids.push_back(*it);
  }
  if (!ids.empty()) {
    if (auto match = lookup.findByMessageIds(ids)) {
      outcome.kind = Outcome::Kind::kFollowUp;
      outcome.ticket_id = match->ticket_id;
      outcome.reason = "reply to stored message " + std::to_string(match->message_id);
      return outcome;
    }
  }
  outcome.kind = Outcome::Kind::kNewTicket;
  outcome.reason = ids.empty() ? "new conversation" : "replies to no stored message";
  return outcome;
}

}  // namespace hd::ingest
