#pragma once
// Exactly one replica polls a mailbox at a time: the worker asks before each pass. Implemented by
// db::MailboxLease (a PostgreSQL advisory lock); fakes in unit tests.
// Errors: throws when it cannot tell (database unreachable); the lease is then not held.

namespace hd::service {

class Lease {
 public:
  virtual ~Lease() = default;
  // True when this process holds the lease afterwards (held already and still alive, or taken
  // now); false when another replica holds it.
  virtual bool tryAcquire() = 0;
  virtual bool held() const = 0;
};

}  // namespace hd::service
