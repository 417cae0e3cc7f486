#pragma once
// The long-running loop of one mailbox: a pass, then sleep for the poll interval; after a failed
// pass, exponential backoff with jitter. Every state change is one log line naming the mailbox,
// and is published on the StatusBoard. Owns its own database connection.

#include <functional>
#include <memory>
#include <string>

#include "service/backoff.hpp"
#include "service/config.hpp"
#include "service/mailbox_pass.hpp"
#include "service/status_board.hpp"
#include "service/stop_signal.hpp"

namespace hd::service {

using SourceFactory = std::function<std::unique_ptr<source::MailSource>()>;

struct WorkerSettings {
  std::string mailbox;
  std::chrono::milliseconds poll_interval{60'000};
  std::chrono::milliseconds backoff_initial{5'000};
  std::chrono::milliseconds backoff_max{600'000};
  PassLimits limits;
  ingest::Policy policy;
  AfterCommitHook after_commit;  // tests only
};

class MailboxWorker {
 public:
  MailboxWorker(WorkerSettings settings, SourceFactory make_source, std::unique_ptr<db::TicketStore> store,
                StatusBoard& board);

  // One pass, recorded on the status board. Returns true on success; never throws.
  bool runOnce();

  // Passes until `stop` is signalled (checked between passes and while sleeping).
  void runUntil(const StopSignal& stop);

 private:
  WorkerSettings settings_;
  SourceFactory make_source_;
  std::unique_ptr<db::TicketStore> store_;
  StatusBoard& board_;
  Backoff backoff_;
};

}  // namespace hd::service
