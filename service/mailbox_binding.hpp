#pragma once
// Before a mailbox's first pass: is its name still bound to the folder it reads
// (db/mailbox_identity.hpp)? A disagreement is a configuration problem a person must resolve on
// purpose; the pass is refused (state "failing", last_error says how) and retried with backoff.

#include <stdexcept>
#include <string>

#include "service/config.hpp"

namespace hd::service {

class MailboxIdentityError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Binds the name on first use, logs that once, and throws MailboxIdentityError (with the SQL
// that resolves it on purpose) when the name now reads another folder or the folder was ingested
// under another name. Throws DatabaseError when the database cannot be used.
void verifyMailboxBinding(const std::string& database_url, const MailboxConfig& box);

}  // namespace hd::service
