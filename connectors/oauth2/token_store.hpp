#pragma once
// Where a mailbox's tokens live between runs (the service implements it on PostgreSQL).

#include <optional>
#include <string>

#include "connectors/oauth2/token_response.hpp"

namespace hd::oauth2 {

class TokenStore {
 public:
  virtual ~TokenStore() = default;
  // The stored tokens, or nullopt when nobody has signed in yet.
  virtual std::optional<TokenSet> load() = 0;
  // Replaces the stored tokens atomically. `tokens.refresh_token` is never empty here: the
  // caller keeps the previous one when the server sent none. Throws on storage failure.
  virtual void save(const TokenSet& tokens) = 0;
};

}  // namespace hd::oauth2
