#pragma once
// Splits resp-text ("[CODE args] human text", RFC 3501 section 7.1) into its optional code and
// its text. Lenient: a '[' without a closing ']' is plain text. Pure, thread-safe.

#include <optional>
#include <string>
#include <string_view>

#include "connectors/imap/response.hpp"

namespace hd::imap {

struct RespText {
  std::optional<ResponseCode> code;
  std::string text;
};

RespText parseRespText(std::string_view line);

// Parses the inside of the brackets ("UIDVALIDITY 3857529045"). Arguments of known codes that
// do not parse leave their typed fields empty; the raw `arguments` are always kept.
ResponseCode parseResponseCode(std::string_view inside);

}  // namespace hd::imap
