#pragma once
// Which server folder a configured mailbox reads, as comparable text: host and user names are
// case-insensitive, INBOX is (RFC 3501 5.1), Outlook.com's legacy host names are one service.
// Used to refuse overlapping mailboxes (mailbox_overlap.hpp) and to bind a mailbox name to what
// its checkpoint and source keys describe (db/mailbox_identity.hpp).

#include <string>

#include "service/config.hpp"

namespace hd::service {

// "support@imap.example.com": the account, whatever the protocol.
std::string accountIdentity(const MailboxConfig& box);

// The folder as the server knows it: "INBOX" in any spelling becomes "INBOX"; POP3 reads INBOX.
std::string folderName(const std::string& folder);
std::string folderRead(const MailboxConfig& box);

// "imap://support@imap.example.com/INBOX": what the mailbox's checkpoint and keys belong to.
std::string mailboxIdentity(const MailboxConfig& box);

}  // namespace hd::service
