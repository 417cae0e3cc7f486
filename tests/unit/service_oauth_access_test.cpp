// A refused access token is dropped: the credentials built for an xoauth2 mailbox tell the token
// source when sign-in throws AuthError, so the next sign-in refreshes instead of re-sending it.

#include <gtest/gtest.h>

#include "connectors/net/credentials.hpp"
#include "connectors/oauth2/access_token_provider.hpp"
#include "oauth2_fakes.hpp"
#include "service/oauth_access.hpp"
#include "service/source_factory.hpp"

namespace hd::service {
namespace {

using oauth2::test::FakeClock;
using oauth2::test::MemoryTokenStore;
using oauth2::test::ScriptedTransport;
using oauth2::test::tokenJson;

class OAuthAccessSource : public ::testing::Test {
 protected:
  OAuthAccessSource() : client_(clientConfig(), transport_, clock_) {
    oauth2::TokenSet tokens;
    tokens.access_token = "access-0";
    tokens.refresh_token = "refresh-0";
    tokens.expires_at = clock_.now() + std::chrono::seconds(3599);
    store_.stored = tokens;
    mailbox_.name = "support";
    mailbox_.username = "support@example.com";
    mailbox_.auth = AuthMethod::kXoauth2;
  }
  static oauth2::ClientConfig clientConfig() {
    oauth2::ClientConfig c;
    c.client_id = "client";
    c.scopes = {oauth2::kImapScope, oauth2::kOfflineAccessScope};
    return c;
  }
  AccessTokenSource source() {
    return accessTokenSourceOf(
        std::make_shared<oauth2::AccessTokenProvider>(client_, &store_, clock_));
  }

  ScriptedTransport transport_;
  FakeClock clock_;
  MemoryTokenStore store_;
  oauth2::TokenClient client_;
  MailboxConfig mailbox_;
};

TEST_F(OAuthAccessSource, RefusedTokenIsRefreshedAtTheNextSignInBeforeItsExpiry) {
  net::Credentials credentials = credentialsFor(mailbox_, source());
  ASSERT_EQ(credentials.method, net::Credentials::Method::kXoauth2);
  EXPECT_EQ(credentials.secret(), "access-0");
  EXPECT_EQ(credentials.secret(), "access-0");  // cached: still an hour to go
  EXPECT_TRUE(transport_.requests.empty());

  // The server refused it (revoked before its expiry): sign-in throws AuthError.
  EXPECT_THROW(net::signInReportingRefusal(
                   credentials, [] { throw net::AuthError("AUTHENTICATE failed", true); }),
               net::AuthError);

  transport_.answer(200, tokenJson("access-1", "refresh-1", 1800));
  EXPECT_EQ(credentials.secret(), "access-1");
  ASSERT_EQ(transport_.requests.size(), 1u);
  EXPECT_NE(transport_.requests[0].body.find("refresh_token=refresh-0"), std::string::npos);
  EXPECT_EQ(store_.saved_refresh_tokens, std::vector<std::string>{"refresh-1"});
}

TEST_F(OAuthAccessSource, ExpiryIsThatOfTheTokenLastHandedOut) {
  AccessTokenSource tokens = source();
  EXPECT_FALSE(tokens.expires_at());
  tokens.token();
  EXPECT_EQ(tokens.expires_at(), clock_.now() + std::chrono::seconds(3599));

  tokens.invalidate();
  EXPECT_FALSE(tokens.expires_at());
  transport_.answer(200, tokenJson("access-1", "refresh-1", 1800));
  EXPECT_EQ(tokens.token(), "access-1");
  EXPECT_EQ(tokens.expires_at(), clock_.now() + std::chrono::seconds(1800));
}

TEST_F(OAuthAccessSource, SuccessfulSignInKeepsTheToken) {
  net::Credentials credentials = credentialsFor(mailbox_, source());
  net::signInReportingRefusal(credentials, [&] { EXPECT_EQ(credentials.secret(), "access-0"); });
  EXPECT_EQ(credentials.secret(), "access-0");
  EXPECT_TRUE(transport_.requests.empty());
}

TEST_F(OAuthAccessSource, PasswordMailboxNeedsNoTokenSourceAndXoauth2One) {
  EXPECT_THROW(credentialsFor(mailbox_, std::nullopt), std::logic_error);
  mailbox_.auth = AuthMethod::kPassword;
  mailbox_.password = "secret";
  net::Credentials credentials = credentialsFor(mailbox_, std::nullopt);
  EXPECT_EQ(credentials.method, net::Credentials::Method::kPassword);
  EXPECT_EQ(credentials.secret(), "secret");
  EXPECT_FALSE(credentials.on_refused);
}

}  // namespace
}  // namespace hd::service
