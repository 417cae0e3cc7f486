// libFuzzer target: arbitrary server bytes into the IMAP response parser. Any input must end in
// responses, ProtocolError or NetworkError (end of input): never a crash, hang or leak.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "connectors/imap/response_parser.hpp"
#include "connectors/net/buffered_reader.hpp"
#include "connectors/net/errors.hpp"
#include "tests/fuzz/fuzz_stream.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  hd::fuzz::FuzzStream stream(std::string_view(reinterpret_cast<const char*>(data), size));
  hd::imap::ImapLimits limits;
  // Small limits so the fuzzer reaches them quickly; the logic is the same as with defaults.
  limits.max_line_length = 4096;
  limits.max_literal_size = 64 * 1024;
  limits.max_nesting_depth = 16;
  limits.max_tokens = 10'000;
  hd::net::BufferedReader reader(stream, 256);
  hd::imap::ResponseParser parser(reader, limits);
  try {
    for (int i = 0; i < 1000; ++i) parser.next();
  } catch (const hd::net::ProtocolError&) {
  } catch (const hd::net::NetworkError&) {
  }
  return 0;
}
