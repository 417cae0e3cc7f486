#pragma once
// The rows of decided messages: for each, the ticket (new, or the follow-up's touched), the
// message, its raw bytes, its feed events and its attachments when they are all spans of the raw
// message (db/attachment_writer.hpp), for up to kMessagesPerStatement messages in ONE statement;
// then each message's spilled raw chunks (db/content_chunks.hpp) and other attachments.
// A statement per message cost PostgreSQL about 0.1 ms of protocol and executor work each, a
// fifth of its CPU on everyday mail, and the commit stage a round trip each (issue 10).
// The messages of one call must not depend on each other: none may follow up a ticket that
// another of the same call creates or follows up (db/pending_messages.hpp sees to it). Their rows
// get ids in the order given, as one statement per message would give them. Nothing here commits;
// libpqxx exceptions pass through.

#include <cstddef>
#include <pqxx/pqxx>
#include <span>
#include <string>

#include "db/ticket_store.hpp"

namespace hd::db {

// Ten measured best: fewer leaves more round trips, more costs PostgreSQL more planning than it
// saves (25 was slower than 10).
inline constexpr std::size_t kMessagesPerStatement = 10;

struct MessageRow {
  const IncomingMessage* in = nullptr;  // parsed
  const std::string* sha256 = nullptr;  // lowercase hex of in->raw
  CommitResult* result = nullptr;       // in: result->outcome, decided; out: the ids and ticket
};

// Writes `rows` (1..kMessagesPerStatement of them). Throws std::invalid_argument when decide()
// answered a follow-up to a ticket that does not exist (a bug, not bad mail).
void insertMessageRows(pqxx::transaction_base& tx, const std::string& ticket_prefix,
                       std::span<const MessageRow> rows);

}  // namespace hd::db
