#include "db/transaction_thread_lookup.hpp"

#include <string>

#include "db/prepared_statement.hpp"
#include "db/sql_values.hpp"
#include "db/ticket_participants_sql.hpp"

namespace hd::db {
namespace {

// The first of the wanted Message-IDs (in the caller's order) that belongs to a ticket.
constexpr PreparedStatement kFindByMessageIds{
    "hd_find_by_message_ids",
    "SELECT m.ticket_id, m.id"
    " FROM unnest($1::text[]) WITH ORDINALITY AS wanted (message_id, position)"
    " JOIN messages m ON m.internet_message_id = wanted.message_id"
    " WHERE m.ticket_id IS NOT NULL"
    " ORDER BY wanted.position, m.id LIMIT 1"};
// The ticket with its participants (kTicketParticipantsJoin), one row per participant.
const std::string kFindByReferenceSql =
    std::string("SELECT t.id, t.reference, t.requester_address, p.address FROM tickets t") +
    kTicketParticipantsJoin + " WHERE t.reference = $1";
const PreparedStatement kFindByReference{"hd_find_by_reference", kFindByReferenceSql.c_str()};
// Served by tickets_requester_created_idx (migration 0002).
constexpr PreparedStatement kNewTicketsInLastHour{
    "hd_new_tickets_in_last_hour",
    "SELECT count(*) FROM tickets"
    " WHERE lower(requester_address) = lower($1) AND created_at > now() - interval '1 hour'"};

}  // namespace

std::optional<ingest::TicketMatch> TransactionThreadLookup::findByMessageIds(
    const std::vector<std::string>& message_ids) {
  std::vector<std::string> wanted;
  for (const auto& id : message_ids) {
    if (!id.empty()) wanted.push_back(id);
  }
  if (wanted.empty()) return std::nullopt;
  const auto rows = execPrepared(tx_, kFindByMessageIds, textArrayLiteral(wanted));
  if (rows.empty()) return std::nullopt;
  return ingest::TicketMatch{rows[0][0].as<std::int64_t>(), rows[0][1].as<std::int64_t>()};
}

std::optional<ingest::TicketPeople> TransactionThreadLookup::findByReference(
    const std::string& reference) {
  const auto rows = execPrepared(tx_, kFindByReference, validUtf8(reference));
  if (rows.empty()) return std::nullopt;
  ingest::TicketPeople ticket;
  ticket.ticket_id = rows[0][0].as<std::int64_t>();
  ticket.reference = rows[0][1].as<std::string>();
  ticket.requester_address = rows[0][2].as<std::string>();
  for (const auto& row : rows) {
    if (!row[3].is_null()) ticket.participants.push_back(row[3].as<std::string>());
  }
  return ticket;
}

std::int64_t TransactionThreadLookup::newTicketsInLastHour(const std::string& address) {
  return execPrepared(tx_, kNewTicketsInLastHour, validUtf8(address)).at(0)[0].as<std::int64_t>();
}

}  // namespace hd::db
