#pragma once

#include <string>
#include <string_view>

namespace hd::mime {

// SHA-256 of `bytes` as 64 lowercase hex digits (OpenSSL EVP). Thread-safe.
std::string sha256Hex(std::string_view bytes);

}  // namespace hd::mime
