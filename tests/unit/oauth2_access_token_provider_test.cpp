#include <gtest/gtest.h>

#include "connectors/net/errors.hpp"
#include "connectors/oauth2/access_token_provider.hpp"
#include "oauth2_fakes.hpp"

namespace hd::oauth2 {
namespace {

using test::FakeClock;
using test::MemoryTokenStore;
using test::ScriptedTransport;
using test::tokenJson;

class OAuth2AccessTokenProvider : public ::testing::Test {
 protected:
  OAuth2AccessTokenProvider() : client_(config(), transport_, clock_) {}
  static ClientConfig config() {
    ClientConfig c;
    c.client_id = "client";
    c.scopes = {kImapScope, kOfflineAccessScope};
    return c;
  }
  void storeLogin(std::chrono::seconds valid_for) {
    TokenSet tokens;
    tokens.access_token = "access-0";
    tokens.refresh_token = "refresh-0";
    tokens.expires_at = clock_.now() + valid_for;
    store_.stored = tokens;
  }

  ScriptedTransport transport_;
  FakeClock clock_;
  MemoryTokenStore store_;
  TokenClient client_;
};

TEST_F(OAuth2AccessTokenProvider, UsesStoredTokenUntilShortlyBeforeExpiry) {
  storeLogin(std::chrono::seconds(3599));
  AccessTokenProvider provider(client_, &store_, clock_);
  EXPECT_EQ(provider.accessToken(), "access-0");
  clock_.advance(std::chrono::seconds(3599 - 301));
  EXPECT_EQ(provider.accessToken(), "access-0");
  EXPECT_TRUE(transport_.requests.empty());

  clock_.advance(std::chrono::seconds(2));  // inside the 5-minute margin: refresh now
  transport_.answer(200, tokenJson("access-1", "refresh-1"));
  EXPECT_EQ(provider.accessToken(), "access-1");
  ASSERT_EQ(transport_.requests.size(), 1u);
  EXPECT_NE(transport_.requests[0].body.find("refresh_token=refresh-0"), std::string::npos);
}

TEST_F(OAuth2AccessTokenProvider, StoresEveryRotatedRefreshToken) {
  storeLogin(std::chrono::seconds(0));
  AccessTokenProvider provider(client_, &store_, clock_);
  for (int i = 1; i <= 3; ++i) {
    transport_.answer(200,
                      tokenJson("access-" + std::to_string(i), "refresh-" + std::to_string(i)));
    EXPECT_EQ(provider.accessToken(), "access-" + std::to_string(i));
    clock_.advance(std::chrono::seconds(3600));
  }
  EXPECT_EQ(store_.saved_refresh_tokens,
            (std::vector<std::string>{"refresh-1", "refresh-2", "refresh-3"}));
  EXPECT_NE(transport_.requests[2].body.find("refresh_token=refresh-2"), std::string::npos);
}

TEST_F(OAuth2AccessTokenProvider, KeepsOldRefreshTokenWhenNoneIsReturned) {
  storeLogin(std::chrono::seconds(0));
  AccessTokenProvider provider(client_, &store_, clock_);
  transport_.answer(200, tokenJson("access-1", ""));
  EXPECT_EQ(provider.accessToken(), "access-1");
  EXPECT_EQ(store_.stored->refresh_token, "refresh-0");
}

TEST_F(OAuth2AccessTokenProvider, InvalidGrantNeedsLogin) {
  storeLogin(std::chrono::seconds(0));
  AccessTokenProvider provider(client_, &store_, clock_);
  transport_.answer(400, R"({"error":"invalid_grant","error_description":"AADSTS50173"})");
  try {
    provider.accessToken();
    FAIL() << "expected AuthError";
  } catch (const net::AuthError& e) {
    EXPECT_FALSE(e.retryable());
    EXPECT_NE(std::string(e.what()).find("auth login"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("AADSTS50173"), std::string::npos);
  }
  EXPECT_TRUE(store_.saved_refresh_tokens.empty());
}

TEST_F(OAuth2AccessTokenProvider, ServerTroubleIsRetryableAndNetworkLossPropagates) {
  storeLogin(std::chrono::seconds(0));
  AccessTokenProvider provider(client_, &store_, clock_);
  transport_.answer(503, "<html>Service Unavailable</html>");
  try {
    provider.accessToken();
    FAIL() << "expected AuthError";
  } catch (const net::AuthError& e) {
    EXPECT_TRUE(e.retryable());
  }
  transport_.answer(0, "");
  EXPECT_THROW(provider.accessToken(), net::NetworkError);
}

TEST_F(OAuth2AccessTokenProvider, NoStoredLoginNeedsLogin) {
  AccessTokenProvider provider(client_, &store_, clock_);
  try {
    provider.accessToken();
    FAIL() << "expected AuthError";
  } catch (const net::AuthError& e) {
    EXPECT_FALSE(e.retryable());
  }
}

TEST_F(OAuth2AccessTokenProvider, InvalidateForcesRefresh) {
  storeLogin(std::chrono::seconds(3599));
  AccessTokenProvider provider(client_, &store_, clock_);
  EXPECT_EQ(provider.accessToken(), "access-0");
  provider.invalidate();
  transport_.answer(200, tokenJson("access-1", "refresh-1"));
  EXPECT_EQ(provider.accessToken(), "access-1");
}

TEST_F(OAuth2AccessTokenProvider, AfterInvalidGrantANewLoginInTheStoreIsUsedWithoutRestart) {
  storeLogin(std::chrono::seconds(0));
  AccessTokenProvider provider(client_, &store_, clock_);
  transport_.answer(400, R"({"error":"invalid_grant","error_description":"AADSTS70000"})");
  EXPECT_THROW(provider.accessToken(), net::AuthError);
  ASSERT_EQ(transport_.requests.size(), 1u);

  // Nobody signed in yet: the same refusal, and no request with the dead token.
  try {
    provider.accessToken();
    FAIL() << "expected AuthError";
  } catch (const net::AuthError& e) {
    EXPECT_FALSE(e.retryable());
    EXPECT_NE(std::string(e.what()).find("AADSTS70000"), std::string::npos) << e.what();
  }
  EXPECT_EQ(transport_.requests.size(), 1u);

  // `auth login` in another process stores new tokens: the same provider uses them.
  TokenSet login;
  login.access_token = "access-new";
  login.refresh_token = "refresh-new";
  login.expires_at = clock_.now() + std::chrono::seconds(3599);
  store_.stored = login;
  EXPECT_EQ(provider.accessToken(), "access-new");
  EXPECT_EQ(transport_.requests.size(), 1u);
  clock_.advance(std::chrono::seconds(3500));
  transport_.answer(200, tokenJson("access-2", "refresh-2"));
  EXPECT_EQ(provider.accessToken(), "access-2");
  EXPECT_NE(transport_.requests.back().body.find("refresh_token=refresh-new"), std::string::npos);
}

TEST_F(OAuth2AccessTokenProvider, InvalidateReadsTheStoreAgainForANewerLogin) {
  // The mail server refused the token (it was another account's); meanwhile `auth login` stored
  // the right account's tokens. The refresh after the refusal uses those.
  storeLogin(std::chrono::seconds(3599));
  AccessTokenProvider provider(client_, &store_, clock_);
  EXPECT_EQ(provider.accessToken(), "access-0");
  store_.stored->refresh_token = "refresh-right-account";
  provider.invalidate();
  EXPECT_FALSE(provider.expiresAt());
  transport_.answer(200, tokenJson("access-1", "refresh-1"));
  EXPECT_EQ(provider.accessToken(), "access-1");
  ASSERT_EQ(transport_.requests.size(), 1u);
  EXPECT_NE(transport_.requests[0].body.find("refresh_token=refresh-right-account"),
            std::string::npos);
}

TEST_F(OAuth2AccessTokenProvider, ClientCredentialsModeNeedsNoStore) {
  AccessTokenProvider provider(client_, nullptr, clock_, TokenMode::kClientCredentials);
  transport_.answer(200, tokenJson("app-1", "", 3599));
  EXPECT_EQ(provider.accessToken(), "app-1");
  EXPECT_EQ(provider.accessToken(), "app-1");
  EXPECT_EQ(transport_.requests.size(), 1u);
}

}  // namespace
}  // namespace hd::oauth2
