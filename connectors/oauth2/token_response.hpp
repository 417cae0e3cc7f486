#pragma once
// What the Microsoft identity platform (and any RFC 6749 token endpoint) answers, parsed from the
// raw HTTP status and body. Untrusted input: every outcome is a value, nothing throws.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace hd::oauth2 {

using TimePoint = std::chrono::system_clock::time_point;

// A successful token response (RFC 6749 section 5.1). `refresh_token` is empty when the server
// did not send one (client credentials; or a refresh without offline_access).
struct TokenSet {
  std::string access_token;
  std::string refresh_token;
  std::string token_type;
  std::string scope;
  // OpenID Connect: present when openid was asked for (device-code sign-in); names the account.
  // Never stored.
  std::string id_token;
  TimePoint expires_at{};  // receipt time + expires_in
};

// An error response (RFC 6749 section 5.2, RFC 8628 section 3.5), or a response that is not a
// token response at all (error "invalid_response", the reason in `description`).
struct OAuthError {
  std::string error;
  std::string description;
  int http_status = 0;

  // A person must sign in again (revoked, expired or foreign refresh token; consent withdrawn;
  // a misconfigured client): retrying with the same input cannot succeed.
  bool requiresLogin() const;
  // "error: description" for logs and for the operator; never contains a token.
  std::string message() const;
};

// The device authorization response (RFC 8628 section 3.2). `message` is Microsoft's ready-made
// instruction text ("To sign in, use a web browser to open ... and enter the code ...").
struct DeviceCode {
  std::string device_code;
  std::string user_code;
  std::string verification_uri;
  std::string message;
  std::chrono::seconds interval{5};
  TimePoint expires_at{};
};

using TokenResult = std::variant<TokenSet, OAuthError>;
using DeviceCodeResult = std::variant<DeviceCode, OAuthError>;

// `received_at` turns the relative expires_in into an absolute time.
TokenResult parseTokenResponse(int http_status, std::string_view body, TimePoint received_at);
DeviceCodeResult parseDeviceCodeResponse(int http_status, std::string_view body,
                                         TimePoint received_at);

}  // namespace hd::oauth2
