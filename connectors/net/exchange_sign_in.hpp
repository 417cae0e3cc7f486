#pragma once
// What Exchange Online's sign-in refusals mean, worded for the operator (../shared/outlook.md):
// shared by the IMAP and POP3 clients so that both protocols say the same thing.

#include <string>
#include <string_view>

#include "connectors/net/errors.hpp"

namespace hd::net {

// Added to a refused sign-in on an Exchange server: IMAP/POP access is off by default on
// Outlook.com, and passwords are no longer accepted there. `protocol` is "IMAP" or "POP".
std::string outlookSignInHint(std::string_view protocol);

// True for the text of POP3's -ERR to the first command after a successful sign-in that means "no
// access to this mailbox" on Exchange: "User is authenticated but not connected." or "Server
// Unavailable. 21". Any case. (IMAP looks for the first one only, on any command: its
// "Server Unavailable" may come mid-session for other reasons.)
bool isMailboxAccessRefusal(std::string_view server_text);

// The error for such a refusal, naming the causes. `reply` is the server's line (no secret).
MailboxAccessError mailboxAccessRefused(std::string_view protocol, const std::string& username,
                                        const std::string& reply);

}  // namespace hd::net
