#pragma once
// decide(): what a parsed mail becomes — a new ticket, a follow-up on an existing one, or a
// message recorded without a ticket. Pure domain logic: no IMAP, no SQL; earlier mail is reached
// only through ThreadLookup.

#include "connectors/mime/message.hpp"
#include "service/ingest/outcome.hpp"
#include "service/ingest/thread_lookup.hpp"

namespace hd::ingest {

struct Policy {};

// Threading: a mail whose In-Reply-To or References names a stored message follows up on that
// message's ticket (In-Reply-To first, then References newest first). Otherwise a new ticket.
Outcome decide(const mime::Message& message, ThreadLookup& lookup, const Policy& policy = {});

}  // namespace hd::ingest
