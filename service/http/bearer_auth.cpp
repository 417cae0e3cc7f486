#include "service/http/bearer_auth.hpp"

#include <openssl/crypto.h>

#include "connectors/crypto/sha256.hpp"

namespace hd::service::http {
namespace {

bool sameDigest(const std::string& presented, const std::string& configured) {
  return !configured.empty() &&
         CRYPTO_memcmp(presented.data(), configured.data(), configured.size()) == 0;
}

}  // namespace

BearerAuth::BearerAuth(const std::string& token, const std::string& read_token) {
  if (!token.empty()) token_digest_ = crypto::sha256Hex(token);
  if (!read_token.empty()) read_token_digest_ = crypto::sha256Hex(read_token);
}

BearerAuth::Grant BearerAuth::grantFor(const std::string& authorization) const {
  if (!configured()) return Grant::kNone;
  // RFC 6750 section 2.1: the scheme is case-insensitive, one space, then the token.
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size()) return Grant::kNone;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (static_cast<char>(std::tolower(static_cast<unsigned char>(authorization[i]))) != kScheme[i])
      return Grant::kNone;
  }
  // Comparing digests of equal length takes the same time whatever the presented token is; both
  // comparisons always run.
  const std::string presented = crypto::sha256Hex(authorization.substr(kScheme.size()));
  const bool full = sameDigest(presented, token_digest_);
  const bool read = sameDigest(presented, read_token_digest_);
  if (full) return Grant::kFull;
  return read ? Grant::kRead : Grant::kNone;
}

}  // namespace hd::service::http
