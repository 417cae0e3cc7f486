#pragma once
// The rows of one message, written inside a transaction the caller owns (TicketStore's group
// commit, under a savepoint per message once a message was refused): the accounting check, the
// alias of known content, decide(), then the ticket, the message with its raw bytes and feed
// events, and its attachments (db/message_rows.hpp), with the statement of its group
// (db/pending_messages.hpp). Nothing here commits; libpqxx exceptions pass through.

#include <pqxx/pqxx>
#include <string>

#include "db/batch_knowledge.hpp"
#include "db/pending_messages.hpp"
#include "db/ticket_store.hpp"

namespace hd::db {

// `sha256`: lowercase hex of in.raw. decide() asks `lookup`. `known`: what the batch knew before
// this message (accounted keys, stored contents). `result` says what became of it: at once for an
// accounted key or an alias; a message to store goes to `rows`, and its ids are in `result` once
// `rows` has written it (the caller flushes `rows` and remembers the result in `known`).
void writeMessage(pqxx::transaction_base& tx, const IncomingMessage& in, const std::string& sha256,
                  const BatchKnowledge& known, ingest::ThreadLookup& lookup, const DecideFn& decide,
                  PendingMessages& rows, CommitResult& result);

// Records (or re-records: attempts + 1, newest error) a message in quarantine with its raw bytes
// and their SHA-256 (`sha256`, lowercase hex). Returns the row's id.
std::int64_t writeQuarantine(pqxx::transaction_base& tx, const std::string& source_key,
                             const std::string& mailbox, const spill::Bytes& raw,
                             const std::string& sha256, const std::string& error);

// Quarantines `in` (unparseable, or refused by the database) with `error`, unless the mailbox
// already holds the same bytes (`known`, by `sha256`): then the key becomes an alias of that
// stored message or quarantine row, and nothing else is written (issue 11: no second row when a
// UIDVALIDITY change brings the mail back under a new key). A key already accounted for is left
// alone (kAlreadyIngested). Mail left on the server (in.left_on_server) is recorded with its
// header block and never compared: there is no SHA-256 of the whole message. Remembers the result
// in `known`.
BatchEntryResult writeQuarantineOrAlias(pqxx::transaction_base& tx, const IncomingMessage& in,
                                        const std::string& sha256, const std::string& error,
                                        BatchKnowledge& known);

// Records a message too large to fetch (in.left_on_server): its header block (in.raw), its size
// and the reason; no raw bytes. Re-recording counts an attempt like writeQuarantine.
void writeQuarantineLeftOnServer(pqxx::transaction_base& tx, const IncomingMessage& in);

// Removes the key's left-on-server quarantine row (its message is being stored now).
void forgetLeftOnServer(pqxx::transaction_base& tx, const std::string& source_key);

}  // namespace hd::db
