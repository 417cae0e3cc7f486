#include "connectors/crypto/sha256.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace hd::crypto {
namespace {

// Only an OpenSSL misconfiguration (no default provider) fails here: a broken invariant.
void check(int ok, const char* call) {
  if (ok != 1) throw std::runtime_error(std::string(call) + "(SHA-256) failed");
}

std::string hex(const unsigned char* digest, unsigned int length) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text;
  text.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    text.push_back(kHex[digest[i] >> 4]);
    text.push_back(kHex[digest[i] & 0x0f]);
  }
  return text;
}

}  // namespace

std::string sha256Hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  check(EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr),
        "EVP_Digest");
  return hex(digest, length);
}

struct Sha256::Context {
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  ~Context() { EVP_MD_CTX_free(md); }
};

Sha256::Sha256() : context_(std::make_unique<Context>()) {
  if (context_->md == nullptr) throw std::runtime_error("EVP_MD_CTX_new failed");
  check(EVP_DigestInit_ex(context_->md, EVP_sha256(), nullptr), "EVP_DigestInit_ex");
}

Sha256::~Sha256() = default;

void Sha256::update(std::string_view bytes) {
  check(EVP_DigestUpdate(context_->md, bytes.data(), bytes.size()), "EVP_DigestUpdate");
}

std::string Sha256::hexDigest() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  check(EVP_DigestFinal_ex(context_->md, digest, &length), "EVP_DigestFinal_ex");
  return hex(digest, length);
}

}  // namespace hd::crypto
