#pragma once

#include <functional>
#include <optional>
#include <string>

#include "connectors/net/credentials.hpp"
#include "service/config.hpp"
#include "service/mailbox_worker.hpp"
#include "service/oauth_access.hpp"

namespace hd::service {

// How the mailbox signs in. `tokens` is required when mailbox.auth is kXoauth2 (see
// makeAccessTokenSource): asked at every sign-in, and told when the server refused the token.
// Throws std::logic_error for an xoauth2 mailbox without `tokens`.
net::Credentials credentialsFor(const MailboxConfig& mailbox,
                                const std::optional<AccessTokenSource>& tokens);

// Builds the IMAP or POP3 MailSource for one configured mailbox (a new connection per pass).
SourceFactory makeSourceFactory(const MailboxConfig& mailbox, const LimitsConfig& limits,
                                std::optional<AccessTokenSource> tokens = std::nullopt);

}  // namespace hd::service
