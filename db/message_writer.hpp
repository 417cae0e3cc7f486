#pragma once
// The rows of one message, written inside a transaction the caller owns (TicketStore's group
// commit runs it under a savepoint per message): the accounting check, the alias of known content,
// decide(), the ticket, the message with its raw bytes and feed events, the attachments. Nothing
// here commits; libpqxx exceptions pass through.

#include <pqxx/pqxx>
#include <string>

#include "db/ticket_store.hpp"

namespace hd::db {

// `sha256`: lowercase hex of in.raw. `lookup_tx` is where decide() reads; it is `tx` itself.
CommitResult writeMessage(pqxx::transaction_base& tx, const std::string& ticket_prefix,
                          const IncomingMessage& in, const std::string& sha256,
                          const DecideFn& decide);

// Records (or re-records: attempts + 1, newest error) a message in quarantine with its raw bytes.
void writeQuarantine(pqxx::transaction_base& tx, const std::string& source_key,
                     const std::string& mailbox, const std::string& raw, const std::string& error);

}  // namespace hd::db
