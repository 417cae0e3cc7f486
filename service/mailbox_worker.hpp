#pragma once
// The long-running loop of one mailbox: a pass, then wait for the poll interval; after a failed
// pass, exponential backoff with jitter. After a successful pass on a source that can wait for news
// (IMAP IDLE), the worker waits on that session instead of sleeping and starts the next pass as
// soon as the server announces new mail; when IDLE fails it sleeps out the interval (polling).
// When the server refuses the mailbox after a good sign-in, the pass is tried once more at once
// with a fresh access token; while sign-in is refused, a new `auth login` ends the backoff early.
// Every state change is one log line naming the mailbox, and is published on the StatusBoard. Owns
// its own database connection.

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "db/ticket_store.hpp"
#include "service/backoff.hpp"
#include "service/config.hpp"
#include "service/mailbox_pass.hpp"
#include "service/pass_failure.hpp"
#include "service/pass_reporter.hpp"
#include "service/ports/lease.hpp"
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
  // What a person should do when sign-in is refused for good (logged once per refusal).
  std::string auth_hint = "check the credentials in the configuration";
  // Drops the cached OAuth2 access token (the server accepted it but refused the mailbox: it
  // may be another account's). Optional.
  std::function<void()> forget_access_token;
  // When the mailbox was last signed in with `auth login` (any text that changes with each
  // login; empty when never). While a pass waits out its backoff after a sign-in refusal, the
  // worker asks every poll interval and tries again at once when it changed. Optional.
  std::function<std::string()> sign_in_stamp;
  FaultHooks faults;                 // tests only
  http::Metrics* metrics = nullptr;  // optional: counts every pass
  PassObserver on_pass;              // optional
};

class MailboxWorker {
 public:
  MailboxWorker(WorkerSettings settings, SourceFactory make_source,
                std::unique_ptr<db::TicketStore> store, StatusBoard& board);

  // One pass, recorded on the status board. Returns true on success; never throws.
  bool runOnce();
  // The same, but a stop ends the pass after the batch at hand; false when it did.
  bool runOnce(const StopSignal& stop);

  // Passes until `stop` is signalled (checked between passes, while sleeping and while idling).
  void runUntil(const StopSignal& stop);

  // With a lease, a pass runs only while this process holds it (several replicas on one database);
  // otherwise the pass is skipped as a success (state stays ok) and tried again next interval.
  void setLease(std::unique_ptr<Lease> lease) { lease_ = std::move(lease); }

 private:
  WorkerSettings settings_;
  SourceFactory make_source_;
  const StopSignal* stop_ = nullptr;  // asked between batches of a pass (runUntil, runOnce(stop))
  bool last_pass_interrupted_ = false;
  std::unique_ptr<db::TicketStore> store_;
  StatusBoard& board_;
  PassReporter reporter_;
  Backoff backoff_;
  PassFailure last_failure_;  // of the latest failed pass: decides the retry delay
  std::unique_ptr<Lease> lease_;

  bool signed_in_again_ = false;  // since the last good pass, after a refused mailbox
  bool idle_failing_ = false;     // the last IDLE failed (logged once until one succeeds)
  bool announced_idle_ = false;

  // A pass, reported; on success, when the source can wait for news, its open session is handed
  // to `keep_open` instead of being closed.
  bool runPass(std::unique_ptr<source::MailSource>* keep_open);
  // The pass itself, unreported; nullopt when it was skipped because another replica holds the
  // lease.
  std::optional<PassResult> attemptPass(std::unique_ptr<source::MailSource>* keep_open);
  // Sleeps `wait` after a failed pass; returns true when stopped. After a sign-in refusal it
  // ends early when `sign_in_stamp` changes (a new `auth login` while the service runs).
  bool sleepAfterFailure(std::chrono::milliseconds wait, const StopSignal& stop);
  // Waits on `session` for new mail for at most `wait`; returns how much of `wait` is still to be
  // slept (zero: pass now).
  std::chrono::milliseconds idleBetweenPasses(source::MailSource& session,
                                              std::chrono::milliseconds wait,
                                              const StopSignal& stop);
};

}  // namespace hd::service
