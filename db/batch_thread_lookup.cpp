#include "db/batch_thread_lookup.hpp"

#include <algorithm>
#include <set>

#include "db/prepared_statement.hpp"
#include "db/requester_match.hpp"
#include "db/sql_values.hpp"
#include "db/ticket_participants_sql.hpp"

namespace hd::db {
namespace {

// Each statement takes the batch's distinct questions as one array and answers by position.
constexpr PreparedStatement kFindByMessageIds{
    "hd_batch_find_by_message_ids",
    "SELECT w.position, m.ticket_id, m.id"
    " FROM unnest($1::text[]) WITH ORDINALITY AS w (message_id, position)"
    " CROSS JOIN LATERAL (SELECT ticket_id, id FROM messages"
    "   WHERE internet_message_id = w.message_id AND ticket_id IS NOT NULL"
    "   ORDER BY id LIMIT 1) m"};
const std::string kFindByReferencesSql =
    std::string(
        "SELECT w.position, t.id, t.reference, t.requester_address, p.address"
        " FROM unnest($1::text[]) WITH ORDINALITY AS w (reference, position)"
        " JOIN tickets t ON t.reference = w.reference") +
    kTicketParticipantsJoin;
const PreparedStatement kFindByReferences{"hd_batch_find_by_references",
                                          kFindByReferencesSql.c_str()};
constexpr PreparedStatement kNewTicketsInLastHour{
    "hd_batch_new_tickets_in_last_hour",
    "SELECT w.position, (SELECT count(*) FROM tickets"
    "   WHERE lower(requester_address) = lower(w.address)"
    "     AND created_at > now() - interval '1 hour')"
    " FROM unnest($1::text[]) WITH ORDINALITY AS w (address, position)"};

// The questions' distinct values, in first-seen order.
std::vector<std::string> distinct(std::span<const IncomingMessage> batch,
                                  std::vector<std::string> ingest::ThreadQuestions::*field) {
  std::vector<std::string> values;
  std::set<std::string> seen;
  for (const IncomingMessage& in : batch) {
    if (in.parsed == nullptr) continue;
    for (const std::string& value : in.thread_questions.*field) {
      if (seen.insert(value).second) values.push_back(value);
    }
  }
  return values;
}

std::size_t position(const pqxx::row& row, std::size_t count) {
  const auto one_based = row[0].as<std::size_t>();
  if (one_based == 0 || one_based > count) throw std::out_of_range("batch lookup: bad position");
  return one_based - 1;
}

}  // namespace

BatchThreadLookup::BatchThreadLookup(pqxx::transaction_base& tx,
                                     std::span<const IncomingMessage> batch)
    : live_(tx) {
  std::vector<std::string> ids = distinct(batch, &ingest::ThreadQuestions::message_ids);
  std::erase(ids, std::string());
  if (!ids.empty()) {
    for (const auto& id : ids) by_message_id_[id] = std::nullopt;
    for (const auto& row : execPrepared(tx, kFindByMessageIds, textArrayLiteral(ids))) {
      by_message_id_[ids[position(row, ids.size())]] =
          ingest::TicketMatch{row[1].as<std::int64_t>(), row[2].as<std::int64_t>()};
    }
  }
  const std::vector<std::string> references = distinct(batch, &ingest::ThreadQuestions::references);
  if (!references.empty()) {
    for (const auto& reference : references) by_reference_[reference] = std::nullopt;
    for (const auto& row : execPrepared(tx, kFindByReferences, textArrayLiteral(references))) {
      auto& ticket = by_reference_[references[position(row, references.size())]];
      if (!ticket) {
        ticket = ingest::TicketPeople{
            row[1].as<std::int64_t>(), row[2].as<std::string>(), row[3].as<std::string>(), {}};
      }
      if (!row[4].is_null()) ticket->participants.push_back(row[4].as<std::string>());
    }
  }
  const std::vector<std::string> senders = distinct(batch, &ingest::ThreadQuestions::senders);
  if (!senders.empty()) {
    for (const auto& row : execPrepared(tx, kNewTicketsInLastHour, textArrayLiteral(senders))) {
      recent_by_sender_[senders[position(row, senders.size())]] = row[1].as<std::int64_t>();
    }
  }
}

std::optional<ingest::TicketMatch> BatchThreadLookup::findByMessageIds(
    const std::vector<std::string>& message_ids) {
  // The live lookup's order: the first id (in list order) that any stored message has, and of
  // those messages the lowest id, so one stored before the batch before one the batch wrote.
  // Every id up to the answer must be known, or the database is asked.
  for (const auto& id : message_ids) {
    if (id.empty()) continue;
    const auto known = by_message_id_.find(id);
    if (known == by_message_id_.end()) {
      ++live_questions_;
      return live_.findByMessageIds(message_ids);
    }
    if (known->second) return known->second;
    const auto written = written_by_message_id_.find(validUtf8(id));
    if (written != written_by_message_id_.end()) return written->second;
  }
  return std::nullopt;
}

std::optional<ingest::TicketPeople> BatchThreadLookup::findByReference(
    const std::string& reference) {
  const auto known = by_reference_.find(reference);
  const bool changed = known != by_reference_.end() &&
                       (known->second ? touched_tickets_.count(known->second->ticket_id) > 0
                                      : created_references_.count(validUtf8(reference)) > 0);
  if (known == by_reference_.end() || changed) {
    ++live_questions_;
    return live_.findByReference(reference);
  }
  return known->second;
}

std::int64_t BatchThreadLookup::newTicketsInLastHour(const std::string& address) {
  const auto known = recent_by_sender_.find(address);
  if (known == recent_by_sender_.end() || mayCountAny(new_requesters_, address)) {
    ++live_questions_;
    return live_.newTicketsInLastHour(address);
  }
  return known->second;
}

void BatchThreadLookup::remember(const IncomingMessage& in, const CommitResult& stored) {
  if (stored.status != CommitStatus::kInserted || in.parsed == nullptr) return;
  const mime::Message& mail = *in.parsed;
  if (!mail.message_id.empty() && stored.ticket_id != 0) {
    // The first one stays: a later message with the same Message-ID has a higher id.
    written_by_message_id_.try_emplace(validUtf8(mail.message_id),
                                       ingest::TicketMatch{stored.ticket_id, stored.message_id});
  }
  if (stored.ticket_id != 0) touched_tickets_.insert(stored.ticket_id);
  if (stored.ticket_created) {
    created_references_.insert(stored.ticket_reference);
    for (std::string& key : requesterKeys(mail)) new_requesters_.push_back(std::move(key));
  }
}

}  // namespace hd::db
