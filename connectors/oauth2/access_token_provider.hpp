#pragma once
// A fresh access token on demand: the cached one while it has more than `refresh_margin` left,
// otherwise a refresh_token grant (refresh BEFORE expiry, not after a failed sign-in), whose new
// refresh token is saved to the TokenStore before the access token is handed out.
//
// A running service picks up a new `auth login` by itself: after the refresh token is refused
// (or the mail server refused the access token) the next call reads the store again. While the
// store still holds the refused refresh token, that call fails at once without a request.
//
// Errors: net::AuthError(retryable=false) when a person must sign in again (no stored token,
// invalid_grant, interaction_required, ...); net::AuthError(retryable=true) for other refusals
// and malformed answers; net::NetworkError when the endpoint is unreachable.
// Thread-safe: one refresh at a time.

#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include "connectors/oauth2/clock.hpp"
#include "connectors/oauth2/token_client.hpp"
#include "connectors/oauth2/token_store.hpp"

namespace hd::oauth2 {

enum class TokenMode {
  kDelegated,          // refresh tokens from `auth login`
  kClientCredentials,  // app-only, Microsoft 365 tenants
};

class AccessTokenProvider {
 public:
  // `store` may be null in kClientCredentials mode. References must outlive the provider.
  AccessTokenProvider(TokenClient& client, TokenStore* store, const Clock& clock,
                      TokenMode mode = TokenMode::kDelegated,
                      std::chrono::seconds refresh_margin = std::chrono::minutes(5));

  std::string accessToken();
  // The server refused the access token: the next call reads the store again (delegated mode)
  // and refreshes.
  void invalidate();
  // When the access token last returned by accessToken() expires; none before the first call.
  std::optional<std::chrono::system_clock::time_point> expiresAt() const;

 private:
  TokenSet fetch();

  TokenClient& client_;
  TokenStore* store_;
  const Clock& clock_;
  TokenMode mode_;
  std::chrono::seconds refresh_margin_;
  mutable std::mutex mutex_;
  std::optional<TokenSet> cached_;
  bool refresh_next_ = false;  // after invalidate(): do not hand out the stored access token
  // The refresh token Microsoft refused for good, and what it said.
  struct Refusal {
    std::string refresh_token;
    std::string message;
  };
  std::optional<Refusal> refused_;
};

}  // namespace hd::oauth2
