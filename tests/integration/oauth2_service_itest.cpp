// XOAUTH2 in the long-running service (loop mode, 1 s poll interval) against the real Dovecot,
// whose oauth2 passdb asks the fake identity server: an access token that stops being valid
// before its announced expiry is refused, dropped and refreshed; a short-lived token is refreshed
// before it expires without any refusal; a revoked login turns the mailbox `auth_required` on
// /status while a password mailbox in the same process goes on. Needs HD_TEST_OAUTH_PORT from
// deploy/local.sh (the port Dovecot introspects); ctest runs it under RESOURCE_LOCK
// hd_test_oauth_port.

#include <gtest/gtest.h>

#include <csignal>
#include <functional>

#include "tests/integration/api_test_support.hpp"
#include "tests/support/fake_identity_server.hpp"
#include "tests/support/sample_mail.hpp"

namespace hd::test {
namespace {

bool eventually(const std::function<bool()>& condition, int seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      if (condition()) return true;
    } catch (const std::exception&) {
      // The schema or the HTTP endpoint is not there yet.
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

// "support": IMAPS with XOAUTH2 through the fake identity server; with `password_user`, a
// second mailbox "plain" on the same Dovecot signing in with the shared password.
std::string serviceConfig(const ScratchDatabase& db, const TestMailbox& oauth_box,
                          const std::string& authority, const std::string& password_user = "",
                          int backoff_max_seconds = 2) {
  const auto& env = TestEnv::get();
  std::string json =
      R"({"database": {"url": ")" + db.url() + R"("}, "secrets": {"key": ")" + kTestSecretKey +
      R"("}, "http": {"listen": "127.0.0.1:0", "api_token": ")" + kApiToken +
      R"("}, "backoff": {"initial_seconds": 1, "max_seconds": )" +
      std::to_string(backoff_max_seconds) +
      R"(},)"
      R"( "mailboxes": [{"name": "support", "provider": "outlook", "protocol": "imap",)"
      R"( "host": ")" +
      env.mail_host + R"(", "port": )" + std::to_string(env.imaps_port) + R"(, "ca_file": ")" +
      env.ca_file + R"(", "username": ")" + oauth_box.user() +
      R"(", "idle": false, "poll_interval_seconds": 1, "oauth2": {"tenant": )"
      R"("consumers", "client_id": "fake-client", "authority": ")" +
      authority + R"("}})";
  if (!password_user.empty()) {
    json += R"(, {"name": "plain", "protocol": "imap", "host": ")" + env.mail_host +
            R"(", "port": )" + std::to_string(env.imaps_port) +
            R"(, "tls": "implicit",)"
            R"( "ca_file": ")" +
            env.ca_file + R"(", "username": ")" + password_user + R"(", "password": ")" +
            env.mail_password + R"(", "idle": false, "poll_interval_seconds": 1})";
  }
  return json + "]}";
}

class OAuth2Service : public ::testing::Test {
 protected:
  void SetUp() override {
    // An environment without HD_TEST_OAUTH_PORT fails (TestEnv names it), never skips.
    ASSERT_NE(introspectionPort(), 0);
    identity_ = std::make_unique<FakeIdentityServer>(box_.user(), introspectionPort());
  }
  void login() {
    ProcessResult login =
        runService({"auth", "login", "--config", config_->path(), "--mailbox", "support"}, {}, 60);
    ASSERT_EQ(login.exit_code, 0) << login.output;
  }
  void start(const std::string& config_json) {
    config_ = std::make_unique<TempFile>(config_json);
    login();
    service_ =
        std::make_unique<ServiceProcess>(std::vector<std::string>{"--config", config_->path()});
    port_ = waitForPort(*service_);
    ASSERT_NE(port_, 0);
  }
  nlohmann::json mailboxStatus(const std::string& name) {
    const nlohmann::json status = httpGet(port_, "/status", "").json();
    for (const auto& box : status["mailboxes"]) {
      if (box["name"] == name) return box;
    }
    return nullptr;
  }
  std::string messages(const std::string& mailbox) {
    return db_.scalar("SELECT count(*) FROM messages WHERE mailbox = '" + mailbox + "'");
  }
  void TearDown() override {
    if (!service_) return;
    service_->signal(SIGTERM);
    EXPECT_EQ(service_->wait(40).exit_code, 0);
    EXPECT_EQ(service_->output().find("fake-access"), std::string::npos) << "token logged";
    EXPECT_EQ(service_->output().find("fake-refresh"), std::string::npos) << "token logged";
  }

  ScratchDatabase db_;
  TestMailbox box_{"oauthsvc"};
  std::unique_ptr<FakeIdentityServer> identity_;
  std::unique_ptr<TempFile> config_;
  std::unique_ptr<ServiceProcess> service_;
  int port_ = 0;
};

TEST_F(OAuth2Service, TokenInvalidatedBeforeItsExpiryIsRefreshedAfterTheRefusal) {
  // An hour: the provider would keep handing out this token without the refusal.
  start(serviceConfig(db_, box_, identity_->authority()));
  box_.deliver(makeSampleMessage(1));
  ASSERT_TRUE(eventually([&] { return messages("support") == "1"; }, 60)) << service_->output();
  const int refreshes_before = identity_->refreshCount();
  const std::string rotated_before = db_.scalar("SELECT rotated_at FROM oauth_tokens");
  auto before = mailboxStatus("support");
  ASSERT_TRUE(before["token_expires_at"].is_string()) << before.dump();

  identity_->revokeAccessTokens();  // introspection now answers {"active": false}
  ASSERT_TRUE(eventually([&] { return identity_->refreshCount() > refreshes_before; }, 30))
      << service_->output();
  box_.deliver(makeSampleMessage(2));
  ASSERT_TRUE(eventually([&] { return messages("support") == "2"; }, 60)) << service_->output();

  EXPECT_NE(service_->output().find("access token refused by the mail server"), std::string::npos)
      << service_->output();
  EXPECT_NE(db_.scalar("SELECT rotated_at FROM oauth_tokens"), rotated_before);
  EXPECT_TRUE(eventually([&] { return mailboxStatus("support")["state"] == "ok"; }, 10));
  auto after = mailboxStatus("support");
  EXPECT_EQ(after["lease"], "held");
  ASSERT_TRUE(after["token_expires_at"].is_string()) << after.dump();
  EXPECT_GT(after["token_expires_at"].get<std::string>(),
            before["token_expires_at"].get<std::string>());
  EXPECT_NE(httpGet(port_, "/metrics", "")
                .body.find("helpdesk_ingest_mailbox_token_expiry_timestamp_seconds{mailbox="
                           "\"support\"} "),
            std::string::npos);
}

TEST_F(OAuth2Service, ShortLivedTokenIsRefreshedBeforeItExpiresWithoutARefusal) {
  // 303 s: inside the provider's 5-minute margin about 3 s after it was issued.
  identity_->setAccessTokenLifetime(303);
  start(serviceConfig(db_, box_, identity_->authority()));
  const int refreshes_at_start = identity_->refreshCount();
  box_.deliver(makeSampleMessage(1));
  ASSERT_TRUE(eventually([&] { return messages("support") == "1"; }, 60)) << service_->output();
  ASSERT_TRUE(eventually([&] { return identity_->refreshCount() >= refreshes_at_start + 2; }, 30))
      << service_->output();
  box_.deliver(makeSampleMessage(2));
  ASSERT_TRUE(eventually([&] { return messages("support") == "2"; }, 60)) << service_->output();

  EXPECT_EQ(service_->output().find("access token refused"), std::string::npos)
      << service_->output();
  EXPECT_EQ(service_->output().find("pass failed"), std::string::npos) << service_->output();
  EXPECT_EQ(service_->output().find("sign-in refused"), std::string::npos) << service_->output();
  auto status = mailboxStatus("support");
  EXPECT_EQ(status["state"], "ok");
  EXPECT_EQ(status["consecutive_failures"], 0);
}

TEST_F(OAuth2Service, RevokedLoginIsAuthRequiredWhileAPasswordMailboxGoesOn) {
  TestMailbox plain{"plainsvc"};
  start(serviceConfig(db_, box_, identity_->authority(), plain.user()));
  box_.deliver(makeSampleMessage(1));
  plain.deliver(makeSampleMessage(101));
  ASSERT_TRUE(
      eventually([&] { return messages("support") == "1" && messages("plain") == "1"; }, 60))
      << service_->output();

  identity_->revokeRefreshTokens();
  identity_->revokeAccessTokens();
  box_.deliver(makeSampleMessage(2));
  ASSERT_TRUE(eventually([&] { return mailboxStatus("support")["state"] == "auth_required"; }, 30))
      << service_->output();
  // Refused, dropped, and the refresh then fails with invalid_grant: a person must log in.
  ASSERT_TRUE(eventually(
      [&] {
        auto error = mailboxStatus("support")["last_error"];
        return error.is_string() &&
               error.get<std::string>().find("invalid_grant") != std::string::npos;
      },
      30))
      << mailboxStatus("support").dump();
  EXPECT_NE(service_->output().find("auth login --config FILE --mailbox support"),
            std::string::npos)
      << service_->output();
  // The retries go on (with backoff) but the log says it once per refusal, not once per retry.
  ASSERT_TRUE(eventually(
      [&] { return mailboxStatus("support")["consecutive_failures"].get<int>() >= 4; }, 60));
  const std::string log = service_->output();
  std::size_t refusals = 0;
  const std::string line = "mailbox support: sign-in refused";
  for (auto at = log.find(line); at != std::string::npos; at = log.find(line, at + 1)) {
    ++refusals;
  }
  EXPECT_GE(refusals, 1u);
  EXPECT_LE(refusals, 2u) << "the token refused, then invalid_grant; nothing per retry\n" << log;

  plain.deliver(makeSampleMessage(102));
  ASSERT_TRUE(eventually([&] { return messages("plain") == "2"; }, 60)) << service_->output();
  auto other = mailboxStatus("plain");
  EXPECT_EQ(other["state"], "ok") << other.dump();
  EXPECT_TRUE(other["token_expires_at"].is_null());
  auto support = mailboxStatus("support");
  EXPECT_EQ(support["state"], "auth_required") << support.dump();
  EXPECT_GE(support["consecutive_failures"].get<int>(), 1);
  EXPECT_EQ(messages("support"), "1");
  auto metrics = httpGet(port_, "/metrics", "").body;
  EXPECT_NE(
      metrics.find("helpdesk_ingest_mailbox_state{mailbox=\"support\",state=\"auth_required\"} 1"),
      std::string::npos);
}

TEST_F(OAuth2Service, AuthLoginWhileTheServiceRunsMakesTheMailboxOkWithoutARestart) {
  // The backoff grows to 16 s and more: only the new sign-in can explain a quick recovery.
  start(serviceConfig(db_, box_, identity_->authority(), "", 600));
  box_.deliver(makeSampleMessage(1));
  ASSERT_TRUE(eventually([&] { return messages("support") == "1"; }, 60)) << service_->output();

  identity_->revokeRefreshTokens();
  identity_->revokeAccessTokens();
  // The refresh token is refused (invalid_grant), and the retries go on with it...
  ASSERT_TRUE(eventually(
      [&] {
        auto status = mailboxStatus("support");
        return status["state"] == "auth_required" && status["last_error"].is_string() &&
               status["last_error"].get<std::string>().find("invalid_grant") != std::string::npos &&
               status["consecutive_failures"].get<int>() >= 5;
      },
      60))
      << mailboxStatus("support").dump() << service_->output();
  const int refreshes_while_refused = identity_->refreshCount();

  // ...until someone runs `auth login` again, while the service runs.
  box_.deliver(makeSampleMessage(2));
  login();
  ASSERT_TRUE(eventually([&] { return mailboxStatus("support")["state"] == "ok"; }, 60))
      << mailboxStatus("support").dump() << service_->output();
  ASSERT_TRUE(eventually([&] { return messages("support") == "2"; }, 30)) << service_->output();
  // The worker noticed the sign-in at its next poll-interval check, before the rest of its 8-16 s
  // backoff: the line is logged only when the wait ends early. (How long the pass then takes is
  // Dovecot's and the machine's business, so no clock is read here.)
  EXPECT_NE(service_->output().find("a new sign-in was stored; trying again now"),
            std::string::npos)
      << service_->output();
  EXPECT_GE(identity_->refreshCount(), refreshes_while_refused);
  EXPECT_EQ(mailboxStatus("support")["consecutive_failures"], 0);
}

}  // namespace
}  // namespace hd::test
