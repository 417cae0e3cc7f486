#pragma once
// Mail addresses as decide() compares them.

#include <string>
#include <string_view>

#include "connectors/mime/message.hpp"

namespace hd::ingest {

// Trimmed and ASCII-lowercased. RFC 5321 lets the local part be case-sensitive, but no mail
// system in use treats "Jane@" and "jane@" as different people.
std::string normalizedAddress(std::string_view address);

// Who wrote the mail: From, else Sender (RFC 5322 section 3.6.2), normalized; "" when neither.
std::string senderAddress(const mime::Message& message);

// The part before the last '@' ("" when there is none).
std::string_view localPart(std::string_view normalized_address);

}  // namespace hd::ingest
