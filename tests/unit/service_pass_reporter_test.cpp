// PassReporter: one PassResult in, and the status board, the metrics and the log line agree on it
// (success, an empty pass, a failure, a refusal that needs a person, a server-requested backoff).

#include "service/pass_reporter.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "tests/support/captured_log.hpp"

namespace hd::service {
namespace {

using namespace std::chrono_literals;
using Priority = Poco::Message::Priority;

const auto kStart = std::chrono::system_clock::time_point(std::chrono::hours(24 * 20000));

PassResult success(PassReport counts) {
  return PassResult::succeeded(counts, kStart, kStart + 1500ms);
}

PassResult failure(PassFailure failure) {
  return PassResult::failed(std::move(failure), kStart, kStart + 200ms);
}

PassFailure refused(const std::string& message) {
  return {FailureClass::kAuthentication, message, /*needs_person=*/true};
}

class PassReporterTest : public ::testing::Test {
 protected:
  PassReporterTest() { board_.add("support", "imap"); }

  std::string metrics() const { return metrics_.render(board_.all(), std::nullopt); }
  bool metricsSay(const std::string& line) const {
    return metrics().find(line + "\n") != std::string::npos;
  }
  MailboxStatus status() const { return board_.get("support"); }
  // The lines logged since the last call.
  std::vector<test::CapturedLog::Line> logged() {
    auto lines = log_.lines();
    log_.clear();
    return lines;
  }

  test::CapturedLog log_{"hd.worker"};
  StatusBoard board_;
  http::Metrics metrics_;
  PassReporter reporter_{"support", board_, &metrics_, "run auth login"};
};

TEST_F(PassReporterTest, SuccessIsOkOnTheBoardCountedInTheMetricsAndSummedUpInOneLine) {
  PassReport counts;
  counts.listed = 5;
  counts.stored = 3;
  counts.quarantined = 1;
  counts.replayed = 1;
  counts.checkpoint = {7, 42};
  reporter_.report(success(counts));

  const MailboxStatus s = status();
  EXPECT_EQ(s.state, MailboxState::kOk);
  EXPECT_EQ(s.consecutive_failures, 0);
  EXPECT_EQ(s.last_success, kStart + 1500ms);
  EXPECT_EQ(s.last_pass_duration, 1500ms);
  EXPECT_EQ(s.uidvalidity, 7u);
  EXPECT_EQ(s.last_uid, 42u);

  EXPECT_TRUE(metricsSay(R"(helpdesk_ingest_passes_total{mailbox="support",result="success"} 1)"));
  EXPECT_TRUE(metricsSay(R"(helpdesk_ingest_passes_total{mailbox="support",result="failure"} 0)"));
  EXPECT_TRUE(metricsSay(R"(helpdesk_ingest_messages_stored_total{mailbox="support"} 3)"));
  EXPECT_TRUE(metricsSay(R"(helpdesk_ingest_messages_quarantined_total{mailbox="support"} 1)"));
  EXPECT_TRUE(metricsSay(R"(helpdesk_ingest_mailbox_state{mailbox="support",state="ok"} 1)"));

  const auto lines = logged();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].first, Priority::PRIO_INFORMATION);
  EXPECT_EQ(lines[0].second,
            "mailbox support: pass done in 1500 ms: 5 listed, 3 stored, 1 quarantined, 0 "
            "duplicates, 1 already stored, 0 not returned");
}

TEST_F(PassReporterTest, AnEmptyPassEndsInASummaryLineToo) {
  reporter_.report(success({}));
  const auto lines = logged();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].second.find("mailbox support: pass done in 1500 ms: 0 listed, 0 stored"),
            std::string::npos)
      << lines[0].second;
  EXPECT_EQ(lines[0].second.find("fetching"), std::string::npos) << "no timings without mail";
  EXPECT_EQ(status().state, MailboxState::kOk);
  EXPECT_TRUE(metricsSay(R"(helpdesk_ingest_passes_total{mailbox="support",result="success"} 1)"));
  EXPECT_TRUE(metricsSay(R"(helpdesk_ingest_messages_stored_total{mailbox="support"} 0)"));
}

TEST_F(PassReporterTest, APassThatFetchedMailSaysWhereItsTimeWent) {
  PassReport counts;
  counts.listed = counts.fetched = counts.stored = 2;
  counts.timings.fetching = 1200ms;
  counts.timings.parsing = 300ms;
  counts.timings.committing = 2500ms;
  counts.timings.waiting_for_mail = 100ms;
  counts.timings.acknowledging = 50ms;
  reporter_.report(success(counts));
  const auto lines = logged();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].second,
            "mailbox support: pass done in 1500 ms: 2 listed, 2 stored, 0 quarantined, 0 "
            "duplicates, 0 already stored, 0 not returned; fetching 1.20 s, parsing 0.30 s, "
            "committing 2.50 s, waiting for mail 0.10 s, acknowledging 0.05 s");
  EXPECT_TRUE(metricsSay(
      R"(helpdesk_ingest_pass_stage_seconds_total{mailbox="support",stage="committing"} 2.5)"));
  EXPECT_TRUE(metricsSay(
      R"(helpdesk_ingest_pass_stage_seconds_total{mailbox="support",stage="waiting_for_mail"} 0.1)"));
}

TEST_F(PassReporterTest, AnInterruptedPassSaysSoInItsSummary) {
  PassReport counts;
  counts.interrupted = true;
  reporter_.report(success(counts));
  const auto lines = logged();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].second.find("; stopped early for shutdown"), std::string::npos);
}

TEST_F(PassReporterTest, FailureIsFailingOnTheBoardCountedAndLoggedWithItsClass) {
  reporter_.report(failure({FailureClass::kNetwork, "connection reset"}));
  reporter_.report(failure({FailureClass::kDatabase, "gone"}));

  const MailboxStatus s = status();
  EXPECT_EQ(s.state, MailboxState::kFailing);
  EXPECT_EQ(s.last_error, "database: gone");
  EXPECT_EQ(s.last_error_at, kStart + 200ms);
  EXPECT_EQ(s.consecutive_failures, 2);
  EXPECT_FALSE(s.last_success);

  EXPECT_TRUE(metricsSay(R"(helpdesk_ingest_passes_total{mailbox="support",result="failure"} 2)"));
  EXPECT_TRUE(metricsSay(R"(helpdesk_ingest_passes_total{mailbox="support",result="success"} 0)"));
  EXPECT_TRUE(metricsSay(R"(helpdesk_ingest_mailbox_state{mailbox="support",state="failing"} 1)"));
  EXPECT_TRUE(metricsSay(R"(helpdesk_ingest_mailbox_consecutive_failures{mailbox="support"} 2)"));

  const auto lines = logged();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].first, Priority::PRIO_WARNING);
  EXPECT_EQ(lines[0].second,
            "mailbox support: pass failed (network): connection reset [1 in a row]");
  EXPECT_EQ(lines[1].second, "mailbox support: pass failed (database): gone [2 in a row]");

  reporter_.report(success({}));
  const auto recovered = logged();
  ASSERT_EQ(recovered.size(), 2u);
  EXPECT_EQ(recovered[0].second, "mailbox support: recovered after 2 failed passes");
  EXPECT_NE(recovered[1].second.find("pass done"), std::string::npos);
  EXPECT_EQ(status().state, MailboxState::kOk);
  EXPECT_EQ(status().consecutive_failures, 0);
  EXPECT_TRUE(metricsSay(R"(helpdesk_ingest_mailbox_consecutive_failures{mailbox="support"} 0)"));
}

TEST_F(PassReporterTest, RefusedSignInIsAuthRequiredAndLoggedAtErrorOncePerRefusal) {
  reporter_.report(failure(refused("bad password")));
  const MailboxStatus s = status();
  EXPECT_EQ(s.state, MailboxState::kAuthRequired);
  EXPECT_EQ(s.last_error, "authentication: bad password");
  EXPECT_TRUE(
      metricsSay(R"(helpdesk_ingest_mailbox_state{mailbox="support",state="auth_required"} 1)"));
  EXPECT_TRUE(metricsSay(R"(helpdesk_ingest_passes_total{mailbox="support",result="failure"} 1)"));
  auto lines = logged();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].first, Priority::PRIO_ERROR);
  EXPECT_EQ(lines[0].second, "mailbox support: sign-in refused (bad password); run auth login");

  // The same refusal again is no news: still one line, at debug.
  reporter_.report(failure(refused("bad password")));
  lines = logged();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].first, Priority::PRIO_DEBUG);
  EXPECT_EQ(status().consecutive_failures, 2);

  // Another cause is: at error again.
  reporter_.report(failure(refused("invalid_grant")));
  lines = logged();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].first, Priority::PRIO_ERROR);

  // After a pass that failed otherwise, the old refusal is news again.
  reporter_.report(failure({FailureClass::kNetwork, "reset"}));
  reporter_.report(failure(refused("invalid_grant")));
  lines = logged();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[1].first, Priority::PRIO_ERROR);
}

TEST_F(PassReporterTest, ServerRequestedBackoffTravelsInTheResultAndTheFailureIsReported) {
  const PassResult throttled = failure({FailureClass::kThrottled, "Request is throttled.", false,
                                        std::chrono::milliseconds(299961)});
  EXPECT_EQ(throttled.outcome, PassOutcome::kFailed);
  EXPECT_EQ(throttled.serverBackoff(), 299961ms);
  EXPECT_EQ(success({}).serverBackoff(), 0ms);
  reporter_.report(throttled);
  EXPECT_EQ(status().state, MailboxState::kFailing);
  EXPECT_EQ(status().last_error, "throttled by the server: Request is throttled.");
  EXPECT_TRUE(metricsSay(R"(helpdesk_ingest_passes_total{mailbox="support",result="failure"} 1)"));
  const auto lines = logged();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].second,
            "mailbox support: pass failed (throttled by the server): Request is throttled. [1 in a "
            "row]");
}

TEST_F(PassReporterTest, SigningInAgainAtOnceIsCountedButLeavesTheStateToTheNextAttempt) {
  PassFailure not_connected{FailureClass::kAuthentication, "authenticated but not connected", true,
                            0ms, true};
  PassResult first = failure(not_connected);
  first.outcome = PassOutcome::kSignInAgain;
  reporter_.report(first);
  EXPECT_EQ(status().state, MailboxState::kOk);
  EXPECT_EQ(status().consecutive_failures, 0);
  EXPECT_TRUE(metricsSay(R"(helpdesk_ingest_passes_total{mailbox="support",result="failure"} 1)"));
  auto lines = logged();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].second,
            "mailbox support: authenticated but not connected; signing in again with a fresh "
            "token");

  reporter_.report(failure(not_connected));
  EXPECT_EQ(status().state, MailboxState::kAuthRequired);
  EXPECT_EQ(status().consecutive_failures, 1);
  EXPECT_TRUE(metricsSay(R"(helpdesk_ingest_passes_total{mailbox="support",result="failure"} 2)"));
  lines = logged();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].first, Priority::PRIO_ERROR);
}

TEST_F(PassReporterTest, ObserverSeesEveryReportedPass) {
  std::vector<PassOutcome> seen;
  PassReporter observed("support", board_, nullptr, "hint",
                        [&](const std::string& mailbox, const PassResult& result) {
                          EXPECT_EQ(mailbox, "support");
                          seen.push_back(result.outcome);
                        });
  observed.report(success({}));
  observed.report(failure(refused("no")));
  EXPECT_EQ(seen, (std::vector<PassOutcome>{PassOutcome::kOk, PassOutcome::kAuthRequired}));
}

TEST_F(PassReporterTest, LeaseChangesAreLoggedOnceAndShownWithTheirStatusNames) {
  EXPECT_EQ(toString(status().lease), "none");
  reporter_.leaseChecked(true);
  reporter_.leaseChecked(true);
  EXPECT_EQ(status().lease, LeaseState::kHeld);
  EXPECT_EQ(toString(LeaseState::kHeld), "held");
  auto lines = logged();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].second, "mailbox support: lease acquired; this replica polls it");

  reporter_.leaseChecked(false);
  reporter_.leaseChecked(false);
  EXPECT_EQ(status().lease, LeaseState::kStandby);
  EXPECT_EQ(toString(LeaseState::kStandby), "standby");
  lines = logged();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].second, "mailbox support: another replica holds the lease; standing by");

  reporter_.leaseChecked(true);
  EXPECT_EQ(logged().size(), 1u) << "taken over again";
}

TEST_F(PassReporterTest, PassStartIsTheLastPoll) {
  reporter_.passStarting(kStart);
  EXPECT_EQ(status().last_poll, kStart);
  EXPECT_TRUE(logged().empty());
}

}  // namespace
}  // namespace hd::service
