#pragma once
// Token requests to the Microsoft identity platform v2.0 endpoints
// ({authority}/{tenant}/oauth2/v2.0/token and /devicecode): refresh_token grant, device
// authorization grant (RFC 8628), client credentials grant.
//
// Outcomes from the server are values (TokenSet or OAuthError); a missing answer throws what
// HttpTransport throws (net::NetworkError). Not thread-safe for concurrent calls on one object
// only because of the transport: PocoHttpTransport makes it safe.

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "connectors/oauth2/clock.hpp"
#include "connectors/oauth2/form_encoding.hpp"
#include "connectors/oauth2/http_transport.hpp"
#include "connectors/oauth2/token_response.hpp"

namespace hd::oauth2 {

inline constexpr char kMicrosoftAuthority[] = "https://login.microsoftonline.com";
inline constexpr char kImapScope[] = "https://outlook.office.com/IMAP.AccessAsUser.All";
inline constexpr char kPopScope[] = "https://outlook.office.com/POP.AccessAsUser.All";
inline constexpr char kOfflineAccessScope[] = "offline_access";
// Client credentials (Microsoft 365 app-only access): the resource's .default scope.
inline constexpr char kAppOnlyScope[] = "https://outlook.office365.com/.default";

struct ClientConfig {
  std::string authority = kMicrosoftAuthority;  // https, or http on loopback only
  std::string tenant = "consumers";             // consumers, common, organizations or an id
  std::string client_id;
  std::string client_secret;  // sent with the client credentials grant only
  std::vector<std::string> scopes;
};

// Waits `delay`; returns false when the wait was cancelled (shutdown, Ctrl-C).
using Sleeper = std::function<bool(std::chrono::seconds delay)>;

class TokenClient {
 public:
  // Throws std::invalid_argument when the authority is neither https nor loopback http, or the
  // client id is empty. `transport` and `clock` must outlive the client.
  TokenClient(ClientConfig config, HttpTransport& transport, const Clock& clock);

  std::string tokenUrl() const;
  std::string deviceCodeUrl() const;
  const ClientConfig& config() const { return config_; }

  // grant_type=refresh_token. The answer usually carries a NEW refresh token that replaces the
  // old one (Microsoft rotates them); a TokenSet without one means "keep the old one".
  TokenResult refresh(const std::string& refresh_token);
  // grant_type=client_credentials with the configured scopes (default kAppOnlyScope).
  TokenResult clientCredentials();

  // Starts the device authorization grant, asking for the configured scopes plus openid, email
  // and profile (so that the token answer carries an id_token naming the account).
  DeviceCodeResult startDeviceLogin();
  // Polls the token endpoint every `code.interval` (+5 s after each slow_down) until the user
  // signs in, declines, or the code expires. Returns the tokens or the final error
  // (authorization_declined, expired_token, bad_verification_code, ...; "cancelled" when the
  // sleeper says so). Transient network failures while polling are retried until expiry.
  TokenResult pollDeviceLogin(const DeviceCode& code, const Sleeper& sleep);

 private:
  // `confidential`: add the client secret (client credentials grant only).
  TokenResult postTokenRequest(const FormFields& fields, bool confidential = false);
  std::string scopeParameter() const;

  ClientConfig config_;
  HttpTransport& transport_;
  const Clock& clock_;
};

}  // namespace hd::oauth2
