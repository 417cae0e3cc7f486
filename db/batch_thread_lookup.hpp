#pragma once
// The ingest::ThreadLookup of a group commit. It answers the batch's questions (each message's
// IncomingMessage::thread_questions) with one statement per kind when the batch opens, instead of
// one round trip per question per message. An answer the batch's own writes may have changed
// (a reply to a message of the same batch, a reference to a ticket it created or followed up, a
// sender it opened a ticket for) and any question not asked in advance go to the database inside
// the transaction, where the batch's rows are visible: every answer is the one the per-question
// lookup (TransactionThreadLookup) gives at that moment, within READ COMMITTED's usual race with
// concurrent workers. A reply to a message of the same batch is answered from memory (issue 10: a
// round trip each was 8% of the commit stage): the message the batch stored first under that
// Message-ID, unless one stored before the batch (a lower id) answers already, as the live lookup
// orders them. libpqxx exceptions pass through. Lives as long as one transaction.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "db/ticket_store.hpp"
#include "db/transaction_thread_lookup.hpp"

namespace hd::db {

class BatchThreadLookup : public ingest::ThreadLookup {
 public:
  // Asks the questions of the batch's messages that have a `parsed` message (up to three
  // statements; none when there are no questions).
  BatchThreadLookup(pqxx::transaction_base& tx, std::span<const IncomingMessage> batch);

  std::optional<ingest::TicketMatch> findByMessageIds(
      const std::vector<std::string>& message_ids) override;
  std::optional<ingest::TicketPeople> findByReference(const std::string& reference) override;
  std::int64_t newTicketsInLastHour(const std::string& address) override;

  // `in` was stored as `stored` (kInserted) in this transaction: answers it may change are asked
  // again from now on.
  void remember(const IncomingMessage& in, const CommitResult& stored);

  // Questions that went to the database one by one (not answered from the batch's statements).
  std::size_t liveQuestions() const { return live_questions_; }

 private:
  TransactionThreadLookup live_;
  std::size_t live_questions_ = 0;
  // Asked when the batch opened; a key present with no value: nothing found.
  std::unordered_map<std::string, std::optional<ingest::TicketMatch>> by_message_id_;
  std::unordered_map<std::string, std::optional<ingest::TicketPeople>> by_reference_;
  std::unordered_map<std::string, std::int64_t> recent_by_sender_;
  // Written by the batch since: the first message stored under each Message-ID.
  std::unordered_map<std::string, ingest::TicketMatch> written_by_message_id_;
  std::unordered_set<std::int64_t> touched_tickets_;
  std::unordered_set<std::string> created_references_;
  std::vector<std::string> new_requesters_;
};

}  // namespace hd::db
