#include "db/transaction_thread_lookup.hpp"

#include "db/prepared_statement.hpp"
#include "db/sql_values.hpp"

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
// One row per participant (NULL when there is none): the From, To and Cc addresses of the
// ticket's messages written by people (customer mail and our own), lowercased. Automatic mail
// does not count: an auto-reply's To and a list's address must not gain the right to follow up.
constexpr PreparedStatement kFindByReference{
    "hd_find_by_reference",
    "SELECT t.id, t.reference, t.requester_address, p.address"
    " FROM tickets t"
    " LEFT JOIN LATERAL ("
    "   SELECT DISTINCT lower(a.address) AS address FROM messages m"
    "   CROSS JOIN LATERAL (SELECT m.from_address AS address"
    "     UNION ALL SELECT e->>'address' FROM jsonb_array_elements(m.to_addresses) e"
    "     UNION ALL SELECT e->>'address' FROM jsonb_array_elements(m.cc_addresses) e) a"
    "   WHERE m.ticket_id = t.id AND m.classification IN ('customer', 'own_mail')"
    "     AND coalesce(a.address, '') <> '') p ON true"
    " WHERE t.reference = $1"};
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
