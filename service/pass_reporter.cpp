#include "service/pass_reporter.hpp"

#include <Poco/Logger.h>

#include <algorithm>
#include <cstdio>

namespace hd::service {
namespace {

Poco::Logger& logger() {
  return Poco::Logger::get("hd.worker");
}

std::string seconds(PassTimings::Duration d) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f s", std::chrono::duration<double>(d).count());
  return text;
}

// Where the time went, for a pass that fetched mail: "; fetching 1.20 s, parsing ...".
std::string timingsText(const PassReport& n) {
  if (n.fetched == 0) return "";
  std::string text;
  for (const PassStage& stage : kPassStages) {
    std::string name(stage.name);
    std::replace(name.begin(), name.end(), '_', ' ');
    text += (text.empty() ? "; " : ", ") + name + " " + seconds(n.timings.*stage.time);
  }
  return text;
}

}  // namespace

PassReporter::PassReporter(std::string mailbox, StatusBoard& board, http::Metrics* metrics,
                           std::string auth_hint, PassObserver observer)
    : mailbox_(std::move(mailbox)),
      board_(board),
      metrics_(metrics),
      auth_hint_(std::move(auth_hint)),
      observer_(std::move(observer)) {}

void PassReporter::passStarting(std::chrono::system_clock::time_point at) {
  board_.update(mailbox_, [&](MailboxStatus& s) { s.last_poll = at; });
}

void PassReporter::leaseChecked(bool held) {
  const LeaseState now = held ? LeaseState::kHeld : LeaseState::kStandby;
  if (held && (lease_ == LeaseState::kStandby || !announced_lease_)) {
    logger().information("mailbox %s: lease acquired; this replica polls it", mailbox_);
  } else if (!held && lease_ != LeaseState::kStandby) {
    logger().information("mailbox %s: another replica holds the lease; standing by", mailbox_);
  }
  announced_lease_ = announced_lease_ || held;
  lease_ = now;
  board_.update(mailbox_, [&](MailboxStatus& s) { s.lease = now; });
}

void PassReporter::report(const PassResult& result) {
  if (metrics_) {
    metrics_->recordPass(mailbox_, result.ok(), result.duration(), result.counts.stored,
                         result.counts.quarantined);
    if (result.ok()) metrics_->recordPassStages(mailbox_, result.counts.timings);
  }
  if (observer_) observer_(mailbox_, result);
  if (result.ok()) {
    reportSuccess(result);
  } else {
    reportFailure(result);
  }
}

void PassReporter::reportSuccess(const PassResult& result) {
  refusal_.reset();
  auto previous = board_.get(mailbox_);
  board_.update(mailbox_, [&](MailboxStatus& s) {
    s.state = MailboxState::kOk;
    s.last_success = result.finished;
    s.consecutive_failures = 0;
    s.uidvalidity = result.counts.checkpoint.uidvalidity;
    s.last_uid = result.counts.checkpoint.last_uid;
    s.last_pass_duration = result.duration();
  });
  if (previous.state != MailboxState::kOk) {
    logger().information("mailbox %s: recovered after %d failed passes", mailbox_,
                         previous.consecutive_failures);
  }
  const PassReport& n = result.counts;
  logger().information(
      "mailbox %s: pass done in %s ms: %s listed, %s stored, %s quarantined, %s duplicates, %s "
      "already stored, %s not returned%s%s",
      mailbox_, std::to_string(result.duration().count()), std::to_string(n.listed),
      std::to_string(n.stored), std::to_string(n.quarantined), std::to_string(n.duplicates),
      std::to_string(n.replayed), std::to_string(n.vanished), timingsText(n),
      std::string(n.interrupted ? "; stopped early for shutdown" : ""));
}

void PassReporter::reportFailure(const PassResult& result) {
  const PassFailure failure = result.failure.value_or(PassFailure{});
  if (result.outcome == PassOutcome::kSignInAgain) {
    // Not yet news for the board: the attempt at once decides the mailbox's state.
    logger().information("mailbox %s: %s; signing in again with a fresh token", mailbox_,
                         failure.message);
    return;
  }
  const bool same_refusal = failure.needs_person && refusal_ == failure;
  refusal_ = failure.needs_person ? std::optional<PassFailure>(failure) : std::nullopt;
  int failures = 0;
  board_.update(mailbox_, [&](MailboxStatus& s) {
    s.state = failure.needs_person ? MailboxState::kAuthRequired : MailboxState::kFailing;
    s.last_error = failure.describe();
    s.last_error_at = result.finished;
    failures = ++s.consecutive_failures;
    s.last_pass_duration = result.duration();
  });
  if (failure.needs_person) {
    // One line when a person must act, not one per retry.
    const std::string line =
        "mailbox " + mailbox_ + ": sign-in refused (" + failure.message + "); " + auth_hint_;
    if (same_refusal) {
      logger().debug(line);
    } else {
      logger().error(line);
    }
  } else {
    logger().warning("mailbox %s: pass failed (%s): %s [%d in a row]", mailbox_,
                     toString(failure.kind), failure.message, failures);
  }
}

}  // namespace hd::service
