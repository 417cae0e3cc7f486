#pragma once
// Which existing ticket a mail continues, if any.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "connectors/mime/message.hpp"
#include "service/ingest/policy.hpp"
#include "service/ingest/thread_lookup.hpp"

namespace hd::ingest {

// References is untrusted input: at most this many Message-IDs (In-Reply-To and the newest
// References) are looked up per mail.
constexpr std::size_t kMaxThreadingIds = 100;

struct ThreadResult {
  std::optional<std::int64_t> ticket_id;  // set when the mail continues a ticket
  // Why: "In-Reply-To matches message 42", or, without a ticket, why none was taken
  // ("[HD-7] names a ticket jane@example.com has not taken part in"); "" when nothing was tried.
  std::string reason;
};

// The Message-IDs findThread() looks up, in its order: In-Reply-To (the direct parent), then
// References newest first (the most specific next), at most kMaxThreadingIds, no empty ones.
std::vector<std::string> replyIds(const mime::Message& message);

// Threading of ordinary mail, first match wins:
// 1. In-Reply-To, then References newest first, against stored Message-IDs (RFC 5322 3.6.4).
// 2. A ticket reference in the subject ("[HD-42]", see subject_reference.hpp), only when the
//    sender is the ticket's requester or one of its participants: a reference alone is guessable,
//    so a stranger writing "[HD-42]" opens a new ticket instead of joining someone else's.
ThreadResult findThread(const mime::Message& message, ThreadLookup& lookup, const Policy& policy);

// Threading of a bounce: the Message-IDs of the returned mail (bouncedMessageIds()) against
// stored Message-IDs. Subject references are not trusted here (the sender is a mail server).
ThreadResult findBouncedThread(const mime::Message& message, ThreadLookup& lookup);

}  // namespace hd::ingest
