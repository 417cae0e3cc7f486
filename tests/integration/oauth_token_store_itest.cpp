// The stored OAuth2 tokens on a real PostgreSQL: a round trip, and a database failure during a
// token load is a database error like any other (classified "database", retried with backoff),
// never "unexpected": an unreachable database, and a role whose SELECT was revoked.

#include <gtest/gtest.h>

#include <exception>
#include <regex>

#include "connectors/oauth2/secret_box.hpp"
#include "db/errors.hpp"
#include "db/ticket_store.hpp"
#include "service/oauth_token_store.hpp"
#include "service/pass_failure.hpp"
#include "tests/support/fake_identity_server.hpp"
#include "tests/support/random_name.hpp"
#include "tests/support/test_env.hpp"

namespace hd::service {
namespace {

oauth2::SecretBox secretBox() {
  return oauth2::SecretBox::fromBase64(test::kTestSecretKey, "test");
}

oauth2::TokenSet sampleTokens() {
  oauth2::TokenSet tokens;
  tokens.refresh_token = "refresh-secret";
  tokens.access_token = "access-secret";
  tokens.token_type = "Bearer";
  tokens.expires_at = oauth2::TimePoint{} + std::chrono::seconds(2'000'000'000);
  return tokens;
}

PassFailure failureOfLoad(const std::string& url) {
  try {
    PgOAuthTokenStore(url, "support", secretBox()).load();
  } catch (...) {
    return classifyPassFailure(std::current_exception());
  }
  ADD_FAILURE() << "load() did not throw";
  return {};
}

TEST(OAuthTokenStore, SavedTokensLoadAndReportTheirTimes) {
  test::ScratchDatabase db;
  db::TicketStore(db.url()).migrate();
  PgOAuthTokenStore store(db.url(), "support", secretBox());
  EXPECT_FALSE(store.load().has_value());
  EXPECT_EQ(oauthSignInStamp(db.url(), "support"), "");
  store.saveLogin(sampleTokens());
  auto loaded = store.load();
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->refresh_token, "refresh-secret");
  EXPECT_EQ(loaded->access_token, "access-secret");
  EXPECT_EQ(loaded->expires_at, sampleTokens().expires_at);
  EXPECT_EQ(db.scalar("SELECT position('secret' in encode(refresh_token_sealed, 'escape')) "
                      "FROM oauth_tokens"),
            "0")
      << "stored sealed, never in clear";
  EXPECT_NE(oauthSignInStamp(db.url(), "support"), "");
  auto status = oauthTokenStatus(db.url(), "support");
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->access_expires_at, sampleTokens().expires_at);
  EXPECT_FALSE(oauthTokenStatus(db.url(), "other").has_value());
}

TEST(OAuthTokenStore, StatusBeforeAnyMigrationIsNoToken) {
  test::ScratchDatabase db;
  EXPECT_FALSE(oauthTokenStatus(db.url(), "support").has_value());
}

TEST(OAuthTokenStore, UnreachableDatabaseDuringALoadIsADatabaseFailure) {
  const std::string url = "postgresql://postgres@127.0.0.1:1/none?connect_timeout=2";
  EXPECT_THROW(PgOAuthTokenStore(url, "support", secretBox()).load(), db::DatabaseError);
  const PassFailure failure = failureOfLoad(url);
  EXPECT_EQ(failure.kind, FailureClass::kDatabase)
      << toString(failure.kind) << ": " << failure.message;
  EXPECT_FALSE(failure.needs_person);
  EXPECT_THROW(oauthSignInStamp(url, "support"), db::DatabaseError);
  EXPECT_THROW(oauthTokenStatus(url, "support"), db::DatabaseError);
}

TEST(OAuthTokenStore, RevokedPrivilegeDuringALoadIsADatabaseFailure) {
  test::ScratchDatabase db;
  db::TicketStore(db.url()).migrate();
  PgOAuthTokenStore(db.url(), "support", secretBox()).saveLogin(sampleTokens());
  const std::string role = "hd_tokens_" + test::randomName(8);
  db.scalar("CREATE ROLE " + role + " LOGIN");
  struct DropRole {
    const test::ScratchDatabase& db;
    std::string role;
    ~DropRole() {
      db.scalar("DROP OWNED BY " + role);
      db.scalar("DROP ROLE " + role);
    }
  } drop{db, role};
  db.scalar("GRANT CONNECT ON DATABASE " + db.name() + " TO " + role);
  db.scalar("GRANT USAGE ON SCHEMA public TO " + role);
  db.scalar("GRANT SELECT ON oauth_tokens TO " + role);
  db.scalar("REVOKE SELECT ON oauth_tokens FROM " + role);
  const std::string url =
      std::regex_replace(db.url(), std::regex("://[^@/]*@"), "://" + role + "@");

  EXPECT_THROW(PgOAuthTokenStore(url, "support", secretBox()).load(), db::RetryableError);
  const PassFailure failure = failureOfLoad(url);
  EXPECT_EQ(failure.kind, FailureClass::kDatabase)
      << toString(failure.kind) << ": " << failure.message;
  EXPECT_NE(failure.message.find("permission denied"), std::string::npos) << failure.message;
  EXPECT_EQ(failure.message.find("refresh-secret"), std::string::npos) << failure.message;
}

}  // namespace
}  // namespace hd::service
