#pragma once
// Every bound the IMAP client puts on what a server sends, in one place, with safe defaults.
// Exceeding one throws hd::net::ProtocolError: the connection is dropped, nothing is truncated
// (except max_message_size and max_header_size, see there).

#include <cstddef>
#include <cstdint>

namespace hd::imap {

struct ImapLimits {
  // Bytes of one response line outside literals (a literal ends one line segment and starts
  // the next). SEARCH results are bounded by max_tokens instead, as their numbers are not stored
  // as text.
  std::size_t max_line_length = 1024 * 1024;
  // One literal {n}: large enough for a 150 MB Exchange message (outlook.md) plus slack.
  std::uint64_t max_literal_size = 256ull * 1024 * 1024;
  // One message (a BODY[] literal): a larger one is read to its end and dropped, not an error, so
  // that a server whose RFC822.SIZE understated it neither costs memory nor stalls the folder
  // (FetchData::body_over_limit). Not bounded by max_literal_size.
  std::uint64_t max_message_size = 64ull * 1024 * 1024;
  // Bytes of a BODY[HEADER] literal that are kept; the rest is read and dropped.
  std::uint64_t max_header_size = 1024 * 1024;
  // Parenthesised lists inside lists (BODYSTRUCTURE, ENVELOPE, FETCH items).
  std::size_t max_nesting_depth = 64;
  // Tokens (atoms, numbers, strings, list openings) in one response.
  std::size_t max_tokens = 2'000'000;
};

}  // namespace hd::imap
