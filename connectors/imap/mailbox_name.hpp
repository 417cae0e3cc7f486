#pragma once
// Mailbox names on the wire: RFC 3501 section 5.1.3 modified UTF-7. Pure, thread-safe.

#include <string>
#include <string_view>

namespace hd::imap {

// "Junk Email" stays as is, "&" becomes "&-", non-ASCII runs become "&<modified base64>-"
// ("Entwürfe" -> "Entw&APw-rfe"). Invalid UTF-8 bytes are encoded as U+FFFD.
std::string encodeMailboxName(std::string_view utf8);

}  // namespace hd::imap
