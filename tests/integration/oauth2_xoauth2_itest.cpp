// XOAUTH2 end to end: `auth login` against the fake identity server, then helpdesk-ingest --once
// signing in to the real Dovecot (oauth2 passdb, introspection answered by the same fake server)
// over IMAPS and POP3S, across token refreshes, and `auth_required` once the refresh token is
// revoked. Needs HD_TEST_OAUTH_PORT from deploy/local.sh (the port Dovecot introspects).

#include <gtest/gtest.h>

#include <cstdlib>

#include "tests/support/fake_identity_server.hpp"
#include "tests/support/sample_mail.hpp"
#include "tests/support/test_env.hpp"

namespace hd::test {
namespace {

std::string configJson(const ScratchDatabase& db, const TestMailbox& box,
                       const std::string& authority, const std::string& protocol,
                       const std::string& oauth2 = R"("tenant": "consumers")") {
  const auto& env = TestEnv::get();
  const int port = protocol == "imap" ? env.imaps_port : env.pop3s_port;
  return R"({"database": {"url": ")" + db.url() + R"("}, "secrets": {"key": ")" + kTestSecretKey +
         R"("}, "backoff": {"initial_seconds": 1, "max_seconds": 2},)"
         R"( "mailboxes": [{"name": "support", "provider": "outlook", "protocol": ")" +
         protocol + R"(", "host": ")" + env.mail_host + R"(", "port": )" + std::to_string(port) +
         R"(, "ca_file": ")" + env.ca_file + R"(", "username": ")" + box.user() +
         R"(", "oauth2": {)" + oauth2 + R"(, "client_id": "fake-client", "authority": ")" +
         authority + R"("}}]})";
}

class Xoauth2EndToEnd : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    // An environment without HD_TEST_OAUTH_PORT fails (TestEnv names it), never skips.
    ASSERT_NE(introspectionPort(), 0);
    identity_ = std::make_unique<FakeIdentityServer>(box_.user(), introspectionPort());
  }
  ScratchDatabase db_;
  TestMailbox box_{"oauth"};
  std::unique_ptr<FakeIdentityServer> identity_;
};

TEST_P(Xoauth2EndToEnd, SignsInAcrossRefreshesAndNeedsLoginAfterRevocation) {
  // Access tokens inside the 5-minute refresh margin: every run refreshes and rotates.
  identity_->setAccessTokenLifetime(120);
  TempFile config(configJson(db_, box_, identity_->authority(), GetParam()));
  ProcessResult login = runService({"auth", "login", "--config", config.path()}, {}, 60);
  ASSERT_EQ(login.exit_code, 0) << login.output;

  for (int run = 1; run <= 3; ++run) {
    box_.deliver(makeSampleMessage(run));
    ProcessResult once = runService({"--config", config.path(), "--once"}, {}, 120);
    ASSERT_EQ(once.exit_code, 0) << "run " << run << ": " << once.output;
    EXPECT_EQ(db_.scalar("SELECT count(*) FROM messages"), std::to_string(run));
    EXPECT_EQ(once.output.find("fake-access"), std::string::npos) << "token logged";
  }
  EXPECT_GE(identity_->refreshCount(), 3);

  identity_->revokeRefreshTokens();
  identity_->revokeAccessTokens();
  box_.deliver(makeSampleMessage(4));
  ProcessResult revoked = runService({"--config", config.path(), "--once"}, {}, 120);
  EXPECT_EQ(revoked.exit_code, 1) << revoked.output;
  EXPECT_NE(revoked.output.find("invalid_grant"), std::string::npos) << revoked.output;
  EXPECT_NE(revoked.output.find("auth login"), std::string::npos) << revoked.output;
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM messages"), "3");
}

TEST_P(Xoauth2EndToEnd, AppOnlySignsInWithTheSecretAndARefusalPointsAtTheMailboxPermission) {
  // Client credentials: no `auth login`, the secret goes with the client_credentials grant (the
  // fake refuses it on any other grant, as Microsoft does).
  const std::string app_only =
      R"("tenant": "contoso.onmicrosoft.com", "flow": "client_credentials", )"
      R"("client_secret": "app-secret-0123")";
  TempFile config(configJson(db_, box_, identity_->authority(), GetParam(), app_only));
  box_.deliver(makeSampleMessage(1));
  ProcessResult once = runService({"--config", config.path(), "--once"}, {}, 120);
  ASSERT_EQ(once.exit_code, 0) << once.output;
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM messages"), "1");

  // The app's token names another mailbox (as without Add-MailboxPermission): refused.
  identity_->setTokenUsername("someone-else");
  box_.deliver(makeSampleMessage(2));
  ProcessResult refused = runService({"--config", config.path(), "--once"}, {}, 120);
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_NE(refused.output.find("Add-MailboxPermission"), std::string::npos) << refused.output;
  EXPECT_EQ(refused.output.find("auth login"), std::string::npos)
      << "app-only mailboxes cannot use auth login: " << refused.output;
  EXPECT_EQ(refused.output.find("app-secret-0123"), std::string::npos) << "secret logged";
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM messages"), "1");
}

INSTANTIATE_TEST_SUITE_P(Protocols, Xoauth2EndToEnd, ::testing::Values("imap", "pop3"));

}  // namespace
}  // namespace hd::test
