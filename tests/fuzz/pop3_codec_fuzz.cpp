// libFuzzer target: arbitrary server bytes into the POP3 codec (status lines, multi-line bodies,
// listings, CAPA). Any input must end in values, ProtocolError or NetworkError (end of input):
// never a crash, hang or leak. The dot decoder must give the same bytes for any split of its
// input (checked against a one-byte-at-a-time run).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "connectors/net/errors.hpp"
#include "connectors/pop3/capabilities.hpp"
#include "connectors/pop3/dot_decoder.hpp"
#include "connectors/pop3/response_reader.hpp"
#include "tests/fuzz/fuzz_stream.hpp"

namespace {

// Decodes `input` in one call and byte by byte; both must agree on output, used length and error.
void checkDotDecoderSplitInvariance(std::string_view input) {
  constexpr std::uint64_t kMax = 4096;
  std::string whole, bytewise;
  bool whole_failed = false, bytewise_failed = false;
  std::size_t whole_used = 0, bytewise_used = 0;
  try {
    hd::pop3::DotDecoder decoder(kMax);
    whole_used = decoder.feed(input, whole);
  } catch (const hd::net::ProtocolError&) {
    whole_failed = true;
  }
  try {
    hd::pop3::DotDecoder decoder(kMax);
    while (bytewise_used < input.size() && !decoder.done()) {
      bytewise_used += decoder.feed(input.substr(bytewise_used, 1), bytewise);
    }
  } catch (const hd::net::ProtocolError&) {
    bytewise_failed = true;
  }
  if (whole_failed != bytewise_failed) std::abort();
  if (!whole_failed && (whole != bytewise || whole_used != bytewise_used)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  checkDotDecoderSplitInvariance(input);

  hd::fuzz::FuzzStream stream(input);
  hd::pop3::Pop3Limits limits;
  // Small limits so the fuzzer reaches them quickly; the logic is the same as with defaults.
  limits.max_line_length = 512;
  limits.max_listing_size = 16 * 1024;
  hd::pop3::ResponseReader reader(stream, limits);
  try {
    // The shapes of a session: greeting, CAPA listing, a body, status lines until the end.
    (void)reader.readStatus();
    (void)hd::pop3::Capabilities::parse(reader.readListing());
    (void)reader.readBody(32 * 1024);
    for (int i = 0; i < 1000; ++i) (void)reader.readStatus();
  } catch (const hd::net::ProtocolError&) {
  } catch (const hd::net::NetworkError&) {
  }
  return 0;
}
