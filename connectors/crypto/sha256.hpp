#pragma once
// Hashing, apart from MIME: the HTTP API compares token digests, the store keys raw bytes and
// attachments by theirs. OpenSSL EVP only, no GMime.

#include <memory>
#include <string>
#include <string_view>

namespace hd::crypto {

// SHA-256 of `bytes` as 64 lowercase hex digits (OpenSSL EVP). Thread-safe.
std::string sha256Hex(std::string_view bytes);

// The same digest over bytes that arrive in pieces (a spilled message read in chunks).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::string_view bytes);
  // 64 lowercase hex digits; the object is spent afterwards.
  std::string hexDigest();

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

}  // namespace hd::crypto
