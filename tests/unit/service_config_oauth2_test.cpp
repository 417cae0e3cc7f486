#include <gtest/gtest.h>

#include <map>

#include "connectors/oauth2/token_client.hpp"
#include "service/config.hpp"
#include "tests/support/test_env.hpp"

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
                 R"( "http://127.0.0.1:8089", "tenant": "consumers", "scopes":)"
                 R"( ["https://outlook.office.com/POP.AccessAsUser.All", "offline_access"]})"),
      fakeEnv({{"HELPDESK_SECRET_KEY", "ZW52"}}));
  const auto& box = config.mailboxes.at(0);
  EXPECT_EQ(box.endpoint.host, "127.0.0.1");
  EXPECT_EQ(box.endpoint.port, 1995);
  EXPECT_EQ(box.oauth2.tenant, "consumers");
  EXPECT_EQ(box.oauth2.scopes,
            (std::vector<std::string>{oauth2::kPopScope, oauth2::kOfflineAccessScope}));
  EXPECT_EQ(box.oauth2.login_account, "u") << "the username signs in unless said otherwise";
  EXPECT_EQ(config.secret_key, "ZW52");
  EXPECT_EQ(config.secret_key_origin, "HELPDESK_SECRET_KEY");

  Config pop = parseConfig(configWith(R"("provider": "outlook", "protocol": "pop3",)"
                                      R"( "username": "u", "oauth2": {"client_id": "abc",)"
                                      R"( "tenant": "organizations"})"),
                           fakeEnv());
  EXPECT_EQ(pop.mailboxes.at(0).endpoint.port, 995);
  EXPECT_EQ(pop.mailboxes.at(0).oauth2.scopes.at(0), oauth2::kPopScope);
  EXPECT_TRUE(pop.secret_key.empty());
}

TEST(ConfigOAuth2, ClientCredentialsFlowNeedsASecretAndUsesDefaultScope) {
  EXPECT_EQ(errorKey(configWith(R"("provider": "outlook", "username": "u", "oauth2":)"
                                R"( {"client_id": "a", "tenant": "contoso.onmicrosoft.com",)"
                                R"( "flow": "client_credentials"})")),
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
  EXPECT_EQ(
      errorKey(configWith(base + R"("oauth2": {"tenant": "common", "client_id": "a", "authority":)"
                                 R"( "http://login.example.com"})")),
      "mailboxes[0].oauth2.authority");
  EXPECT_EQ(errorKey(configWith(base + R"("oauth2": {"client_id": "a", "tenant": "a/b"})")),
            "mailboxes[0].oauth2.tenant");
  EXPECT_EQ(errorKey(configWith(
                base + R"("oauth2": {"client_id": "a", "tenant": "common", "scope": "x"})")),
            "mailboxes[0].oauth2.scope");
  EXPECT_EQ(errorKey(configWith(
                base + R"("oauth2": {"client_id": "a", "tenant": "common", "scopes": "x"})")),
            "mailboxes[0].oauth2.scopes");
  EXPECT_EQ(errorKey(configWith(
                base + R"("password": "p", "oauth2": {"client_id": "a", "tenant": "common"})")),
            "mailboxes[0].password");
  EXPECT_EQ(errorKey(configWith(R"("provider": "gmail", "host": "h", "username": "u")")),
            "mailboxes[0].provider");
  EXPECT_EQ(errorKey(configWith(R"("provider": "outlook", "username": "u",)"
                                R"( "oauth2": {"client_id": "a", "tenant": "common"})",
                                R"("secrets": {"keyfile": "x"},)")),
            "secrets.keyfile");
}

// What a config error tells the operator (the key and the message).
std::string errorText(const std::string& json) {
  try {
    parseConfig(json, fakeEnv());
    return "";
  } catch (const ConfigError& e) {
    return e.what();
  }
}

std::string outlookBox(const std::string& oauth2, const std::string& protocol = "imap") {
  return configWith(R"("provider": "outlook", "protocol": ")" + protocol +
                    R"(", "username": "help@contoso.com", "oauth2": {"client_id": "a")" + oauth2 +
                    "}");
}

TEST(ConfigOAuth2, TenantIsRequiredBecauseNoDefaultWorksForEveryAccount) {
  // consumers locks out Microsoft 365, organizations locks out Outlook.com: no default.
  const std::string error = errorText(outlookBox(""));
  EXPECT_NE(error.find("mailboxes[0].oauth2.tenant: is required"), std::string::npos) << error;
  EXPECT_NE(error.find("consumers"), std::string::npos) << error;
  EXPECT_NE(error.find("Microsoft 365"), std::string::npos) << error;
  // Also without the preset: every xoauth2 mailbox talks to the Microsoft identity platform.
  EXPECT_EQ(errorKey(configWith(R"("host": "h", "username": "u", "auth": "xoauth2",)"
                                R"( "oauth2": {"client_id": "a"})")),
            "mailboxes[0].oauth2.tenant");
  EXPECT_EQ(errorKey(outlookBox(R"(, "tenant": null)")), "mailboxes[0].oauth2.tenant");
  EXPECT_EQ(errorKey(outlookBox(R"(, "tenant": "")")), "mailboxes[0].oauth2.tenant");
  for (const char* tenant : {"consumers", "organizations", "common", "contoso.onmicrosoft.com",
                             "72f988bf-86f1-41af-91ab-2d7cd011db47"}) {
    Config config = parseConfig(outlookBox(R"(, "tenant": ")" + std::string(tenant) + "\""));
    EXPECT_EQ(config.mailboxes.at(0).oauth2.tenant, tenant);
  }
}

TEST(ConfigOAuth2, ClientCredentialsRefusesTenantAliasesInAnySpelling) {
  const std::string flow = R"(, "flow": "client_credentials", "client_secret": "s", "tenant": ")";
  for (const char* alias :
       {"common", "consumers", "organizations", "Common", "CONSUMERS", "Organizations"}) {
    const std::string error = errorText(outlookBox(flow + alias + "\""));
    EXPECT_NE(error.find("mailboxes[0].oauth2.tenant: "), std::string::npos) << alias;
    EXPECT_NE(error.find("tenant id or domain"), std::string::npos) << error;
  }
  Config config = parseConfig(outlookBox(flow + "contoso.onmicrosoft.com\""));
  EXPECT_EQ(config.mailboxes.at(0).oauth2.client_secret, "s");
}

TEST(ConfigOAuth2, DeviceCodeFlowRefusesAClientSecret) {
  // A public client that sends a secret is refused by Microsoft (AADSTS700025).
  for (const std::string secret : {R"(, "client_secret": "s")", R"(, "client_secret": "")",
                                   R"(, "flow": "device_code", "client_secret": "s")"}) {
    const std::string error = errorText(outlookBox(R"(, "tenant": "consumers")" + secret));
    EXPECT_NE(error.find("mailboxes[0].oauth2.client_secret: "), std::string::npos)
        << secret << ": " << error;
    EXPECT_NE(error.find("AADSTS700025"), std::string::npos) << error;
    EXPECT_EQ(error.find(": s"), std::string::npos) << "the secret is echoed: " << error;
  }
  test::TempFile secret_file("s3cret\n");
  const std::string error = errorText(outlookBox(
      R"(, "tenant": "consumers", "client_secret_file": ")" + secret_file.path() + "\""));
  EXPECT_NE(error.find("mailboxes[0].oauth2.client_secret: "), std::string::npos) << error;
  EXPECT_EQ(error.find("s3cret"), std::string::npos) << error;
}

TEST(ConfigOAuth2, ScopesOverrideMustNameTheOutlookScopeOfTheProtocol) {
  auto scopes = [](const std::string& list, const std::string& protocol = "imap") {
    return outlookBox(R"(, "tenant": "consumers", "scopes": [)" + list + "]", protocol);
  };
  const char* graph = R"("https://graph.microsoft.com/Mail.Read", "offline_access")";
  std::string error = errorText(scopes(graph));
  EXPECT_NE(error.find("mailboxes[0].oauth2.scopes: "), std::string::npos) << error;
  EXPECT_NE(error.find("not an Outlook scope"), std::string::npos) << error;
  // A Graph scope next to the right one still spoils the token (one resource per token).
  EXPECT_EQ(errorKey(scopes(R"("https://outlook.office.com/IMAP.AccessAsUser.All", "User.Read",)"
                            R"( "offline_access")")),
            "mailboxes[0].oauth2.scopes");
  EXPECT_EQ(errorKey(scopes(R"("User.Read", "offline_access")")), "mailboxes[0].oauth2.scopes");
  EXPECT_EQ(errorKey(scopes(R"("offline_access")")), "mailboxes[0].oauth2.scopes");
  EXPECT_EQ(errorKey(scopes("")), "mailboxes[0].oauth2.scopes");
  // The other protocol's scope does not open this mailbox.
  error =
      errorText(scopes(R"("https://outlook.office.com/POP.AccessAsUser.All", "offline_access")"));
  EXPECT_NE(error.find("IMAP.AccessAsUser.All"), std::string::npos) << error;
  EXPECT_EQ(errorKey(scopes(
                R"("https://outlook.office.com/IMAP.AccessAsUser.All", "offline_access")", "pop3")),
            "mailboxes[0].oauth2.scopes");
  // Look-alike hosts are not the Outlook resource.
  EXPECT_EQ(errorKey(scopes(R"("https://outlook.office.com.evil.example/IMAP.AccessAsUser.All",)"
                            R"( "offline_access")")),
            "mailboxes[0].oauth2.scopes");
  EXPECT_EQ(
      errorKey(scopes(R"("http://outlook.office.com/IMAP.AccessAsUser.All", "offline_access")")),
      "mailboxes[0].oauth2.scopes");
  // Without offline_access there is no refresh token.
  EXPECT_EQ(errorKey(scopes(R"("https://outlook.office.com/IMAP.AccessAsUser.All")")),
            "mailboxes[0].oauth2.scopes");

  // Accepted: either Outlook host, any case, OpenID Connect scopes next to it.
  Config config = parseConfig(scopes(R"("https://outlook.office365.com/imap.accessasuser.all",)"
                                     R"( "openid", "email", "offline_access")"));
  EXPECT_EQ(config.mailboxes.at(0).oauth2.scopes.size(), 4u);
  parseConfig(
      scopes(R"("https://outlook.office.com/POP.AccessAsUser.All", "offline_access")", "pop3"));
}

TEST(ConfigOAuth2, ClientCredentialsScopesMustBeTheOutlookDefaultScope) {
  const std::string flow =
      R"(, "tenant": "contoso.onmicrosoft.com", "flow": "client_credentials", "client_secret": "s")";
  EXPECT_EQ(errorKey(outlookBox(flow + R"(, "scopes": ["https://graph.microsoft.com/.default"])")),
            "mailboxes[0].oauth2.scopes");
  EXPECT_EQ(errorKey(outlookBox(
                flow + R"(, "scopes": ["https://outlook.office.com/IMAP.AccessAsUser.All"])")),
            "mailboxes[0].oauth2.scopes");
  Config config =
      parseConfig(outlookBox(flow + R"(, "scopes": ["https://outlook.office365.com/.default"])"));
  EXPECT_EQ(config.mailboxes.at(0).oauth2.scopes.at(0), oauth2::kAppOnlyScope);
}

TEST(ConfigOAuth2, LoginAccountNamesTheMemberWhoSignsInForASharedMailbox) {
  Config config =
      parseConfig(outlookBox(R"(, "tenant": "contoso.com", "login_account": "alice@contoso.com")"));
  EXPECT_EQ(config.mailboxes.at(0).username, "help@contoso.com");
  EXPECT_EQ(config.mailboxes.at(0).oauth2.login_account, "alice@contoso.com");
  EXPECT_EQ(errorKey(outlookBox(R"(, "tenant": "contoso.com", "login_account": "")")),
            "mailboxes[0].oauth2.login_account");
  EXPECT_EQ(errorKey(outlookBox(R"(, "tenant": "contoso.com", "flow": "client_credentials",)"
                                R"( "client_secret": "s", "login_account": "a@contoso.com")")),
            "mailboxes[0].oauth2.login_account");
}

}  // namespace
}  // namespace hd::service
