#include "service/ingest/decide.hpp"

#include "service/ingest/address.hpp"
#include "service/ingest/mail_kind.hpp"
#include "service/ingest/subject.hpp"
#include "service/ingest/threading.hpp"

namespace hd::ingest {
namespace {

std::string joined(const std::string& first, const std::string& second) {
  if (first.empty()) return second;
  if (second.empty()) return first;
  return first + "; " + second;
}

}  // namespace

Outcome decide(const mime::Message& message, ThreadLookup& lookup, const Policy& policy) {
  using Kind = Outcome::Kind;
  Outcome outcome;
  outcome.ticket_subject = ticketSubject(message.subject);

  const MailKind kind = classifyMail(message, policy);
  outcome.classification = kind.classification;
  const ThreadResult thread = kind.classification == Classification::kBounce
                                  ? findBouncedThread(message, lookup)
                                  : findThread(message, lookup, policy);
  if (thread.ticket_id) {
    outcome.kind = Kind::kFollowUp;
    outcome.ticket_id = *thread.ticket_id;
    outcome.reason = joined(thread.reason, kind.reason);
    return outcome;
  }
  if (kind.classification != Classification::kCustomer) {
    // RFC 3834 section 2: automatic mail must not start a conversation, or two responders
    // answer each other forever.
    outcome.kind = Kind::kRecorded;
    outcome.reason = joined(kind.reason + ": no ticket opened", thread.reason);
    return outcome;
  }

  const std::uint32_t limit = policy.new_tickets_per_sender_per_hour;
  if (limit > 0) {
    const std::string sender = senderAddress(message);
    const std::int64_t recent = lookup.newTicketsInLastHour(sender);
    if (recent >= static_cast<std::int64_t>(limit)) {
      outcome.kind = Kind::kRecorded;
      outcome.classification = Classification::kRateLimited;
      outcome.reason = (sender.empty() ? std::string("mail without sender") : sender) + " opened " +
                       std::to_string(recent) + " tickets in the last hour (limit " +
                       std::to_string(limit) + ")";
      return outcome;
    }
  }
  outcome.kind = Kind::kNewTicket;
  outcome.reason = thread.reason.empty() ? "new conversation" : thread.reason + ": new ticket";
  return outcome;
}

}  // namespace hd::ingest
