#pragma once
// decide(): what a parsed mail becomes — a new ticket, a follow-up on an existing one, or a
// message recorded without a ticket — and why (Outcome::reason, stored with the message so an
// operator can answer "why did this mail not open a ticket?"). Pure domain logic: no IMAP, no
// SQL; earlier mail is reached only through ThreadLookup, whose exceptions propagate unchanged.

#include "connectors/mime/message.hpp"
#include "service/ingest/outcome.hpp"
#include "service/ingest/policy.hpp"
#include "service/ingest/thread_lookup.hpp"

namespace hd::ingest {

// 1. Classify (mail_kind.hpp): customer, own_mail, bounce, auto_reply or bulk.
// 2. Thread: a bounce by the Message-IDs of the mail it returns; anything else by In-Reply-To /
//    References, then by a subject reference from its requester or a participant (threading.hpp).
//    A mail that threads becomes a follow-up on that ticket, keeping its classification (an
//    auto-reply to a ticket is attached to it, flagged auto_reply).
// 3. Otherwise only customer mail opens a ticket; anything else is recorded without one.
// 4. A sender who opened policy.new_tickets_per_sender_per_hour tickets in the last hour is
//    recorded as rate_limited instead of opening another one.
Outcome decide(const mime::Message& message, ThreadLookup& lookup, const Policy& policy = {});

}  // namespace hd::ingest
