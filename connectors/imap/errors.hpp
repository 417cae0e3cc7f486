#pragma once
// IMAP-specific refusals, refinements of connectors/net/errors.hpp.

#include "connectors/net/errors.hpp"

namespace hd::imap {

// The server refused a COPY/MOVE/APPEND with [TRYCREATE] (RFC 3501 7.1): the target mailbox does
// not exist, and creating it may make the command succeed. The session stays usable.
class MissingMailboxError : public net::CommandError {
 public:
  using net::CommandError::CommandError;
};

}  // namespace hd::imap
