#pragma once
// The API token check: "Authorization: Bearer <token>" against the configured tokens, in constant
// time. Two tokens: the full one (http.api_token) may do everything; the optional read-only one
// (http.api_read_token, e.g. for the ticketing system that only polls) may only read. With no token
// configured every request is refused. Thread-safe (immutable).

#include <string>

namespace hd::service::http {

class BearerAuth {
 public:
  enum class Grant { kNone, kRead, kFull };

  // "" = that token is not configured.
  explicit BearerAuth(const std::string& token, const std::string& read_token = "");

  bool configured() const { return !token_digest_.empty() || !read_token_digest_.empty(); }
  // `authorization`: the header's value ("" when absent).
  Grant grantFor(const std::string& authorization) const;
  bool allows(const std::string& authorization) const {
    return grantFor(authorization) != Grant::kNone;
  }

 private:
  // SHA-256 of each token, so the comparison length never depends on the token.
  std::string token_digest_, read_token_digest_;
};

}  // namespace hd::service::http
