#pragma once
// Refuses configurations in which two mailboxes would ingest the same server folder: the same
// bytes would become two tickets under two source keys, and each mailbox would acknowledge (flag,
// move, delete) mail the other one still counts on.

#include <vector>

#include "service/config.hpp"

namespace hd::service {

// Throws ConfigError naming the key ("mailboxes[1].folder", "mailboxes[0].after_ingest") when
// - two mailboxes read the same folder of the same account (POP3 reads INBOX), or
// - a mailbox moves its mail (after_ingest "move:X") into a folder that it or another mailbox of
//   the same account reads.
// Mailboxes are indexed as in the config's list.
void rejectOverlappingMailboxes(const std::vector<MailboxConfig>& mailboxes);

}  // namespace hd::service
