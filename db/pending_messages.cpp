#include "db/pending_messages.hpp"

#include "db/requester_match.hpp"
#include "db/sql_values.hpp"

namespace hd::db {

PendingMessages::PendingMessages(pqxx::transaction_base& tx, std::string ticket_prefix,
                                 OnWritten on_written)
    : tx_(tx), ticket_prefix_(std::move(ticket_prefix)), on_written_(std::move(on_written)) {}

void PendingMessages::before(const IncomingMessage& in, const std::string& sha256) {
  // The same key twice would also be stored right without this, after the unique key refused the
  // group and the batch was written again a message at a time.
  if (source_keys_.count(in.source_key) > 0 || contents_.count({in.mailbox, sha256}) > 0) flush();
}

void PendingMessages::add(const IncomingMessage& in, const std::string& sha256,
                          CommitResult& result) {
  using Kind = ingest::Outcome::Kind;
  const ingest::Outcome& outcome = result.outcome;
  if (outcome.kind == Kind::kFollowUp && followed_tickets_.count(outcome.ticket_id) > 0) flush();
  if (!rows_.empty() && raw_bytes_ + in.raw.size() > kPendingRawBytes) flush();

  rows_.push_back(MessageRow{&in, &sha256, &result});
  raw_bytes_ += in.raw.size();
  source_keys_.insert(in.source_key);
  contents_.emplace(in.mailbox, sha256);
  if (outcome.kind == Kind::kNewTicket || outcome.kind == Kind::kFollowUp) {
    touches_tickets_ = true;
    if (!in.parsed->message_id.empty()) message_ids_.insert(validUtf8(in.parsed->message_id));
  }
  if (outcome.kind == Kind::kFollowUp) followed_tickets_.insert(outcome.ticket_id);
  if (outcome.kind == Kind::kNewTicket) {
    for (std::string& key : requesterKeys(*in.parsed)) new_requesters_.push_back(std::move(key));
  }
  if (rows_.size() == kMessagesPerStatement || raw_bytes_ >= kPendingRawBytes) flush();
}

void PendingMessages::flush() {
  if (rows_.empty()) return;
  // Cleared first: whatever the statement answers, these rows are no longer waiting.
  const std::vector<MessageRow> rows = std::move(rows_);
  clear();
  insertMessageRows(tx_, ticket_prefix_, rows);
  for (const MessageRow& row : rows) on_written_(row);
}

void PendingMessages::clear() {
  rows_.clear();
  raw_bytes_ = 0;
  source_keys_.clear();
  contents_.clear();
  message_ids_.clear();
  followed_tickets_.clear();
  touches_tickets_ = false;
  new_requesters_.clear();
}

bool PendingMessages::mayChangeMessageIds(const std::vector<std::string>& message_ids) const {
  if (message_ids_.empty()) return false;
  for (const std::string& id : message_ids) {
    if (message_ids_.count(validUtf8(id)) > 0) return true;
  }
  return false;
}

bool PendingMessages::mayChangeReference() const {
  return touches_tickets_;
}

bool PendingMessages::mayChangeNewTicketsInLastHour(const std::string& address) const {
  return mayCountAny(new_requesters_, address);
}

std::optional<ingest::TicketMatch> PendingAwareLookup::findByMessageIds(
    const std::vector<std::string>& message_ids) {
  if (pending_.mayChangeMessageIds(message_ids)) pending_.flush();
  return lookup_.findByMessageIds(message_ids);
}

std::optional<ingest::TicketPeople> PendingAwareLookup::findByReference(
    const std::string& reference) {
  if (pending_.mayChangeReference()) pending_.flush();
  return lookup_.findByReference(reference);
}

std::int64_t PendingAwareLookup::newTicketsInLastHour(const std::string& address) {
  if (pending_.mayChangeNewTicketsInLastHour(address)) pending_.flush();
  return lookup_.newTicketsInLastHour(address);
}

}  // namespace hd::db
