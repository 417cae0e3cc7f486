#include <gtest/gtest.h>

#include "connectors/oauth2/token_client.hpp"
#include "oauth2_fakes.hpp"

namespace hd::oauth2 {
namespace {

using test::FakeClock;
using test::ScriptedTransport;
using test::tokenJson;

ClientConfig outlookConfig() {
  ClientConfig config;
  config.client_id = "9e5f94bc-e8a4-4e73-b8be-63364c29d753";
  config.scopes = {kImapScope, kOfflineAccessScope};
  return config;
}

DeviceCode deviceCode(const FakeClock& clock,
                      std::chrono::seconds interval = std::chrono::seconds(5)) {
  DeviceCode code;
  code.device_code = "DEV";
  code.user_code = "USER";
  code.interval = interval;
  code.expires_at = clock.now() + std::chrono::seconds(900);
  return code;
}

TEST(OAuth2TokenClient, BuildsMicrosoftUrls) {
  ScriptedTransport transport;
  FakeClock clock;
  TokenClient client(outlookConfig(), transport, clock);
  EXPECT_EQ(client.tokenUrl(), "https://login.microsoftonline.com/consumers/oauth2/v2.0/token");
  EXPECT_EQ(client.deviceCodeUrl(),
            "https://login.microsoftonline.com/consumers/oauth2/v2.0/devicecode");
}

TEST(OAuth2TokenClient, RefusesPlainHttpExceptLoopback) {
  ScriptedTransport transport;
  FakeClock clock;
  ClientConfig config = outlookConfig();
  config.authority = "http://login.example.com";
  EXPECT_THROW(TokenClient(config, transport, clock), std::invalid_argument);
  config.authority = "http://127.0.0.1:8080/";
  TokenClient client(config, transport, clock);
  EXPECT_EQ(client.tokenUrl(), "http://127.0.0.1:8080/consumers/oauth2/v2.0/token");
  config.client_id.clear();
  EXPECT_THROW(TokenClient(config, transport, clock), std::invalid_argument);
}

TEST(OAuth2TokenClient, RefreshSendsGrantAndReturnsRotatedToken) {
  ScriptedTransport transport;
  FakeClock clock;
  TokenClient client(outlookConfig(), transport, clock);
  transport.answer(200, tokenJson("access-2", "refresh-2"));
  TokenResult result = client.refresh("refresh-1");
  ASSERT_TRUE(std::holds_alternative<TokenSet>(result));
  EXPECT_EQ(std::get<TokenSet>(result).refresh_token, "refresh-2");
  ASSERT_EQ(transport.requests.size(), 1u);
  EXPECT_EQ(transport.requests[0].body,
            "grant_type=refresh_token&refresh_token=refresh-1&scope=https%3A%2F%2Foutlook.office."
            "com%2FIMAP.AccessAsUser.All+offline_access&client_id=9e5f94bc-e8a4-4e73-b8be-"
            "63364c29d753");
}

TEST(OAuth2TokenClient, OnlyTheClientCredentialsGrantCarriesTheSecret) {
  // A public client sending a secret is refused with AADSTS700025 (invalid_client).
  ScriptedTransport transport;
  FakeClock clock;
  ClientConfig config = outlookConfig();
  config.client_secret = "s3cr&t";
  TokenClient client(config, transport, clock);
  transport.answer(200, R"({"device_code":"D","user_code":"U","verification_uri":"https://)"
                        R"(www.microsoft.com/link","expires_in":900})");
  transport.answer(200, tokenJson("access-1", "refresh-1"));
  transport.answer(200, tokenJson("access-2", "refresh-2"));
  transport.answer(200, tokenJson("app-token", ""));
  client.startDeviceLogin();
  client.pollDeviceLogin(deviceCode(clock), [&](std::chrono::seconds s) {
    clock.advance(s);
    return true;
  });
  client.refresh("refresh-1");
  client.clientCredentials();
  ASSERT_EQ(transport.requests.size(), 4u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(transport.requests[i].body.find("client_secret"), std::string::npos)
        << transport.requests[i].body;
  }
  EXPECT_NE(transport.requests[3].body.find("&client_secret=s3cr%26t"), std::string::npos)
      << transport.requests[3].body;
}

TEST(OAuth2TokenClient, ClientCredentialsDefaultsToAppOnlyScope) {
  ScriptedTransport transport;
  FakeClock clock;
  ClientConfig config = outlookConfig();
  config.scopes.clear();
  config.tenant = "contoso.onmicrosoft.com";
  TokenClient client(config, transport, clock);
  transport.answer(200, tokenJson("app-token", ""));
  TokenResult result = client.clientCredentials();
  ASSERT_TRUE(std::holds_alternative<TokenSet>(result));
  EXPECT_EQ(transport.requests[0].url,
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token");
  EXPECT_EQ(
      transport.requests[0].body.rfind(
          "grant_type=client_credentials&scope=https%3A%2F%2Foutlook.office365.com%2F.default", 0),
      0u);
}

TEST(OAuth2TokenClient, StartDeviceLoginPostsClientAndScope) {
  ScriptedTransport transport;
  FakeClock clock;
  TokenClient client(outlookConfig(), transport, clock);
  transport.answer(200, R"({"device_code":"D","user_code":"U","verification_uri":"https://)"
                        R"(www.microsoft.com/link","expires_in":900,"interval":5,"message":"M"})");
  DeviceCodeResult result = client.startDeviceLogin();
  ASSERT_TRUE(std::holds_alternative<DeviceCode>(result));
  EXPECT_EQ(std::get<DeviceCode>(result).message, "M");
  EXPECT_EQ(transport.requests[0].url, client.deviceCodeUrl());
  EXPECT_EQ(transport.requests[0].body.rfind("client_id=9e5f94bc", 0), 0u);
  // openid email profile: the answer then names the account that approved the code.
  EXPECT_NE(transport.requests[0].body.find("&scope=https%3A%2F%2Foutlook.office.com%2FIMAP."
                                            "AccessAsUser.All+offline_access+openid+email+profile"),
            std::string::npos)
      << transport.requests[0].body;
}

TEST(OAuth2TokenClient, DeviceLoginDoesNotRepeatOpenIdScopesAlreadyConfigured) {
  ScriptedTransport transport;
  FakeClock clock;
  ClientConfig config = outlookConfig();
  config.scopes.push_back("openid");
  config.scopes.push_back("email");
  TokenClient client(config, transport, clock);
  transport.answer(400, R"({"error":"invalid_scope"})");
  client.startDeviceLogin();
  EXPECT_NE(transport.requests[0].body.find("offline_access+openid+email+profile"),
            std::string::npos)
      << transport.requests[0].body;
  EXPECT_EQ(transport.requests[0].body.find("openid+email+profile+"), std::string::npos);
}

TEST(OAuth2TokenClient, PollKeepsGoingWhilePendingAndSlowsDown) {
  ScriptedTransport transport;
  FakeClock clock;
  TokenClient client(outlookConfig(), transport, clock);
  transport.answer(400, R"({"error":"authorization_pending"})");
  transport.answer(400, R"({"error":"slow_down"})");
  transport.answer(0, "");  // a lost connection while polling is retried
  transport.answer(400, R"({"error":"authorization_pending"})");
  transport.answer(200, tokenJson("access-1", "refresh-1"));
  std::vector<long long> waits;
  TokenResult result = client.pollDeviceLogin(deviceCode(clock), [&](std::chrono::seconds s) {
    waits.push_back(s.count());
    clock.advance(s);
    return true;
  });
  ASSERT_TRUE(std::holds_alternative<TokenSet>(result));
  EXPECT_EQ(std::get<TokenSet>(result).refresh_token, "refresh-1");
  EXPECT_EQ(waits, (std::vector<long long>{5, 5, 10, 10, 10}));
  EXPECT_NE(
      transport.requests[0].body.find(
          "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=DEV"),
      std::string::npos);
}

TEST(OAuth2TokenClient, PollStopsOnFinalErrors) {
  for (const char* final_error :
       {"authorization_declined", "expired_token", "bad_verification_code"}) {
    ScriptedTransport transport;
    FakeClock clock;
    TokenClient client(outlookConfig(), transport, clock);
    transport.answer(400, R"({"error":"authorization_pending"})");
    transport.answer(400, std::string(R"({"error":")") + final_error + R"("})");
    TokenResult result = client.pollDeviceLogin(deviceCode(clock), [&](std::chrono::seconds s) {
      clock.advance(s);
      return true;
    });
    ASSERT_TRUE(std::holds_alternative<OAuthError>(result)) << final_error;
    EXPECT_EQ(std::get<OAuthError>(result).error, final_error);
    EXPECT_EQ(transport.pending(), 0u);
  }
}

TEST(OAuth2TokenClient, PollGivesUpWhenTheCodeExpiresOrIsCancelled) {
  ScriptedTransport transport;
  FakeClock clock;
  TokenClient client(outlookConfig(), transport, clock);
  for (int i = 0; i < 3; ++i) transport.answer(400, R"({"error":"authorization_pending"})");
  TokenResult result = client.pollDeviceLogin(deviceCode(clock), [&](std::chrono::seconds) {
    clock.advance(std::chrono::seconds(400));
    return true;
  });
  ASSERT_TRUE(std::holds_alternative<OAuthError>(result));
  EXPECT_EQ(std::get<OAuthError>(result).error, "expired_token");
  EXPECT_EQ(transport.requests.size(), 3u);

  TokenResult cancelled =
      client.pollDeviceLogin(deviceCode(clock), [](std::chrono::seconds) { return false; });
  ASSERT_TRUE(std::holds_alternative<OAuthError>(cancelled));
  EXPECT_EQ(std::get<OAuthError>(cancelled).error, "cancelled");
}

}  // namespace
}  // namespace hd::oauth2
