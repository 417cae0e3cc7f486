#pragma once
// One parser per section of the configuration file; parseConfig() (config.cpp) calls them in
// order. Each reads its own object and refuses keys it does not know. Internal to
// service/config*.cpp.

#include <optional>
#include <string>
#include <vector>

#include "service/config.hpp"
#include "service/config_reader.hpp"

namespace hd::service::config_detail {

// "database": the URL, checked with libpq's parser and remembered as a secret.
std::string parseDatabase(ObjectReader in);
// "http": listen address, API tokens, what is protected, and the edge limits.
void parseHttp(ObjectReader in, Config& config);
// "tickets": reference prefix, rate limit; the own addresses when given.
std::optional<std::vector<std::string>> parseTickets(ObjectReader in, Config& config);
// "limits" and "backoff". Without "limits" the spill directory still comes from $TMPDIR.
LimitsConfig parseLimits(ObjectReader in);
BackoffConfig parseBackoff(ObjectReader in);
// "log".
LogConfig parseLog(ObjectReader in);
// "secrets": the key that encrypts stored OAuth2 tokens.
void parseSecrets(ObjectReader in, Config& config);
// One entry of "mailboxes".
MailboxConfig parseMailbox(ObjectReader in);
// "oauth2" of a mailbox that signs in with XOAUTH2.
OAuth2Config parseOAuth2(ObjectReader in, const MailboxConfig& box);

}  // namespace hd::service::config_detail
