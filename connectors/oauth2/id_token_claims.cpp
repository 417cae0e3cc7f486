#include "connectors/oauth2/id_token_claims.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "connectors/net/errors.hpp"
#include "connectors/net/sasl.hpp"

namespace hd::oauth2 {
namespace {

// RFC 7515 base64url without padding, decoded with the standard alphabet's decoder.
std::optional<std::string> base64UrlDecode(std::string_view text) {
  std::string standard;
  standard.reserve(text.size() + 3);
  for (char c : text) {
    if (c == '-') {
      standard.push_back('+');
    } else if (c == '_') {
      standard.push_back('/');
    } else if (std::isalnum(static_cast<unsigned char>(c)) != 0) {
      standard.push_back(c);
    } else {
      return std::nullopt;  // padding, whitespace, '+', '/' or anything else: not base64url
    }
  }
  if (standard.size() % 4 == 1) return std::nullopt;
  while (standard.size() % 4 != 0) standard.push_back('=');
  try {
    return net::base64Decode(standard);
  } catch (const net::ProtocolError&) {
    return std::nullopt;
  }
}

std::string stringClaim(const nlohmann::json& payload, const char* name) {
  auto it = payload.find(name);
  return it != payload.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::optional<IdTokenClaims> readIdTokenClaims(std::string_view id_token) {
  if (id_token.size() > kMaxIdTokenBytes) return std::nullopt;
  const std::size_t first_dot = id_token.find('.');
  if (first_dot == std::string_view::npos) return std::nullopt;
  const std::size_t second_dot = id_token.find('.', first_dot + 1);
  if (second_dot == std::string_view::npos ||
      id_token.find('.', second_dot + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  auto payload_text = base64UrlDecode(id_token.substr(first_dot + 1, second_dot - first_dot - 1));
  if (!payload_text) return std::nullopt;
  auto payload = nlohmann::json::parse(*payload_text, nullptr, /*allow_exceptions=*/false);
  if (payload.is_discarded() || !payload.is_object()) return std::nullopt;
  return IdTokenClaims{stringClaim(payload, "preferred_username"), stringClaim(payload, "email")};
}

bool claimsName(const IdTokenClaims& claims, std::string_view account) {
  if (account.empty()) return false;
  return equalsIgnoringCase(claims.preferred_username, account) ||
         equalsIgnoringCase(claims.email, account);
}

}  // namespace hd::oauth2
