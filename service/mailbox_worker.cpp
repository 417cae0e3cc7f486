#include "service/mailbox_worker.hpp"

#include <Poco/Logger.h>

namespace hd::service {

MailboxWorker::MailboxWorker(WorkerSettings settings, SourceFactory make_source,
                             std::unique_ptr<db::TicketStore> store, StatusBoard& board)
    : settings_(std::move(settings)),
      make_source_(std::move(make_source)),
      store_(std::move(store)),
      reporter_(settings_.mailbox, board, settings_.metrics, settings_.auth_hint,
                settings_.on_pass),
      idle_(settings_.mailbox, board),
      sign_in_(settings_.mailbox, settings_.sign_in_stamp) {}

bool MailboxWorker::runOnce() {
  const auto result = runPass(false);
  return !result || result->ok();
}

bool MailboxWorker::runOnce(const StopSignal& stop) {
  stop_ = &stop;
  const auto result = runPass(false);
  stop_ = nullptr;
  return !result || (result->ok() && !result->counts.interrupted);
}

void MailboxWorker::runUntil(const StopSignal& stop) {
  stop_ = &stop;
  PeriodicSchedule schedule;
  schedule.interval = settings_.poll_interval;
  schedule.error_initial = settings_.backoff_initial;
  schedule.error_max = settings_.backoff_max;
  PeriodicTask::Hooks hooks;
  hooks.between_runs = [this](auto wait, const RunOutcome& last, const StopSignal& stop) {
    return betweenPasses(wait, last, stop);
  };
  if (settings_.sign_in_stamp) {
    schedule.recheck_every = settings_.poll_interval;
    hooks.wake_when = [this] { return sign_in_.signedInAgain(); };
  }
  PeriodicTask task(
      schedule,
      [this] {
        const auto result = runPass(true);
        if (!result || result->ok()) return RunOutcome{};
        return RunOutcome{false, result->serverBackoff()};
      },
      hooks);
  task.run(stop);
  stop_ = nullptr;
}

std::optional<PassResult> MailboxWorker::runPass(bool keep_session) {
  std::optional<PassResult> result = attemptPass(keep_session);
  if (!result) return result;  // standing by: not a failure
  if (result->ok()) {
    signed_in_again_ = false;
  } else if (result->failure->sign_in_again) {
    // The token may be another account's (or Exchange refused for a moment): never offer the
    // same one again, and sign in once more right away before telling anyone.
    if (settings_.forget_access_token) settings_.forget_access_token();
    if (!signed_in_again_) {
      signed_in_again_ = true;
      result->outcome = PassOutcome::kSignInAgain;
      reporter_.report(*result);
      return runPass(keep_session);
    }
  }
  refused_ = result->outcome == PassOutcome::kAuthRequired;
  reporter_.report(*result);
  return result;
}

std::optional<PassResult> MailboxWorker::attemptPass(bool keep_session) {
  const auto started = std::chrono::system_clock::now();
  reporter_.passStarting(started);
  try {
    if (lease_) {
      const bool held = lease_->tryAcquire();  // throws when it cannot tell
      reporter_.leaseChecked(held);
      if (!held) return std::nullopt;
    }
    auto source = make_source_();
    MailboxPass pass(settings_.mailbox, *source, *store_, *store_, settings_.limits,
                     settings_.policy, settings_.faults);
    if (stop_) pass.stopWhen([stop = stop_] { return stop->stopRequested(); });
    if (raw_ahead_) pass.writeRawAheadWith(*raw_ahead_);
    PassReport report;
    try {
      report = pass.run();
    } catch (...) {
      source->close();
      throw;
    }
    if (keep_session && source->canWaitForNewMail()) {
      session_ = std::move(source);
    } else {
      source->close();
    }
    return PassResult::succeeded(report, started, std::chrono::system_clock::now());
  } catch (...) {
    return PassResult::failed(classifyPassFailure(std::current_exception()), started,
                              std::chrono::system_clock::now());
  }
}

std::chrono::milliseconds MailboxWorker::betweenPasses(std::chrono::milliseconds wait,
                                                       const RunOutcome& last,
                                                       const StopSignal& stop) {
  if (!last.ok) {
    Poco::Logger::get("hd.worker")
        .information("mailbox %s: next attempt in %s s", settings_.mailbox,
                     std::to_string((wait.count() + 999) / 1000));
  }
  sign_in_.watch(refused_ && !last.ok);
  if (session_) {
    wait = idle_.wait(*session_, wait, stop);
    session_->close();
    session_.reset();
  }
  return wait;
}

}  // namespace hd::service
