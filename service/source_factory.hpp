#pragma once

#include <functional>
#include <string>

#include "service/config.hpp"
#include "service/mailbox_worker.hpp"

namespace hd::service {

// Builds the IMAP or POP3 MailSource for one configured mailbox (a new connection per pass).
// `access_token` is required when mailbox.auth is kXoauth2 (see makeAccessTokenSource); it is
// called at every sign-in.
SourceFactory makeSourceFactory(const MailboxConfig& mailbox, const LimitsConfig& limits,
                                std::function<std::string()> access_token = {});

}  // namespace hd::service
