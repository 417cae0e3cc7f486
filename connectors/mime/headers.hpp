#pragma once
// Top-level header fields of a GMime message into hd::mime::Message. Internal to connectors/mime.

#include <vector>

#include "connectors/mime/gmime_support.hpp"
#include "connectors/mime/message.hpp"
#include "connectors/mime/warning.hpp"

namespace hd::mime {

// Fills subject, from/sender/to/cc/reply_to, message_id, in_reply_to, references, date and
// automation from `source`'s headers. Subject and display names are decoded by our own RFC 2047
// decoder (GMime 3.2.13 bug, see rfc2047.hpp). Never throws; problems become warnings.
void readHeaders(GMimeMessage* source, Message& message, std::vector<Warning>& warnings);

// The summary kept for an attached message/rfc822.
ForwardedMessage readForwarded(GMimeMessage* source);

}  // namespace hd::mime
