#include "service/mailbox_worker.hpp"

#include <Poco/Logger.h>

#include <algorithm>
#include <optional>

#include "service/pass_failure.hpp"

namespace hd::service {
namespace {

Poco::Logger& logger() {
  return Poco::Logger::get("hd.worker");
}

}  // namespace

MailboxWorker::MailboxWorker(WorkerSettings settings, SourceFactory make_source,
                             std::unique_ptr<db::TicketStore> store, StatusBoard& board)
    : settings_(std::move(settings)),
      make_source_(std::move(make_source)),
      store_(std::move(store)),
      board_(board),
      reporter_(settings_.mailbox, board, settings_.metrics, settings_.auth_hint,
                settings_.on_pass),
      backoff_(settings_.backoff_initial, settings_.backoff_max) {}

bool MailboxWorker::runOnce() {
  return runPass(nullptr);
}

bool MailboxWorker::runOnce(const StopSignal& stop) {
  stop_ = &stop;
  const bool ok = runPass(nullptr);
  stop_ = nullptr;
  return ok && !last_pass_interrupted_;
}

std::optional<PassResult> MailboxWorker::attemptPass(
    std::unique_ptr<source::MailSource>* keep_open) {
  const auto started = std::chrono::system_clock::now();
  reporter_.passStarting(started);
  last_pass_interrupted_ = false;
  try {
    if (lease_) {
      const bool held = lease_->tryAcquire();  // throws db::DatabaseError
      reporter_.leaseChecked(held);
      if (!held) return std::nullopt;
    }
    auto source = make_source_();
    MailboxPass pass(settings_.mailbox, *source, *store_, *store_, settings_.limits,
                     settings_.policy, settings_.faults);
    if (stop_) pass.stopWhen([stop = stop_] { return stop->stopRequested(); });
    PassReport report;
    try {
      report = pass.run();
    } catch (...) {
      source->close();
      throw;
    }
    last_pass_interrupted_ = report.interrupted;
    if (keep_open && source->canWaitForNewMail()) {
      *keep_open = std::move(source);
    } else {
      source->close();
    }
    return PassResult::succeeded(report, started, std::chrono::system_clock::now());
  } catch (...) {
    return PassResult::failed(classifyPassFailure(std::current_exception()), started,
                              std::chrono::system_clock::now());
  }
}

bool MailboxWorker::runPass(std::unique_ptr<source::MailSource>* keep_open) {
  std::optional<PassResult> result = attemptPass(keep_open);
  if (!result) return true;  // standing by: not a failure
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
      return runPass(keep_open);
    }
  }
  if (result->failure) last_failure_ = *result->failure;
  reporter_.report(*result);
  return result->ok();
}

std::chrono::milliseconds MailboxWorker::idleBetweenPasses(source::MailSource& session,
                                                           std::chrono::milliseconds wait,
                                                           const StopSignal& stop) {
  const auto& name = settings_.mailbox;
  const auto started = std::chrono::steady_clock::now();
  auto remaining = [&] {
    auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    return std::max(std::chrono::milliseconds(0), wait - spent);
  };
  if (!announced_idle_) {
    logger().information(
        "mailbox %s: waiting in IMAP IDLE between passes (a pass at least every %s s)", name,
        std::to_string((wait.count() + 999) / 1000));
    announced_idle_ = true;
  }
  board_.update(name, [](MailboxStatus& s) { s.idle = true; });
  std::optional<source::WaitOutcome> outcome;
  std::string failure;
  try {
    outcome = session.waitForNewMail(wait, [&stop] { return stop.stopRequested(); });
  } catch (const std::exception& e) {
    failure = e.what();
  }
  board_.update(name, [](MailboxStatus& s) { s.idle = false; });
  if (!outcome) {
    if (!idle_failing_) {
      logger().warning("mailbox %s: IDLE failed (%s); polling instead until it works again", name,
                       failure);
    }
    idle_failing_ = true;
    return remaining();
  }
  if (idle_failing_) logger().information("mailbox %s: IDLE works again", name);
  idle_failing_ = false;
  switch (*outcome) {
    case source::WaitOutcome::kNewMail:
      logger().debug("mailbox %s: the server announced new mail", name);
      return std::chrono::milliseconds(0);
    case source::WaitOutcome::kTimeout:
    case source::WaitOutcome::kInterrupted:
      return std::chrono::milliseconds(0);
    case source::WaitOutcome::kUnsupported:
      break;
  }
  return remaining();
}

bool MailboxWorker::sleepAfterFailure(std::chrono::milliseconds wait, const StopSignal& stop) {
  if (!last_failure_.needs_person || !settings_.sign_in_stamp) return stop.waitFor(wait);
  auto stamp = [this]() -> std::optional<std::string> {
    try {
      return settings_.sign_in_stamp();
    } catch (const std::exception&) {
      return std::nullopt;  // the database is away: the backoff decides
    }
  };
  const auto before = stamp();
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left <= std::chrono::milliseconds(0)) return false;
    if (stop.waitFor(std::min(left, settings_.poll_interval))) return true;
    const auto now = stamp();
    if (before && now && *now != *before) {
      logger().information("mailbox %s: a new sign-in was stored; trying again now",
                           settings_.mailbox);
      return false;
    }
  }
}

void MailboxWorker::runUntil(const StopSignal& stop) {
  stop_ = &stop;
  while (!stop.stopRequested()) {
    std::unique_ptr<source::MailSource> session;
    bool ok = runPass(&session);
    std::chrono::milliseconds wait = settings_.poll_interval;
    if (!ok) {
      int failures = board_.get(settings_.mailbox).consecutive_failures;
      wait = retryDelay(backoff_.delayAfter(failures), last_failure_);
      logger().information("mailbox %s: next attempt in %s s", settings_.mailbox,
                           std::to_string((wait.count() + 999) / 1000));
    }
    if (session) {
      wait = idleBetweenPasses(*session, wait, stop);
      session->close();
    }
    if (ok ? stop.waitFor(wait) : sleepAfterFailure(wait, stop)) break;
  }
}

}  // namespace hd::service
