#pragma once
// The account named in an OpenID Connect id_token (a JWT). Only the payload's claims are read, the
// signature is not checked: the token came straight from the token endpoint over TLS, in answer
// to our own request, and it only decides whether to keep tokens the same answer carried.
// Untrusted input all the same: anything malformed is a value, nothing throws.

#include <optional>
#include <string>
#include <string_view>

namespace hd::oauth2 {

// Longer tokens are not id_tokens (Microsoft's are about 1.5 KB).
inline constexpr std::size_t kMaxIdTokenBytes = 16 * 1024;

struct IdTokenClaims {
  std::string preferred_username;  // work accounts: the UPN, which may differ from the address
  std::string email;
};

// The claims, or nullopt when `id_token` is not "header.payload.signature" with a base64url
// JSON object as payload (or is longer than kMaxIdTokenBytes). Missing or non-string claims are
// empty.
std::optional<IdTokenClaims> readIdTokenClaims(std::string_view id_token);

// True when `account` equals preferred_username or email, ignoring ASCII case.
bool claimsName(const IdTokenClaims& claims, std::string_view account);

}  // namespace hd::oauth2
