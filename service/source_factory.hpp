#pragma once

#include "service/config.hpp"
#include "service/mailbox_worker.hpp"

namespace hd::service {

// Builds the IMAP or POP3 MailSource for one configured mailbox (a new connection per pass).
SourceFactory makeSourceFactory(const MailboxConfig& mailbox, const LimitsConfig& limits);

}  // namespace hd::service
