#include "service/ingest/threading.hpp"

#include <algorithm>

#include "service/ingest/address.hpp"
#include "service/ingest/bounce.hpp"
#include "service/ingest/subject_reference.hpp"

namespace hd::ingest {
namespace {

std::string matchedMessage(const TicketMatch& match) {
  return "message " + std::to_string(match.message_id);
}

bool tookPart(const TicketPeople& ticket, const std::string& sender) {
  if (sender.empty()) return false;
  if (normalizedAddress(ticket.requester_address) == sender) return true;
  return std::any_of(ticket.participants.begin(), ticket.participants.end(),
                     [&](const std::string& p) { return normalizedAddress(p) == sender; });
}

}  // namespace

std::vector<std::string> replyIds(const mime::Message& message) {
  // References lists the thread oldest first, so the newest entry is the most specific one to
  // try after In-Reply-To.
  std::vector<std::string> ids;
  if (!message.in_reply_to.empty()) ids.push_back(message.in_reply_to);
  for (auto it = message.references.rbegin();
       it != message.references.rend() && ids.size() < kMaxThreadingIds; ++it) {
    if (!it->empty() && *it != message.in_reply_to) ids.push_back(*it);
  }
  return ids;
}

ThreadResult findThread(const mime::Message& message, ThreadLookup& lookup, const Policy& policy) {
  ThreadResult result;
  const std::vector<std::string> ids = replyIds(message);  // one lookup for all of them
  if (!ids.empty()) {
    if (auto match = lookup.findByMessageIds(ids)) {
      return {match->ticket_id, "reply to stored " + matchedMessage(*match)};
    }
    result.reason = "replies to no stored message";
  }

  const std::string sender = senderAddress(message);
  for (const auto& reference : subjectReferences(message.subject, policy.reference_prefix)) {
    const auto ticket = lookup.findByReference(reference);
    if (!ticket) {
      result.reason = "[" + reference + "] in the subject names no ticket";
      continue;
    }
    if (tookPart(*ticket, sender)) {
      const bool requester = normalizedAddress(ticket->requester_address) == sender;
      return {ticket->ticket_id, "[" + reference + "] in the subject, sent by " +
                                     (requester ? "its requester" : "a participant")};
    }
    result.reason = "[" + reference + "] in the subject, but " +
                    (sender.empty() ? std::string("the sender is unknown")
                                    : sender + " has not taken part in it");
  }
  return result;
}

ThreadResult findBouncedThread(const mime::Message& message, ThreadLookup& lookup) {
  const auto ids = bouncedMessageIds(message);
  if (ids.empty()) return {std::nullopt, "no returned Message-ID found"};
  if (auto match = lookup.findByMessageIds(ids)) {
    return {match->ticket_id, "returns " + matchedMessage(*match)};
  }
  return {std::nullopt, "returns no stored message"};
}

}  // namespace hd::ingest
