// libFuzzer target: the server's answer to an IMAP AUTHENTICATE XOAUTH2, including the base64
// JSON error challenge that Exchange and Gmail send, and the lenient base64 decoder on its own.
// Any input must end in success or AuthError/ThrottledError/ProtocolError/NetworkError; the
// access token must never appear in an error message.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "connectors/imap/imap_client.hpp"
#include "connectors/net/errors.hpp"
#include "connectors/net/sasl.hpp"
#include "tests/fuzz/fuzz_stream.hpp"

namespace {

constexpr std::string_view kToken = "EwBwA8l6BAAUFUZZTOKENSECRET";

// A server may echo the token itself (the fuzzer learns it from this very check): only a token
// the server did not send counts as a leak.
bool g_server_sent_token = false;

void mustNotLeak(const std::exception& e) {
  if (g_server_sent_token) return;
  if (std::string_view(e.what()).find(kToken) != std::string_view::npos) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  g_server_sent_token = input.find(kToken) != std::string::npos;
  try {
    (void)hd::net::base64Decode(input);
  } catch (const hd::net::ProtocolError&) {
  }

  // A greeting that offers XOAUTH2 with and without SASL-IR (chosen by the first byte), then the
  // fuzzed server answer to AUTHENTICATE.
  const bool sasl_ir = size > 0 && (data[0] & 1) != 0;
  const std::string script = std::string("* OK [CAPABILITY IMAP4rev1 AUTH=XOAUTH2") +
                             (sasl_ir ? " SASL-IR" : "") + "] ready\r\n" + input;
  hd::fuzz::FuzzStream stream(script);
  hd::imap::ImapLimits limits;
  limits.max_line_length = 4096;
  limits.max_literal_size = 64 * 1024;
  hd::imap::ImapClient client(stream, limits);
  try {
    client.readGreeting();
    client.authenticate(hd::net::saslXoauth2("user@example.com", std::string(kToken)));
  } catch (const hd::net::NetworkError& e) {  // ThrottledError is one
    mustNotLeak(e);
  } catch (const hd::net::AuthError& e) {
    mustNotLeak(e);
  } catch (const hd::net::ProtocolError& e) {
    mustNotLeak(e);
  } catch (const hd::net::CommandError& e) {
    mustNotLeak(e);
  }
  return 0;
}
