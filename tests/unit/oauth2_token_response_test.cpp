#include <gtest/gtest.h>

#include "connectors/oauth2/form_encoding.hpp"
#include "connectors/oauth2/token_response.hpp"

namespace hd::oauth2 {
namespace {

const TimePoint kNow = TimePoint{} + std::chrono::hours(1000);

TEST(OAuth2TokenResponse, ParsesMicrosoftRefreshAnswer) {
  const std::string body =
      R"({"token_type":"Bearer","scope":"https://outlook.office.com/IMAP.AccessAsUser.All",)"
      R"("expires_in":3599,"ext_expires_in":3599,"access_token":"EwBwA8l6","refresh_token":"M.C5"})";
  auto result = parseTokenResponse(200, body, kNow);
  ASSERT_TRUE(std::holds_alternative<TokenSet>(result));
  const auto& tokens = std::get<TokenSet>(result);
  EXPECT_EQ(tokens.access_token, "EwBwA8l6");
  EXPECT_EQ(tokens.refresh_token, "M.C5");
  EXPECT_EQ(tokens.scope, "https://outlook.office.com/IMAP.AccessAsUser.All");
  EXPECT_EQ(tokens.expires_at, kNow + std::chrono::seconds(3599));
}

TEST(OAuth2TokenResponse, AcceptsExpiresInAsStringAndLowerCaseBearer) {
  auto result = parseTokenResponse(
      200, R"({"token_type":"bearer","expires_in":"3600","access_token":"a"})", kNow);
  ASSERT_TRUE(std::holds_alternative<TokenSet>(result));
  EXPECT_TRUE(std::get<TokenSet>(result).refresh_token.empty());
  EXPECT_EQ(std::get<TokenSet>(result).expires_at, kNow + std::chrono::seconds(3600));
}

TEST(OAuth2TokenResponse, ErrorResponseKeepsErrorAndDescription) {
  const std::string body =
      R"({"error":"invalid_grant","error_description":"AADSTS70000: The provided value for )"
      R"(the 'refresh_token' is not valid.","error_codes":[70000]})";
  auto result = parseTokenResponse(400, body, kNow);
  ASSERT_TRUE(std::holds_alternative<OAuthError>(result));
  const auto& error = std::get<OAuthError>(result);
  EXPECT_EQ(error.error, "invalid_grant");
  EXPECT_EQ(error.http_status, 400);
  EXPECT_TRUE(error.requiresLogin());
  EXPECT_EQ(error.message().rfind("invalid_grant: AADSTS70000", 0), 0u);
}

TEST(OAuth2TokenResponse, PendingIsNotALoginProblem) {
  auto result = parseTokenResponse(400, R"({"error":"authorization_pending"})", kNow);
  ASSERT_TRUE(std::holds_alternative<OAuthError>(result));
  EXPECT_FALSE(std::get<OAuthError>(result).requiresLogin());
  EXPECT_EQ(std::get<OAuthError>(result).message(), "authorization_pending");
}

TEST(OAuth2TokenResponse, RejectsMalformedBodies) {
  for (const char* body : {"", "<html>502 Bad Gateway</html>", "[1,2]", R"({"access_token":1})",
                           R"({"token_type":"Bearer","access_token":"a"})",
                           R"({"token_type":"MAC","expires_in":3599,"access_token":"a"})",
                           R"({"token_type":"Bearer","expires_in":-5,"access_token":"a"})",
                           R"({"token_type":"Bearer","expires_in":"12x","access_token":"a"})"}) {
    auto result = parseTokenResponse(200, body, kNow);
    ASSERT_TRUE(std::holds_alternative<OAuthError>(result)) << body;
    EXPECT_EQ(std::get<OAuthError>(result).error, "invalid_response") << body;
  }
}

TEST(OAuth2TokenResponse, ServerErrorWithoutOAuthErrorIsInvalidResponse) {
  auto result = parseTokenResponse(503, R"({"status":"down"})", kNow);
  ASSERT_TRUE(std::holds_alternative<OAuthError>(result));
  EXPECT_EQ(std::get<OAuthError>(result).error, "invalid_response");
  EXPECT_EQ(std::get<OAuthError>(result).http_status, 503);
}

TEST(OAuth2TokenResponse, ParsesDeviceCodeAnswer) {
  const std::string body =
      R"({"user_code":"F7ZK3QW2","device_code":"DAQABAAEAAAD","verification_uri":)"
      R"("https://www.microsoft.com/link","expires_in":900,"interval":5,"message":"To sign in, )"
      R"(use a web browser to open the page https://www.microsoft.com/link and enter the code )"
      R"(F7ZK3QW2 to authenticate."})";
  auto result = parseDeviceCodeResponse(200, body, kNow);
  ASSERT_TRUE(std::holds_alternative<DeviceCode>(result));
  const auto& code = std::get<DeviceCode>(result);
  EXPECT_EQ(code.user_code, "F7ZK3QW2");
  EXPECT_EQ(code.device_code, "DAQABAAEAAAD");
  EXPECT_EQ(code.interval, std::chrono::seconds(5));
  EXPECT_EQ(code.expires_at, kNow + std::chrono::seconds(900));
  EXPECT_NE(code.message.find("F7ZK3QW2"), std::string::npos);
}

TEST(OAuth2TokenResponse, DeviceCodeDefaultsIntervalAndMessage) {
  auto result = parseDeviceCodeResponse(
      200, R"({"user_code":"U","device_code":"D","verification_url":"https://x/","expires_in":60})",
      kNow);
  ASSERT_TRUE(std::holds_alternative<DeviceCode>(result));
  EXPECT_EQ(std::get<DeviceCode>(result).interval, std::chrono::seconds(5));
  EXPECT_NE(std::get<DeviceCode>(result).message.find("https://x/"), std::string::npos);
}

TEST(OAuth2TokenResponse, DeviceCodeMissingFieldsIsInvalid) {
  auto result = parseDeviceCodeResponse(200, R"({"user_code":"U","expires_in":60})", kNow);
  ASSERT_TRUE(std::holds_alternative<OAuthError>(result));
  EXPECT_EQ(std::get<OAuthError>(result).error, "invalid_response");
}

TEST(OAuth2FormEncoding, EncodesReservedBytesAndSpaces) {
  EXPECT_EQ(formEncode("https://outlook.office.com/IMAP.AccessAsUser.All offline_access"),
            "https%3A%2F%2Foutlook.office.com%2FIMAP.AccessAsUser.All+offline_access");
  EXPECT_EQ(formEncode("a+b&c=d\xC3\xA9"), "a%2Bb%26c%3Dd%C3%A9");
  EXPECT_EQ(formEncode(FormFields{{"grant_type", "refresh_token"}, {"refresh_token", "M.C5/x="}}),
            "grant_type=refresh_token&refresh_token=M.C5%2Fx%3D");
}

}  // namespace
}  // namespace hd::oauth2
