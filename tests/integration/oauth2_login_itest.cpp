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
                       const std::string& secrets) {
  return R"({"database": {"url": ")" + db_url + R"("}, )" + secrets +
         R"( "mailboxes": [{"name": "support", "provider": "outlook", "host": "127.0.0.1",)"
         R"( "username": "help@outlook.com", "oauth2": {"tenant": "consumers",)"
         R"( "client_id": "fake-client", "authority": ")" +
         authority + R"("}}]})";
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

}  // namespace
}  // namespace hd::test
