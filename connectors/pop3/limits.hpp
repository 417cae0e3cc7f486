#pragma once
// Hard limits on what a POP3 server may send. Exceeding one is a net::ProtocolError (the session
// cannot go on), except max_message_size (see there). The defaults are safe for Dovecot and
// Outlook.com; the config layer may raise them.

#include <cstddef>
#include <cstdint>

namespace hd::pop3 {

struct Pop3Limits {
  // One status line or one line of a listing (CAPA, UIDL, LIST), without its CRLF. RFC 2449 §4
  // caps a response line at 512 octets; servers put longer text into -ERR, so we allow more.
  std::size_t max_line_length = 8 * 1024;

  // One whole listing (UIDL, LIST, CAPA) after dot-unstuffing: about 50 bytes per message.
  std::uint64_t max_listing_size = 64ull * 1024 * 1024;

  // One message (RETR) after dot-unstuffing. A larger one is read to its end and dropped, not an
  // error: LIST sizes are approximate, and one such message must not stop its mailbox. Exchange
  // accepts messages of up to 150 MB (outlook.md); every fetched message sits in memory once.
  std::uint64_t max_message_size = 200ull * 1024 * 1024;
};

}  // namespace hd::pop3
