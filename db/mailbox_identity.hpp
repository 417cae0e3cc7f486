#pragma once
// Binds a mailbox name to the server folder it reads (table mailbox_identity, migration 0007), so
// that a configuration change cannot silently reuse a checkpoint and source keys that describe
// another folder, nor read an already ingested folder again under a new name.

#include <string>

namespace hd::db {

struct IdentityVerdict {
  enum class Kind {
    kBound,    // the name was new: bound to `identity` now
    kSame,     // the name is bound to `identity` already
    kChanged,  // the name is bound to `other` (another folder, account, server or protocol)
    kRenamed,  // the name is new, but mailbox `other` is bound to `identity`: a rename
  };
  Kind kind = Kind::kSame;
  std::string other;  // kChanged: the stored identity; kRenamed: the other mailbox's name
};

// One short transaction on its own connection. Throws DatabaseError (db/errors.hpp).
IdentityVerdict bindMailboxIdentity(const std::string& url, const std::string& mailbox,
                                    const std::string& identity);

}  // namespace hd::db
