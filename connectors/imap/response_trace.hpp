#pragma once
// One line describing a response for the protocol trace (debug log): structure and sizes only,
// never a message body.

#include <string>

#include "connectors/imap/response.hpp"

namespace hd::imap {

std::string traceOf(const Response& response);

}  // namespace hd::imap
