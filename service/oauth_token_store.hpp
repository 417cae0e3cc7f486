#pragma once
// A mailbox's OAuth2 tokens in PostgreSQL (table oauth_tokens, migration 0004), sealed with the
// operator's SecretBox; the mailbox name is the associated data, so rows cannot be swapped.
//
// Errors: db/errors.hpp (DatabaseError and its kinds) when the database fails, as everywhere else;
// load() throws net::AuthError(retryable=false) when the stored tokens cannot be opened with the
// current key (key changed: sign in again).
// Thread-safety: one connection per call, so concurrent use is safe.

#include <optional>
#include <string>

#include "connectors/oauth2/secret_box.hpp"
#include "connectors/oauth2/token_store.hpp"

namespace hd::service {

struct OAuthTokenStatus {
  std::string mailbox;
  oauth2::TimePoint access_expires_at{};
  oauth2::TimePoint rotated_at{};
  oauth2::TimePoint signed_in_at{};
};

class PgOAuthTokenStore final : public oauth2::TokenStore {
 public:
  PgOAuthTokenStore(std::string database_url, std::string mailbox, oauth2::SecretBox box);

  std::optional<oauth2::TokenSet> load() override;
  // Upsert in one statement: the new refresh token replaces the old one atomically.
  void save(const oauth2::TokenSet& tokens) override;
  // After `auth login`: like save(), and records the sign-in time.
  void saveLogin(const oauth2::TokenSet& tokens);

 private:
  void upsert(const oauth2::TokenSet& tokens, bool login);

  std::string database_url_;
  std::string mailbox_;
  oauth2::SecretBox box_;
};

// When `mailbox` was last signed in with `auth login`, as PostgreSQL's full-precision text; empty
// when no token is stored. Throws db/errors.hpp.
std::string oauthSignInStamp(const std::string& database_url, const std::string& mailbox);

// Times of the stored tokens of `mailbox` (no key needed), or nullopt when none is stored.
std::optional<OAuthTokenStatus> oauthTokenStatus(const std::string& database_url,
                                                 const std::string& mailbox);

}  // namespace hd::service
