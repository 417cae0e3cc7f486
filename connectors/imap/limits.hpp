#pragma once
// Every bound the IMAP client puts on what a server sends, in one place, with safe defaults.
// Exceeding one throws hd::net::ProtocolError: the connection is dropped, nothing is truncated.

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
  // Parenthesised lists inside lists (BODYSTRUCTURE, ENVELOPE, FETCH items).
  std::size_t max_nesting_depth = 64;
  // Tokens (atoms, numbers, strings, list openings) in one response.
  std::size_t max_tokens = 2'000'000;
};

}  // namespace hd::imap
