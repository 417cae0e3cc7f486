// OAuth2 against the fake identity server and the real PostgreSQL: `auth login` (device code),
// `auth status`, refresh with every rotated refresh token stored encrypted, and invalid_grant
// turning into a non-retryable AuthError.

#include <gtest/gtest.h>

#include "connectors/net/errors.hpp"
#include "service/config.hpp"
#include "service/oauth_access.hpp"
#include "tests/support/fake_identity_server.hpp"
#include "tests/support/test_env.hpp"

namespace hd::test {
namespace {

constexpr char kKey[] = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

std::string configJson(const std::string& db_url, const std::string& authority,
                       const std::string& secrets, const std::string& oauth2_extra = "") {
  return R"({"database": {"url": ")" + db_url + R"("}, )" + secrets +
         R"( "mailboxes": [{"name": "support", "provider": "outlook", "host": "127.0.0.1",)"
         R"( "username": "help@outlook.com", "oauth2": {"tenant": "consumers",)"
         R"( "client_id": "fake-client", "authority": ")" +
         authority + "\"" + oauth2_extra + "}}]}";
}

class OAuth2Login : public ::testing::Test {
 protected:
  FakeIdentityServer identity_{"help@outlook.com"};
  ScratchDatabase db_;
};

TEST_F(OAuth2Login, DeviceLoginStoresEncryptedTokensThatRotateOnEveryRefresh) {
  const std::string secrets = R"("secrets": {"key": ")" + std::string(kKey) + R"("},)";
  TempFile config_file(configJson(db_.url(), identity_.authority(), secrets));

  // Access tokens that expire within the refresh margin are refreshed on every use.
  identity_.setAccessTokenLifetime(60);
  ProcessResult before = runService({"auth", "status", "--config", config_file.path()}, {}, 60);
  EXPECT_EQ(before.exit_code, 0) << before.output;
  EXPECT_NE(before.output.find("support: no token stored"), std::string::npos) << before.output;

  ProcessResult login =
      runService({"auth", "login", "--config", config_file.path(), "--mailbox", "support"}, {}, 60);
  ASSERT_EQ(login.exit_code, 0) << login.output;
  EXPECT_NE(login.output.find("enter the code FAKE-CODE"), std::string::npos) << login.output;
  EXPECT_NE(login.output.find("Signed in"), std::string::npos) << login.output;
  EXPECT_EQ(login.output.find("fake-refresh"), std::string::npos) << "token printed";
  const std::string first_refresh = identity_.currentRefreshToken();
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM oauth_tokens WHERE mailbox = 'support'"), "1");
  EXPECT_EQ(db_.scalar("SELECT position('fake-' in encode(refresh_token_sealed, 'escape')) "
                       "FROM oauth_tokens"),
            "0")
      << "refresh token stored in clear";

  ProcessResult status = runService({"auth", "status", "--config", config_file.path()}, {}, 60);
  ASSERT_EQ(status.exit_code, 0) << status.output;
  EXPECT_NE(status.output.find("support: token stored"), std::string::npos) << status.output;

  service::Config config =
      service::parseConfig(configJson(db_.url(), identity_.authority(), secrets));
  const std::string rotated_before = db_.scalar("SELECT rotated_at FROM oauth_tokens");
  for (int i = 0; i < 3; ++i) {
    // A fresh source each time reads the store, as a new process would.
    auto token = service::makeAccessTokenSource(config, config.mailboxes.at(0));
    EXPECT_EQ(token.token().rfind("fake-access-", 0), 0u);
    auto again = service::makeAccessTokenSource(config, config.mailboxes.at(0));
    EXPECT_EQ(again.token().rfind("fake-access-", 0), 0u);
  }
  EXPECT_GE(identity_.refreshCount(), 3);
  EXPECT_NE(identity_.currentRefreshToken(), first_refresh);
  EXPECT_NE(db_.scalar("SELECT rotated_at FROM oauth_tokens"), rotated_before);

  identity_.revokeRefreshTokens();
  auto token = service::makeAccessTokenSource(config, config.mailboxes.at(0));
  try {
    token.token();
    FAIL() << "expected AuthError";
  } catch (const net::AuthError& e) {
    EXPECT_FALSE(e.retryable());
    EXPECT_NE(std::string(e.what()).find("invalid_grant"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("auth login"), std::string::npos);
  }
}

TEST_F(OAuth2Login, RefusesToStoreTokensWithoutAKey) {
  TempFile config_file(configJson(db_.url(), identity_.authority(), ""));
  ProcessResult login =
      runService({"auth", "login", "--config", config_file.path()}, {"HELPDESK_SECRET_KEY="}, 60);
  EXPECT_EQ(login.exit_code, 2) << login.output;
  EXPECT_NE(login.output.find("openssl rand -base64 32"), std::string::npos) << login.output;

  service::Config config = service::parseConfig(
      configJson(db_.url(), identity_.authority(), ""),
      [](const std::string&) -> std::optional<std::string> { return std::nullopt; });
  auto token = service::makeAccessTokenSource(config, config.mailboxes.at(0));
  if (std::getenv("HELPDESK_SECRET_KEY") == nullptr) {
    try {
      token.token();
      FAIL() << "expected AuthError";
    } catch (const net::AuthError& e) {
      EXPECT_FALSE(e.retryable());
      EXPECT_NE(std::string(e.what()).find("no secret key"), std::string::npos);
    }
  }
}

TEST_F(OAuth2Login, LoginAsAnotherAccountIsRefusedAndStoresNothing) {
  const std::string secrets = R"("secrets": {"key": ")" + std::string(kKey) + R"("},)";
  TempFile config_file(configJson(db_.url(), identity_.authority(), secrets));
  // The person approving the code picked their own account instead of the helpdesk's.
  identity_.setSignedInAccount("Bob@Contoso.onmicrosoft.com", "bob@contoso.com");
  ProcessResult login =
      runService({"auth", "login", "--config", config_file.path(), "--mailbox", "support"}, {}, 60);
  EXPECT_NE(login.exit_code, 0) << login.output;
  EXPECT_NE(login.output.find("Bob@Contoso.onmicrosoft.com"), std::string::npos) << login.output;
  EXPECT_NE(login.output.find("help@outlook.com"), std::string::npos) << login.output;
  EXPECT_NE(login.output.find("nothing stored"), std::string::npos) << login.output;
  EXPECT_NE(login.output.find("oauth2.login_account"), std::string::npos) << login.output;
  EXPECT_EQ(login.output.find("Signed in"), std::string::npos) << login.output;
  EXPECT_EQ(login.output.find("fake-"), std::string::npos) << "token printed: " << login.output;
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM oauth_tokens"), "0");

  // Case does not matter, and either claim may name the account (a work account's UPN may
  // differ from its address).
  identity_.setSignedInAccount("helpdesk@contoso.onmicrosoft.com", "HELP@Outlook.com");
  login =
      runService({"auth", "login", "--config", config_file.path(), "--mailbox", "support"}, {}, 60);
  EXPECT_EQ(login.exit_code, 0) << login.output;
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM oauth_tokens"), "1");
}

TEST_F(OAuth2Login, SharedMailboxSignsInWithTheNamedMemberAccount) {
  const std::string secrets = R"("secrets": {"key": ")" + std::string(kKey) + R"("},)";
  TempFile config_file(configJson(db_.url(), identity_.authority(), secrets,
                                  R"(, "login_account": "alice@contoso.com")"));
  identity_.setSignedInAccount("alice@contoso.com", "");
  ProcessResult login =
      runService({"auth", "login", "--config", config_file.path(), "--mailbox", "support"}, {}, 60);
  ASSERT_EQ(login.exit_code, 0) << login.output;
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM oauth_tokens"), "1");

  // The mailbox's own account is not the member named: refused.
  identity_.setSignedInAccount("help@outlook.com", "help@outlook.com");
  db_.scalar("DELETE FROM oauth_tokens RETURNING 1");
  login =
      runService({"auth", "login", "--config", config_file.path(), "--mailbox", "support"}, {}, 60);
  EXPECT_NE(login.exit_code, 0) << login.output;
  EXPECT_NE(login.output.find("not by alice@contoso.com"), std::string::npos) << login.output;
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM oauth_tokens"), "0");
}

TEST_F(OAuth2Login, ConfigRefusalsExitTwoNamingTheKey) {
  // Points 1, 3, 6 of issue 13 through the binary: exit 2 and the key in the message.
  const std::string secrets = R"("secrets": {"key": ")" + std::string(kKey) + R"("},)";
  std::string no_tenant = configJson(db_.url(), identity_.authority(), secrets);
  no_tenant.replace(no_tenant.find(R"("tenant": "consumers",)"), 22, "");
  for (const auto& [json, key] : std::vector<std::pair<std::string, std::string>>{
           {no_tenant, "mailboxes[0].oauth2.tenant"},
           {configJson(db_.url(), identity_.authority(), secrets, R"(, "client_secret": "x")"),
            "mailboxes[0].oauth2.client_secret"},
           {configJson(
                db_.url(), identity_.authority(), secrets,
                R"(, "scopes": ["https://graph.microsoft.com/User.Read", "offline_access"])"),
            "mailboxes[0].oauth2.scopes"}}) {
    TempFile config_file(json);
    ProcessResult run = runService({"--config", config_file.path(), "--once"}, {}, 60);
    EXPECT_EQ(run.exit_code, 2) << run.output;
    EXPECT_NE(run.output.find(key), std::string::npos) << run.output;
  }
}

}  // namespace
}  // namespace hd::test
