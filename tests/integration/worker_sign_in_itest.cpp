// MailboxWorker when sign-in goes wrong, on a real PostgreSQL: Exchange's "User is authenticated
// but not connected." (and POP3's -ERR after AUTH) replayed from tests/transcripts through the real
// ImapSource and Pop3Source (the token is dropped, one more sign-in at once, then auth_required
// naming the causes, retried with backoff until it recovers by itself), and a new `auth login`
// ending an auth_required backoff early. (The re-login through the whole service with Dovecot is
// in oauth2_service_itest.)

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "connectors/imap/imap_source.hpp"
#include "connectors/net/errors.hpp"
#include "connectors/net/sasl.hpp"
#include "connectors/pop3/pop3_source.hpp"
#include "db/ticket_store.hpp"
#include "service/mailbox_worker.hpp"
#include "tests/support/scripted_stream.hpp"
#include "tests/support/test_env.hpp"

namespace hd::service {
namespace {

using namespace std::chrono_literals;

constexpr char kRefused[] = "exchange_authenticated_not_connected.txt";
constexpr char kEmptyInbox[] = "exchange_empty_inbox.txt";

bool eventually(const std::function<bool()>& condition) {
  for (int i = 0; i < 1000 && !condition(); ++i) std::this_thread::sleep_for(10ms);
  return condition();
}

// Exchange sessions replayed in order, one transcript per connection.
class ExchangeSessions {
 public:
  explicit ExchangeSessions(std::vector<std::string> transcripts, bool password = false)
      : transcripts_(transcripts.begin(), transcripts.end()), password_(password) {}

  SourceFactory factory() {
    return [this]() -> std::unique_ptr<source::MailSource> {
      imap::ImapSourceOptions options;
      options.mailbox_name = "support";
      options.endpoint = {"outlook.office365.com", 993, net::TlsMode::kImplicit};
      options.idle = false;  // a pass, then sleep: the transcripts end with LOGOUT
      options.credentials.username = "helpdesk@example.com";
      options.credentials.method =
          password_ ? net::Credentials::Method::kPassword : net::Credentials::Method::kXoauth2;
      options.credentials.secret = [this] {
        ++tokens_asked;
        return std::string(password_ ? "pw" : "access-token");
      };
      return std::make_unique<imap::ImapSource>(
          options, [this](const net::Endpoint&) { return test::borrowStream(nextScript(), true); });
    };
  }

  std::atomic<int> tokens_asked{0};
  std::atomic<int> sessions{0};

 private:
  test::ScriptedStream& nextScript() {
    std::lock_guard lock(mutex_);
    if (transcripts_.empty()) throw net::NetworkError("no more scripted sessions");
    std::string text = test::readTestFile("transcripts/imap/" + transcripts_.front());
    transcripts_.pop_front();
    if (password_) {
      // The same dialogue, signed in with a password (AUTHENTICATE PLAIN).
      const std::string xoauth2 =
          "AUTHENTICATE XOAUTH2 "
          "dXNlcj1oZWxwZGVza0BleGFtcGxlLmNvbQFhdXRoPUJlYXJlciBhY2Nlc3MtdG9rZW4BAQ==";
      const std::size_t at = text.find(xoauth2);
      text.replace(
          at, xoauth2.size(),
          "AUTHENTICATE PLAIN " +
              net::base64Encode(net::saslPlain("helpdesk@example.com", "pw").initial_response));
    }
    scripts_.push_back(std::make_unique<test::ScriptedStream>(text));
    scripts_.back()->setStrictEnd(false);
    ++sessions;
    return *scripts_.back();
  }

  std::mutex mutex_;
  std::deque<std::string> transcripts_;
  std::vector<std::unique_ptr<test::ScriptedStream>> scripts_;
  bool password_;
};

class WorkerSignIn : public ::testing::Test {
 protected:
  void SetUp() override {
    db::TicketStore(db_.url()).migrate();
    board_.add("support", "imap");
  }

  std::unique_ptr<MailboxWorker> makeWorker(SourceFactory factory, WorkerSettings settings = {}) {
    settings.mailbox = "support";
    return std::make_unique<MailboxWorker>(settings, std::move(factory),
                                           std::make_unique<db::TicketStore>(db_.url()), board_);
  }

  WorkerSettings tokenSettings() {
    WorkerSettings settings;
    settings.forget_access_token = [this] { ++forgotten_; };
    return settings;
  }

  void TearDown() override {
    stop_.requestStop();
    if (thread_.joinable()) thread_.join();
  }

  test::ScratchDatabase db_;
  StatusBoard board_;
  std::atomic<int> forgotten_{0};
  StopSignal stop_;
  std::thread thread_;
};

TEST_F(WorkerSignIn, MailboxRefusedAfterSignInTwiceIsAuthRequiredNamingTheCauses) {
  ExchangeSessions exchange({kRefused, kRefused});
  auto worker = makeWorker(exchange.factory(), tokenSettings());
  EXPECT_FALSE(worker->runOnce());

  EXPECT_EQ(exchange.sessions, 2) << "one more sign-in at once";
  EXPECT_EQ(exchange.tokens_asked, 2);
  EXPECT_EQ(forgotten_, 2) << "the token is dropped after each refusal";
  const MailboxStatus status = board_.get("support");
  EXPECT_EQ(status.state, MailboxState::kAuthRequired);
  EXPECT_EQ(status.consecutive_failures, 1) << "the retry at once is part of the same pass";
  const std::string error = status.last_error.value_or("");
  for (const char* cause :
       {"User is authenticated but not connected", "another account than helpdesk@example.com",
        "Add-MailboxPermission", "FullAccess", "IMAP is off"}) {
    EXPECT_NE(error.find(cause), std::string::npos) << cause << "\n" << error;
  }
}

TEST_F(WorkerSignIn, AFreshTokenThatOpensTheMailboxKeepsItOk) {
  ExchangeSessions exchange({kRefused, kEmptyInbox});
  auto worker = makeWorker(exchange.factory(), tokenSettings());
  EXPECT_TRUE(worker->runOnce());
  EXPECT_EQ(exchange.sessions, 2);
  EXPECT_EQ(forgotten_, 1);
  EXPECT_EQ(board_.get("support").state, MailboxState::kOk);
  EXPECT_EQ(board_.get("support").consecutive_failures, 0);
}

TEST_F(WorkerSignIn, PasswordSignInRefusedTheSameWayIsAuthRequiredToo) {
  ExchangeSessions exchange({kRefused, kRefused}, /*password=*/true);
  auto worker = makeWorker(exchange.factory());  // no token to forget
  EXPECT_FALSE(worker->runOnce());
  EXPECT_EQ(exchange.sessions, 2);
  const MailboxStatus status = board_.get("support");
  EXPECT_EQ(status.state, MailboxState::kAuthRequired);
  EXPECT_NE(status.last_error.value_or("").find("Add-MailboxPermission"), std::string::npos)
      << status.last_error.value_or("");
}

TEST_F(WorkerSignIn, AuthRequiredKeepsRetryingWithBackoffAndRecoversByItself) {
  // Exchange refuses for a while (e.g. the mailbox permission is still propagating), then lets
  // the same token in: nobody has to act.
  ExchangeSessions exchange({kRefused, kRefused, kRefused, kRefused, kEmptyInbox});
  WorkerSettings settings = tokenSettings();
  settings.poll_interval = 1h;
  settings.backoff_initial = 20ms;
  settings.backoff_max = 40ms;
  std::atomic<int> failed_passes{0};
  settings.on_pass = [&](const std::string&, const PassResult& result) {
    failed_passes += result.ok() ? 0 : 1;
  };
  auto worker = makeWorker(exchange.factory(), settings);
  thread_ = std::thread([&] { worker->runUntil(stop_); });
  ASSERT_TRUE(eventually([&] {
    return exchange.sessions == 5 && board_.get("support").state == MailboxState::kOk;
  })) << board_.get("support").last_error.value_or("");
  EXPECT_EQ(forgotten_, 4);
  // Sessions 1+2 (the second at once), 3 and 4 after backoff, each pass auth_required; then ok.
  EXPECT_EQ(failed_passes, 4) << "every session reports its pass, the retry at once included";
  stop_.requestStop();
  thread_.join();
}

TEST_F(WorkerSignIn, Pop3ErrAfterASuccessfulAuthIsAuthRequiredAfterOneMoreSignIn) {
  std::vector<std::unique_ptr<test::ScriptedStream>> scripts;
  auto factory = [&scripts]() -> std::unique_ptr<source::MailSource> {
    pop3::Pop3SourceOptions options;
    options.mailbox_name = "support";
    options.endpoint = {"outlook.office365.com", 995, net::TlsMode::kImplicit};
    options.credentials.method = net::Credentials::Method::kXoauth2;
    options.credentials.username = "helpdesk@outlook.com";
    options.credentials.secret = [] { return std::string("EwBoA-token"); };
    options.after_ingest.action = source::AfterIngest::Action::kKeep;
    scripts.push_back(std::make_unique<test::ScriptedStream>(
        test::readTestFile("transcripts/pop3/outlook_xoauth2_not_connected.txt")));
    return std::make_unique<pop3::Pop3Source>(
        options, [script = scripts.back().get()](const net::Endpoint&) {
          return test::borrowStream(*script, true);
        });
  };
  auto worker = makeWorker(factory, tokenSettings());
  EXPECT_FALSE(worker->runOnce());
  ASSERT_EQ(scripts.size(), 2u) << "one more sign-in at once";
  for (const auto& script : scripts) EXPECT_TRUE(script->finished()) << script->pendingStep();
  EXPECT_EQ(forgotten_, 2);
  const MailboxStatus status = board_.get("support");
  EXPECT_EQ(status.state, MailboxState::kAuthRequired);
  const std::string error = status.last_error.value_or("");
  for (const char* cause :
       {"-ERR Server Unavailable. 21", "another account than helpdesk@outlook.com",
        "Add-MailboxPermission", "POP is off", "PopEnabled"}) {
    EXPECT_NE(error.find(cause), std::string::npos) << cause << "\n" << error;
  }
}

// Refused until the test "signs in", like a mailbox without a usable token.
class SignInSource : public source::MailSource {
 public:
  explicit SignInSource(std::atomic<bool>& signed_in) : signed_in_(signed_in) {}
  void open() override {
    if (!signed_in_) throw net::AuthError("OAuth2 sign-in required: invalid_grant", false);
  }
  source::Listing listPending(const source::Checkpoint&) override { return {7, {}}; }
  std::vector<source::FetchedMessage> fetch(std::span<const source::MessageRef>) override {
    return {};
  }
  std::vector<source::FetchedMessage> fetchHeaders(std::span<const source::MessageRef>,
                                                   std::uint64_t) override {
    return {};
  }
  std::vector<source::MessageRef> lookUp(std::span<const std::string>) override { return {}; }
  void acknowledge(std::span<const source::MessageRef>) override {}
  bool canWaitForNewMail() const override { return false; }
  source::WaitOutcome waitForNewMail(std::chrono::milliseconds,
                                     const std::function<bool()>&) override {
    return source::WaitOutcome::kUnsupported;
  }
  void close() noexcept override {}

 private:
  std::atomic<bool>& signed_in_;
};

TEST_F(WorkerSignIn, ANewSignInEndsTheBackoffWithinAPollInterval) {
  std::atomic<bool> signed_in{false};
  std::mutex stamp_mutex;
  std::string stamp = "2026-11-27 07:00:00.000001+00";
  WorkerSettings settings;
  settings.poll_interval = 50ms;
  settings.backoff_initial = 1h;  // without the stamp check nothing would happen for an hour
  settings.backoff_max = 1h;
  settings.sign_in_stamp = [&] {
    std::lock_guard lock(stamp_mutex);
    return stamp;
  };
  auto worker = makeWorker([&] { return std::make_unique<SignInSource>(signed_in); }, settings);
  thread_ = std::thread([&] { worker->runUntil(stop_); });
  ASSERT_TRUE(
      eventually([&] { return board_.get("support").state == MailboxState::kAuthRequired; }));
  std::this_thread::sleep_for(200ms);  // several poll intervals: the same stamp does not wake it
  EXPECT_EQ(board_.get("support").consecutive_failures, 1);

  signed_in = true;
  {
    std::lock_guard lock(stamp_mutex);
    stamp = "2026-11-27 07:00:05.123456+00";  // `auth login` stored new tokens
  }
  EXPECT_TRUE(eventually([&] { return board_.get("support").state == MailboxState::kOk; }))
      << "still waiting out the hour-long backoff";
  stop_.requestStop();
  thread_.join();
}

}  // namespace
}  // namespace hd::service
