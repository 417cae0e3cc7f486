#pragma once
// Exactly one replica polls a mailbox at a time: a session-level PostgreSQL advisory lock keyed by
// the mailbox name, held on a dedicated connection for as long as this process keeps polling. A
// replica that dies (even by SIGKILL) loses its session and so the lock at once; another replica's
// next tryAcquire() gets it.
//
// Errors: DatabaseError when the database cannot be reached (the lease is then not held).
// Not thread-safe: one lease per mailbox worker.

#include <memory>
#include <string>

#include "service/ports/lease.hpp"

namespace hd::db {

class MailboxLease : public service::Lease {
 public:
  MailboxLease(std::string url, std::string mailbox);
  ~MailboxLease() override;  // closes the session, releasing the lock
  MailboxLease(const MailboxLease&) = delete;
  MailboxLease& operator=(const MailboxLease&) = delete;

  // True when this process holds the lease afterwards: it already held it and the session is
  // still alive, or the lock was free and is now taken. False when another session holds it.
  bool tryAcquire() override;
  bool held() const override { return held_; }

 private:
  struct Session;

  std::string url_;
  std::string mailbox_;
  std::unique_ptr<Session> session_;
  bool held_ = false;
};

}  // namespace hd::db
