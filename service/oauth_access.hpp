#pragma once
// The composition of the OAuth2 pieces for one mailbox with "auth": "xoauth2": token client,
// PostgreSQL token store sealed with the operator's key, access token cache.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "connectors/oauth2/access_token_provider.hpp"
#include "connectors/oauth2/secret_box.hpp"
#include "connectors/oauth2/token_client.hpp"
#include "service/config.hpp"

namespace hd::service {

oauth2::ClientConfig oauthClientConfig(const MailboxConfig& mailbox);

// The key from the configuration ("secrets" or $HELPDESK_SECRET_KEY). Throws
// oauth2::SecretKeyError saying why tokens cannot be stored when there is none or it is bad.
oauth2::SecretBox secretBoxFor(const Config& config);

// One mailbox's access tokens, as net::Credentials needs them. Copies share one token cache.
struct AccessTokenSource {
  // A fresh access token (refreshed five minutes before expiry, each rotated refresh token
  // stored). Throws net::AuthError(retryable=false) when a person must run `auth login` (nothing
  // stored, invalid_grant, interaction_required, no key), net::AuthError(retryable=true) or
  // net::NetworkError for transient trouble.
  std::function<std::string()> token;
  // The server refused the token last handed out (e.g. revoked before its expiry): the next
  // token() refreshes instead of handing it out again.
  std::function<void()> invalidate;
  // When the token last handed out expires; none before the first or after invalidate().
  std::function<std::optional<std::chrono::system_clock::time_point>()> expires_at;
};

// The source for a mailbox with "auth": "xoauth2". Thread-safe; it owns everything it needs.
AccessTokenSource makeAccessTokenSource(const Config& config, const MailboxConfig& mailbox);

// The source over `provider` (shared: the source keeps it alive; an aliasing shared_ptr can keep
// alive what the provider references).
AccessTokenSource accessTokenSourceOf(std::shared_ptr<oauth2::AccessTokenProvider> provider);

}  // namespace hd::service
