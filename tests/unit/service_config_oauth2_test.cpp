#include <gtest/gtest.h>

#include <map>

#include "connectors/oauth2/token_client.hpp"
#include "service/config.hpp"

namespace hd::service {
namespace {

EnvLookup fakeEnv(std::map<std::string, std::string> vars = {}) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::string configWith(const std::string& mailbox, const std::string& top = "") {
  return R"({"database": {"url": "postgresql://u@127.0.0.1/db"}, )" + top +
         R"( "mailboxes": [{"name": "support", )" + mailbox + "}]}";
}

std::string errorKey(const std::string& json, const EnvLookup& env = fakeEnv()) {
  try {
    parseConfig(json, env);
    return "";
  } catch (const ConfigError& e) {
    return e.key();
  }
}

TEST(ConfigOAuth2, OutlookPresetNeedsOnlyUsernameTenantAndClientId) {
  Config config =
      parseConfig(configWith(R"("provider": "outlook", "username": "help@outlook.com",)"
                             R"( "oauth2": {"tenant": "consumers", "client_id": "abc"})",
                             R"("secrets": {"key": "a2V5"},)"),
                  fakeEnv());
  const auto& box = config.mailboxes.at(0);
  EXPECT_EQ(box.endpoint.host, "outlook.office365.com");
  EXPECT_EQ(box.endpoint.port, 993);
  EXPECT_EQ(box.endpoint.tls, net::TlsMode::kImplicit);
  EXPECT_EQ(box.auth, AuthMethod::kXoauth2);
  EXPECT_EQ(box.oauth2.authority, "https://login.microsoftonline.com");
  EXPECT_EQ(box.oauth2.scopes,
            (std::vector<std::string>{oauth2::kImapScope, oauth2::kOfflineAccessScope}));
  EXPECT_FALSE(box.oauth2.client_credentials);
  EXPECT_EQ(config.secret_key, "a2V5");
  EXPECT_EQ(config.secret_key_origin, "secrets.key");
}

TEST(ConfigOAuth2, OutlookPop3PresetAndOverrides) {
  Config config = parseConfig(
      configWith(R"("provider": "outlook", "protocol": "pop3", "username": "u", "port": 1995,)"
                 R"( "host": "127.0.0.1", "oauth2": {"client_id": "abc", "authority":)"
                 R"( "http://127.0.0.1:8089", "scopes": ["x", "offline_access"]})"),
      fakeEnv({{"HELPDESK_SECRET_KEY", "ZW52"}}));
  const auto& box = config.mailboxes.at(0);
  EXPECT_EQ(box.endpoint.host, "127.0.0.1");
  EXPECT_EQ(box.endpoint.port, 1995);
  EXPECT_EQ(box.oauth2.tenant, "consumers");
  EXPECT_EQ(box.oauth2.scopes, (std::vector<std::string>{"x", "offline_access"}));
  EXPECT_EQ(config.secret_key, "ZW52");
  EXPECT_EQ(config.secret_key_origin, "HELPDESK_SECRET_KEY");

  Config pop = parseConfig(configWith(R"("provider": "outlook", "protocol": "pop3",)"
                                      R"( "username": "u", "oauth2": {"client_id": "abc"})"),
                           fakeEnv());
  EXPECT_EQ(pop.mailboxes.at(0).endpoint.port, 995);
  EXPECT_EQ(pop.mailboxes.at(0).oauth2.scopes.at(0), oauth2::kPopScope);
  EXPECT_TRUE(pop.secret_key.empty());
}

TEST(ConfigOAuth2, ClientCredentialsFlowNeedsASecretAndUsesDefaultScope) {
  EXPECT_EQ(errorKey(configWith(R"("provider": "outlook", "username": "u",)"
                                R"( "oauth2": {"client_id": "a", "flow": "client_credentials"})")),
            "mailboxes[0].oauth2.client_secret");
  Config config = parseConfig(configWith(
      R"("provider": "outlook", "username": "u", "oauth2": {"tenant": "contoso.onmicrosoft.com",)"
      R"( "client_id": "a", "client_secret": "s", "flow": "client_credentials"})"));
  EXPECT_TRUE(config.mailboxes.at(0).oauth2.client_credentials);
  EXPECT_EQ(config.mailboxes.at(0).oauth2.scopes,
            (std::vector<std::string>{oauth2::kAppOnlyScope}));
}

TEST(ConfigOAuth2, RejectsBadOAuth2Settings) {
  const std::string base = R"("host": "h", "username": "u", "auth": "xoauth2", )";
  EXPECT_EQ(errorKey(configWith(base + R"("x": 1)")), "mailboxes[0].oauth2");
  EXPECT_EQ(errorKey(configWith(base + R"("oauth2": {})")), "mailboxes[0].oauth2.client_id");
  EXPECT_EQ(errorKey(configWith(base + R"("oauth2": {"client_id": "a", "authority":)"
                                       R"( "http://login.example.com"})")),
            "mailboxes[0].oauth2.authority");
  EXPECT_EQ(errorKey(configWith(base + R"("oauth2": {"client_id": "a", "tenant": "a/b"})")),
            "mailboxes[0].oauth2.tenant");
  EXPECT_EQ(errorKey(configWith(base + R"("oauth2": {"client_id": "a", "scope": "x"})")),
            "mailboxes[0].oauth2.scope");
  EXPECT_EQ(errorKey(configWith(base + R"("oauth2": {"client_id": "a", "scopes": "x"})")),
            "mailboxes[0].oauth2.scopes");
  EXPECT_EQ(errorKey(configWith(base + R"("password": "p", "oauth2": {"client_id": "a"})")),
            "mailboxes[0].password");
  EXPECT_EQ(errorKey(configWith(R"("provider": "gmail", "host": "h", "username": "u")")),
            "mailboxes[0].provider");
  EXPECT_EQ(errorKey(configWith(R"("provider": "outlook", "username": "u",)"
                                R"( "oauth2": {"client_id": "a"})",
                                R"("secrets": {"keyfile": "x"},)")),
            "secrets.keyfile");
}

}  // namespace
}  // namespace hd::service
