#pragma once
// The oauth_tokens table (migration 0004): one row of sealed (encrypted) OAuth2 tokens per
// mailbox. It stores bytes it cannot read: sealing and opening are the caller's (the service's
// SecretBox).
//
// Errors: as db/errors.hpp, like every other table: DatabaseError when the database cannot be
// reached or the session is lost, RetryableError for a refusal that may pass later (a timeout, a
// missing privilege), StatementError for input the database refuses.
// Thread-safety: one connection per call, so concurrent use is safe.

#include <cstdint>
#include <optional>
#include <string>

namespace hd::db {

struct SealedTokens {
  std::string refresh_token_sealed;
  std::string access_token_sealed;
  std::int64_t access_expires_at = 0;  // seconds since the epoch
};

// When the tokens were last changed; seconds since the epoch.
struct TokenTimes {
  std::int64_t access_expires_at = 0;
  std::int64_t rotated_at = 0;
  std::int64_t signed_in_at = 0;
};

class OAuthTokenTable {
 public:
  explicit OAuthTokenTable(std::string database_url);

  std::optional<SealedTokens> load(const std::string& mailbox);
  // Upsert in one statement: the new refresh token replaces the old one atomically. `login`
  // also records the sign-in time (`auth login`).
  void save(const std::string& mailbox, const SealedTokens& tokens, bool login);
  // signed_in_at as PostgreSQL's full-precision text; empty when no token is stored.
  std::string signInStamp(const std::string& mailbox);
  // nullopt when no token is stored, or the table does not exist yet (before any migration).
  std::optional<TokenTimes> times(const std::string& mailbox);

 private:
  std::string database_url_;
};

}  // namespace hd::db
