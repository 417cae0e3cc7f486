#pragma once
// Test data for attachments: bytes that compress poorly and differ everywhere (xorshift), so a
// wrong offset or a lost byte shows, and base64 as mail carries it.

#include <Poco/Base64Encoder.h>

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

namespace hd::test {

// `size` pseudo-random bytes; another `seed`, other bytes.
inline std::string noise(std::size_t size, std::uint64_t seed = 0x9E3779B97F4A7C15ull) {
  std::string out(size, '\0');
  std::uint64_t state = seed;
  for (char& c : out) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    c = static_cast<char>(state >> 56);
  }
  return out;
}

// Base64 in lines of 76 characters, CRLF-separated (Poco's encoder writes CRLF).
inline std::string base64Lines(const std::string& bytes) {
  std::ostringstream out;
  Poco::Base64Encoder encoder(out);
  encoder.rdbuf()->setLineLength(76);
  encoder << bytes;
  encoder.close();
  return out.str();
}

}  // namespace hd::test
