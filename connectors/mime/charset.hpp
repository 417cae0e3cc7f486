#pragma once
// Text decoding to UTF-8 for bodies and headers. Every function here is total: undecodable input
// yields a best-effort UTF-8 string plus a Warning, never an exception. Thread-safe.

#include <string>
#include <string_view>
#include <vector>

#include "connectors/mime/warning.hpp"

namespace hd::mime {

bool isValidUtf8(std::string_view bytes);
bool isAscii(std::string_view bytes);

// WHATWG windows-1252 (bytes 0x81, 0x8D, 0x8F, 0x90, 0x9D map to the C1 controls). Total.
std::string windows1252ToUtf8(std::string_view bytes);

// Decodes `bytes` written in `charset` (a MIME charset label, any case; "" = undeclared).
// - undeclared or us-ascii with 8-bit data: kept if valid UTF-8, else windows-1252 (+ warning);
// - iso-8859-1 / latin1 labels are read as windows-1252, as browsers do (Outlook labels
//   windows-1252 text as iso-8859-1);
// - a charset iconv does not know: kept if valid UTF-8, else windows-1252 (+ warning);
// - invalid sequences in a known charset become U+FFFD (+ warning), except UTF-8-labelled text
//   with no valid multibyte sequence at all, which is read as windows-1252 (+ warning).
// `where` names the text in warnings ("body", "Subject", ...).
std::string toUtf8(std::string_view bytes, std::string_view charset, std::vector<Warning>& warnings,
                   std::string_view where);

}  // namespace hd::mime
