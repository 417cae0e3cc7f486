#pragma once
// Address-list headers (From, To, Cc, Reply-To, Sender) to hd::mime::Address values.

#include <string_view>
#include <vector>

#include "connectors/mime/message.hpp"
#include "connectors/mime/warning.hpp"

namespace hd::mime {

// Parses an RFC 5322 address list as found in real mail: encoded display names (RFC 2047, also
// inside quotes, decoded by our own decoder, see rfc2047.hpp), groups (flattened into their
// members; an empty group yields nothing), "addr (Name)" comments as names, and lists GMime
// rejects, such as missing angle brackets ("Jane Doe jane@example.com"), which are repaired by
// taking the word with an '@' as the address (+ warning). Never throws. Thread-safe once
// GMime is initialised.
std::vector<Address> parseAddressList(std::string_view raw, std::vector<Warning>& warnings,
                                      std::string_view where);

}  // namespace hd::mime
