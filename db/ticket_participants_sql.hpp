#pragma once
// SQL shared by the per-question and the per-batch thread lookups
// (db/transaction_thread_lookup.cpp, db/batch_thread_lookup.cpp), so both read a ticket's people
// the same way.

namespace hd::db {

// Joins, for the ticket aliased `t`, one row per participant (`p.address`, NULL when there is
// none): the From, To and Cc addresses of the ticket's messages written by people (customer mail
// and our own), lowercased. Automatic mail does not count: an auto-reply's To and a list's
// address must not gain the right to follow up.
inline constexpr char kTicketParticipantsJoin[] =
    " LEFT JOIN LATERAL ("
    "   SELECT DISTINCT lower(a.address) AS address FROM messages m"
    "   CROSS JOIN LATERAL (SELECT m.from_address AS address"
    "     UNION ALL SELECT e->>'address' FROM jsonb_array_elements(m.to_addresses) e"
    "     UNION ALL SELECT e->>'address' FROM jsonb_array_elements(m.cc_addresses) e) a"
    "   WHERE m.ticket_id = t.id AND m.classification IN ('customer', 'own_mail')"
    "     AND coalesce(a.address, '') <> '') p ON true";

}  // namespace hd::db
