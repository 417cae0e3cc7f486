#pragma once
// The composition of the OAuth2 pieces for one mailbox with "auth": "xoauth2": token client,
// PostgreSQL token store sealed with the operator's key, access token cache.

#include <functional>
#include <memory>
#include <string>

#include "connectors/oauth2/secret_box.hpp"
#include "connectors/oauth2/token_client.hpp"
#include "service/config.hpp"

namespace hd::service {

oauth2::ClientConfig oauthClientConfig(const MailboxConfig& mailbox);

// The key from the configuration ("secrets" or $HELPDESK_SECRET_KEY). Throws
// oauth2::SecretKeyError saying why tokens cannot be stored when there is none or it is bad.
oauth2::SecretBox secretBoxFor(const Config& config);

// A callback for net::Credentials::secret returning a fresh access token (refreshed five minutes
// before expiry, each rotated refresh token stored). It throws net::AuthError(retryable=false)
// when a person must run `auth login` (nothing stored, invalid_grant, interaction_required, no
// key), net::AuthError(retryable=true) or net::NetworkError for transient trouble.
// Thread-safe; the returned function owns everything it needs.
std::function<std::string()> makeAccessTokenSource(const Config& config,
                                                   const MailboxConfig& mailbox);

}  // namespace hd::service
