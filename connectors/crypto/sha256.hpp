#pragma once
// Hashing, apart from MIME: the HTTP API compares token digests, the store keys raw bytes and
// attachments by theirs. OpenSSL EVP only, no GMime.

#include <string>
#include <string_view>

namespace hd::crypto {

// SHA-256 of `bytes` as 64 lowercase hex digits (OpenSSL EVP). Thread-safe.
std::string sha256Hex(std::string_view bytes);

}  // namespace hd::crypto
