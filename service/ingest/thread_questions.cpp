#include "service/ingest/thread_questions.hpp"

#include "service/ingest/address.hpp"
#include "service/ingest/bounce.hpp"
#include "service/ingest/mail_kind.hpp"
#include "service/ingest/subject_reference.hpp"
#include "service/ingest/threading.hpp"

namespace hd::ingest {

// Mirrors decide(): a bounce is threaded by the returned Message-IDs only; other mail by its
// reply ids, then the subject's references; only customer mail may open a ticket and so be
// counted against the rate limit.
ThreadQuestions threadQuestions(const mime::Message& message, const Policy& policy) {
  ThreadQuestions questions;
  const MailKind kind = classifyMail(message, policy);
  if (kind.classification == Classification::kBounce) {
    questions.message_ids = bouncedMessageIds(message);
    return questions;
  }
  questions.message_ids = replyIds(message);
  questions.references = subjectReferences(message.subject, policy.reference_prefix);
  if (kind.classification == Classification::kCustomer &&
      policy.new_tickets_per_sender_per_hour > 0) {
    questions.senders.push_back(senderAddress(message));
  }
  return questions;
}

}  // namespace hd::ingest
