#pragma once
// One mailbox, pass after pass: what a pass is (lease, source, MailboxPass, the retry at once
// after a refused mailbox), on the PeriodicTask schedule (the poll interval; after a failed pass
// exponential backoff with jitter, at least the server's requested wait). After a successful pass
// on a source that can wait for news (IMAP IDLE), the wait is spent on that session (IdleWait)
// and the next pass starts as soon as the server announces new mail. When the server refuses the
// mailbox after a good sign-in, the pass is tried once more at once with a fresh access token;
// while sign-in is refused, a new `auth login` ends the backoff early (SignInWatch). Every pass is
// reported through the PassReporter (status board, metrics, log). Owns its database connection.

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "db/ticket_store.hpp"
#include "service/config.hpp"
#include "service/idle_wait.hpp"
#include "service/mailbox_pass.hpp"
#include "service/pass_reporter.hpp"
#include "service/periodic_task.hpp"
#include "service/ports/lease.hpp"
#include "service/ports/raw_content_store.hpp"
#include "service/sign_in_watch.hpp"
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

  // One pass, reported. Returns true on success; never throws.
  bool runOnce();
  // The same, but a stop ends the pass after the batch at hand; false when it did.
  bool runOnce(const StopSignal& stop);

  // Passes until `stop` is signalled (checked between passes, while sleeping and while idling).
  void runUntil(const StopSignal& stop);

  // With a lease, a pass runs only while this process holds it (several replicas on one database);
  // otherwise the pass is skipped as a success (state stays ok) and tried again next interval.
  void setLease(std::unique_ptr<Lease> lease) { lease_ = std::move(lease); }

  // Passes write each batch's raw bytes ahead of its commit (MailboxPass::writeRawAheadWith).
  void writeRawAheadWith(std::unique_ptr<RawContentStore> raw_ahead) {
    raw_ahead_ = std::move(raw_ahead);
  }

 private:
  // A pass, reported; nullopt when skipped because another replica holds the lease. With
  // `keep_session`, the open session of a good pass on a source that can wait for news is kept in
  // session_ for the wait that follows.
  std::optional<PassResult> runPass(bool keep_session);
  std::optional<PassResult> attemptPass(bool keep_session);  // the same, unreported
  std::chrono::milliseconds betweenPasses(std::chrono::milliseconds wait, const RunOutcome& last,
                                          const StopSignal& stop);

  WorkerSettings settings_;
  SourceFactory make_source_;
  std::unique_ptr<db::TicketStore> store_;
  PassReporter reporter_;
  IdleWait idle_;
  SignInWatch sign_in_;
  std::unique_ptr<Lease> lease_;
  std::unique_ptr<RawContentStore> raw_ahead_;
  const StopSignal* stop_ = nullptr;  // asked between batches of a pass
  bool signed_in_again_ = false;      // since the last good pass, after a refused mailbox
  bool refused_ = false;              // the last pass ended in auth_required
  std::unique_ptr<source::MailSource> session_;  // of the last good pass, for IdleWait
};

}  // namespace hd::service
