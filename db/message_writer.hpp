#pragma once
// The rows of one message, written inside a transaction the caller owns (TicketStore's group
// commit runs it under a savepoint per message): the accounting check, the alias of known content,
// decide(), then the ticket, the message with its raw bytes and feed events in one statement, and
// the attachments in another. Nothing
// here commits; libpqxx exceptions pass through.

#include <pqxx/pqxx>
#include <string>

#include "db/batch_knowledge.hpp"
#include "db/ticket_store.hpp"

namespace hd::db {

// `sha256`: lowercase hex of in.raw. decide() reads through `tx` itself. `known`: what the batch
// knew before this message (accounted keys, stored contents); the caller remembers the result.
CommitResult writeMessage(pqxx::transaction_base& tx, const std::string& ticket_prefix,
                          const IncomingMessage& in, const std::string& sha256,
                          BatchKnowledge& known, const DecideFn& decide);

// Records (or re-records: attempts + 1, newest error) a message in quarantine with its raw bytes.
void writeQuarantine(pqxx::transaction_base& tx, const std::string& source_key,
                     const std::string& mailbox, const std::string& raw, const std::string& error);

// Records a message too large to fetch (in.left_on_server): its header block (in.raw), its size
// and the reason; no raw bytes. Re-recording counts an attempt like writeQuarantine.
void writeQuarantineLeftOnServer(pqxx::transaction_base& tx, const IncomingMessage& in);

// Removes the key's left-on-server quarantine row (its message is being stored now).
void forgetLeftOnServer(pqxx::transaction_base& tx, const std::string& source_key);

}  // namespace hd::db
