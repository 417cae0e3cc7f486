#pragma once
// RFC 2047 encoded-word decoding for header values, written here instead of using GMime's
// decoder. Workaround: GMime 3.2.13 (Debian 12) joins adjacent B-encoded words of one charset
// before base64-decoding them and stops at the first word's '=' padding, so
// "=?UTF-8?B?SGVsbG8gd29ybGQ=?= =?UTF-8?B?IGFnYWlu?=" decodes to "Hello world" (fixed upstream
// in GMime 3.2.14). It hits Subject, display names in address lists and quoted encoded
// filenames; all three go through this file. Thread-safe.

#include <string>
#include <string_view>
#include <vector>

#include "connectors/mime/warning.hpp"

namespace hd::mime {

// Removes header folding (CRLF or LF followed by whitespace) and surrounding whitespace.
std::string unfoldHeader(std::string_view raw);

// Decodes an unstructured header value (Subject, a filename parameter, ...) to UTF-8:
// - each encoded word (B or Q, any charset iconv knows, RFC 2231 "*lang" suffix ignored) is
//   decoded on its own, so a padded word never swallows the next one;
// - adjacent encoded words are joined without the whitespace between them (RFC 2047 6.2), and
//   the bytes of consecutive words in one charset are converted together, so a multibyte
//   character split across two words survives;
// - encoded words glued to other text are decoded too (lenient, as common mailers are);
// - unencoded 8-bit text is kept if valid UTF-8, else read as windows-1252 (+ warning).
std::string decodeHeaderText(std::string_view raw, std::vector<Warning>& warnings,
                             std::string_view where);

// For structured headers (address lists): decodes every encoded word outside angle brackets and
// rewrites it as quoted-string (or comment) text holding UTF-8, so that an address parser sees
// no encoded words. Unencoded 8-bit text is converted to UTF-8 first, as in decodeHeaderText.
std::string decodeEncodedWordsInPhrases(std::string_view raw, std::vector<Warning>& warnings,
                                        std::string_view where);

}  // namespace hd::mime
