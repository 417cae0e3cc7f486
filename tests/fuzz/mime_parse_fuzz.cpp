// libFuzzer target for hd::mime::parse() and the HTML/quoted-history text paths.
// Seed corpus: tests/corpus (mimekit/ and hard/). Build with -DHD_FUZZ=ON and clang.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "connectors/mime/html_to_text.hpp"
#include "connectors/mime/parse.hpp"
#include "connectors/mime/quoted_history.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  hd::mime::Limits limits;
  limits.max_message_bytes = 1024 * 1024;
  const hd::mime::ParseResult result = hd::mime::parse(input, limits);
  if (result.ok && !result.message.html_body.empty()) {
    (void)hd::mime::stripQuotedHistoryHtml(result.message.html_body);
  }
  (void)hd::mime::htmlToText(input);
  (void)hd::mime::stripQuotedHistory(input);
  return 0;
}
