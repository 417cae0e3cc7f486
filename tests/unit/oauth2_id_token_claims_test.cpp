// The id_token's claims decide whether `auth login` keeps the tokens: read them from Microsoft's
// shape, and turn every malformed token into "no claims" without throwing.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "connectors/net/sasl.hpp"
#include "connectors/oauth2/id_token_claims.hpp"

namespace hd::oauth2 {
namespace {

std::string base64Url(const std::string& bytes) {
  std::string text = net::base64Encode(bytes);
  for (char& c : text) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!text.empty() && text.back() == '=') text.pop_back();
  return text;
}

std::string jwt(const std::string& payload) {
  return base64Url(R"({"typ":"JWT","alg":"RS256","kid":"k"})") + "." + base64Url(payload) +
         ".c2lnbmF0dXJl";
}

TEST(IdTokenClaims, ReadsPreferredUsernameAndEmail) {
  auto claims = readIdTokenClaims(
      jwt(R"({"aud":"a","iss":"https://login.microsoftonline.com/9188040d/v2.0",)"
          R"("preferred_username":"Alice@Contoso.onmicrosoft.com","email":"alice@contoso.com",)"
          R"("name":"Alice \u00c5berg","tid":"9188040d"})"));
  ASSERT_TRUE(claims);
  EXPECT_EQ(claims->preferred_username, "Alice@Contoso.onmicrosoft.com");
  EXPECT_EQ(claims->email, "alice@contoso.com");
}

TEST(IdTokenClaims, MatchesEitherClaimIgnoringCase) {
  IdTokenClaims claims{"alice@contoso.onmicrosoft.com", "Alice@Contoso.com"};
  EXPECT_TRUE(claimsName(claims, "ALICE@contoso.onmicrosoft.com"));
  EXPECT_TRUE(claimsName(claims, "alice@contoso.com"));  // UPN differs from the address
  EXPECT_FALSE(claimsName(claims, "help@contoso.com"));
  EXPECT_FALSE(claimsName(claims, "alice@contoso.co"));
  EXPECT_FALSE(claimsName(claims, "alice@contoso.com "));
  EXPECT_FALSE(claimsName(IdTokenClaims{}, ""));
  EXPECT_FALSE(claimsName(IdTokenClaims{"", ""}, "help@contoso.com"));
}

TEST(IdTokenClaims, MissingOrNonStringClaimsAreEmpty) {
  auto claims = readIdTokenClaims(jwt(R"({"preferred_username":42,"email":["a@b.c"]})"));
  ASSERT_TRUE(claims);
  EXPECT_TRUE(claims->preferred_username.empty());
  EXPECT_TRUE(claims->email.empty());
  EXPECT_FALSE(claimsName(*claims, ""));
}

TEST(IdTokenClaims, HostileTokensYieldNothing) {
  const std::string payload = base64Url(R"({"preferred_username":"a@b.c"})");
  for (const std::string& bad : std::vector<std::string>{
           std::string(),
           std::string("."),
           std::string(".."),
           std::string("not-a-jwt"),
           "header." + payload,                                  // two parts
           "h." + payload + ".s.extra",                          // four parts
           "h." + payload + "=.s",                               // padding is not base64url
           "h." + payload + "+.s",                               // standard alphabet
           std::string("h.%%%.s"),                               // junk
           std::string("h.a.s"),                                 // a length no base64 has
           "h." + base64Url("[\"a@b.c\"]") + ".s",               // JSON, not an object
           "h." + base64Url("{\"preferred_username\":") + ".s",  // truncated JSON
           "h." + base64Url(std::string("\xff\xfe\x00", 3)) + ".s",
       }) {
    EXPECT_FALSE(readIdTokenClaims(bad)) << bad;
  }
  const std::string huge =
      "h." + base64Url(R"({"preferred_username":")" + std::string(kMaxIdTokenBytes, 'a') + "\"}") +
      ".s";
  EXPECT_FALSE(readIdTokenClaims(huge));
}

}  // namespace
}  // namespace hd::oauth2
