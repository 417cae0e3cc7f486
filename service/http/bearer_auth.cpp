#include "service/http/bearer_auth.hpp"

#include <openssl/crypto.h>

#include "connectors/mime/sha256.hpp"

namespace hd::service::http {

BearerAuth::BearerAuth(const std::string& token) {
  if (!token.empty()) token_digest_ = mime::sha256Hex(token);
}

bool BearerAuth::allows(const std::string& authorization) const {
  if (!configured()) return false;
  // RFC 6750 section 2.1: the scheme is case-insensitive, one space, then the token.
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size()) return false;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (static_cast<char>(std::tolower(static_cast<unsigned char>(authorization[i]))) != kScheme[i])
      return false;
  }
  // Comparing digests of equal length takes the same time whatever the presented token is.
  const std::string presented = mime::sha256Hex(authorization.substr(kScheme.size()));
  return CRYPTO_memcmp(presented.data(), token_digest_.data(), token_digest_.size()) == 0;
}

}  // namespace hd::service::http
