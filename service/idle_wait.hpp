#pragma once
// Between passes, waits on the session of the last good pass for the server to announce new mail
// (IMAP IDLE) instead of sleeping. Shows `idle` on the status board while it waits; logs its first
// use, and once each when IDLE fails (the worker then polls) and when it works again.
// One per mailbox worker; not thread-safe.

#include <chrono>
#include <string>

#include "connectors/source/mail_source.hpp"
#include "service/clock.hpp"
#include "service/status_board.hpp"
#include "service/stop_signal.hpp"

namespace hd::service {

class IdleWait {
 public:
  IdleWait(std::string mailbox, StatusBoard& board, Clock& clock = systemClock())
      : mailbox_(std::move(mailbox)), board_(board), clock_(clock) {}

  // Waits on `session` for at most `wait`; returns how much of `wait` is still to be slept (zero:
  // pass now). A failed or unsupported wait returns the rest of `wait` (poll instead).
  std::chrono::milliseconds wait(source::MailSource& session, std::chrono::milliseconds wait,
                                 const StopSignal& stop);

 private:
  std::string mailbox_;
  StatusBoard& board_;
  Clock& clock_;
  bool failing_ = false;  // the last IDLE failed (logged once until one succeeds)
  bool announced_ = false;
};

}  // namespace hd::service
