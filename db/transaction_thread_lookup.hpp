#pragma once
// The ingest::ThreadLookup of TicketStore::commitMessage: answers decide()'s questions from inside
// the commit transaction, so the answer and the insert see the same rows. libpqxx exceptions pass
// through (TicketStore::run translates them). Lives as long as one transaction; not thread-safe.

#include <pqxx/pqxx>

#include "service/ingest/thread_lookup.hpp"

namespace hd::db {

class TransactionThreadLookup : public ingest::ThreadLookup {
 public:
  explicit TransactionThreadLookup(pqxx::transaction_base& tx) : tx_(tx) {}

  std::optional<ingest::TicketMatch> findByMessageIds(
      const std::vector<std::string>& message_ids) override;
  std::optional<ingest::TicketPeople> findByReference(const std::string& reference) override;
  // READ COMMITTED: two mailboxes committing at the same moment may each see the other's ticket
  // only after it commits, so the limit can be exceeded by one per concurrent worker.
  std::int64_t newTicketsInLastHour(const std::string& address) override;

 private:
  pqxx::transaction_base& tx_;
};

}  // namespace hd::db
