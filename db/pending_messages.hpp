#pragma once
// The decided messages of a group commit that are not written yet. They go to the database
// together, in one statement (db/message_rows.hpp), when kMessagesPerStatement are waiting, when
// they hold kPendingRawBytes of raw bytes, when the caller flushes (the end of the batch, a
// quarantine row, a savepoint), and before anything of the batch could depend on one of them:
// - before a message with the same source key or the same content (mailbox and SHA-256): its
//   accounting and its alias need the earlier row (before());
// - before a question of decide() whose answer one of them may change (PendingAwareLookup): a
//   reply to one of them, any ticket reference while they open or follow up tickets (a new
//   ticket's reference, the participants of a ticket they follow up), the rate-limit count of a
//   sender they open a ticket for;
// - before a follow-up of a ticket one of them follows up too (one statement cannot update a row
//   twice; add()).
// So every decision and every row is the one that a statement per message gives. Lives inside the
// caller's transaction; libpqxx exceptions pass through, from whichever call flushes.

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "db/message_rows.hpp"
#include "db/ticket_store.hpp"

namespace hd::db {

// Beyond this, the group is written: it bounds the copies of raw bytes a statement holds. A larger
// message goes alone.
inline constexpr std::uint64_t kPendingRawBytes = 1024 * 1024;

class PendingMessages {
 public:
  // Called for each message written, in the order added, with its ids filled in.
  using OnWritten = std::function<void(const MessageRow&)>;

  PendingMessages(pqxx::transaction_base& tx, std::string ticket_prefix, OnWritten on_written);

  // Before `in` (`sha256`: hex of its raw bytes) is looked at.
  void before(const IncomingMessage& in, const std::string& sha256);
  // `in`, decided (result.outcome), is written now or with its group. `in`, `sha256` and `result`
  // must outlive the flush.
  void add(const IncomingMessage& in, const std::string& sha256, CommitResult& result);
  // Writes what is waiting.
  void flush();

  // Whether writing what is waiting may change the answer to a question of decide().
  bool mayChangeMessageIds(const std::vector<std::string>& message_ids) const;
  bool mayChangeReference() const;
  bool mayChangeNewTicketsInLastHour(const std::string& address) const;

 private:
  void clear();

  pqxx::transaction_base& tx_;
  std::string ticket_prefix_;
  OnWritten on_written_;
  std::vector<MessageRow> rows_;
  std::uint64_t raw_bytes_ = 0;
  std::unordered_set<std::string> source_keys_;
  std::set<std::pair<std::string, std::string>> contents_;  // mailbox, SHA-256
  std::unordered_set<std::string> message_ids_;             // of those with a ticket
  std::unordered_set<std::int64_t> followed_tickets_;
  bool touches_tickets_ = false;
  std::vector<std::string> new_requesters_;  // db/requester_match.hpp
};

// decide()'s lookup while messages are pending: writes them first when an answer may depend on
// them, then asks `lookup`.
class PendingAwareLookup : public ingest::ThreadLookup {
 public:
  PendingAwareLookup(ingest::ThreadLookup& lookup, PendingMessages& pending)
      : lookup_(lookup), pending_(pending) {}

  std::optional<ingest::TicketMatch> findByMessageIds(
      const std::vector<std::string>& message_ids) override;
  std::optional<ingest::TicketPeople> findByReference(const std::string& reference) override;
  std::int64_t newTicketsInLastHour(const std::string& address) override;

 private:
  ingest::ThreadLookup& lookup_;
  PendingMessages& pending_;
};

}  // namespace hd::db
