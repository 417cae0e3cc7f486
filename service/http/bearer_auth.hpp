#pragma once
// The API token check: "Authorization: Bearer <token>" against the configured token, in constant
// time. With no token configured every request is refused. Thread-safe (immutable).

#include <string>

namespace hd::service::http {

class BearerAuth {
 public:
  explicit BearerAuth(const std::string& token);  // "" = no token configured

  bool configured() const { return !token_digest_.empty(); }
  // `authorization`: the header's value ("" when absent).
  bool allows(const std::string& authorization) const;

 private:
  std::string token_digest_;  // SHA-256 of the token, so the comparison length never depends on it
};

}  // namespace hd::service::http
