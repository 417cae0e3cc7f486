#pragma once
// The COPY floor of issue 10: the rows one pass writes (tickets, messages with their text and
// HTML bodies, raw bytes, attachments as the store writes them, feed events) loaded with binary
// COPY in ONE transaction, on a migrated schema, in a session set up as the service's writing
// sessions are (db/large_value_session.hpp). What PostgreSQL spends here is the least it can
// spend on this mailbox; the service's PostgreSQL CPU is compared with it.

#include <functional>
#include <string>

namespace hd::bench {

// Loads messages 0..count-1 of `message` (raw bytes as the server serves them) into the database
// at `url`. Throws std::runtime_error on any PostgreSQL error.
void loadWithCopy(const std::string& url, int count,
                  const std::function<std::string(int)>& message);

}  // namespace hd::bench
