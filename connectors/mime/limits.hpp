#pragma once

#include <cstddef>

namespace hd::mime {

// Every bound on untrusted mail in one place, with safe defaults. Exceeding one sends the message
// to quarantine (with its raw bytes), never drops it.
struct Limits {
  std::size_t max_message_bytes = 64u * 1024 * 1024;
  std::size_t max_parts = 1000;
  std::size_t max_depth = 32;
  std::size_t max_header_bytes = 1024 * 1024;
  // Not a failure: warnings past this many are counted in one last warning.
  std::size_t max_warnings = 100;
};

}  // namespace hd::mime
