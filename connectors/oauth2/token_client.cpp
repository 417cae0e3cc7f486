#include "connectors/oauth2/token_client.hpp"

#include <Poco/Logger.h>

#include <algorithm>
#include <stdexcept>

#include "connectors/net/errors.hpp"

namespace hd::oauth2 {
namespace {

constexpr char kDeviceCodeGrant[] = "urn:ietf:params:oauth:grant-type:device_code";
// RFC 8628 section 3.5: on slow_down the interval grows by 5 seconds for all later requests.
constexpr std::chrono::seconds kSlowDownStep{5};

Poco::Logger& logger() {
  return Poco::Logger::get("hd.oauth2");
}

std::string trimSlash(std::string text) {
  while (!text.empty() && text.back() == '/') text.pop_back();
  return text;
}

}  // namespace

TokenClient::TokenClient(ClientConfig config, HttpTransport& transport, const Clock& clock)
    : config_(std::move(config)), transport_(transport), clock_(clock) {
  if (!isAcceptableAuthority(config_.authority)) {
    throw std::invalid_argument("oauth2 authority '" + config_.authority +
                                "' must be https (plain http only for 127.0.0.1/localhost)");
  }
  if (config_.client_id.empty()) throw std::invalid_argument("oauth2 client_id is empty");
  if (config_.tenant.empty()) throw std::invalid_argument("oauth2 tenant is empty");
}

std::string TokenClient::tokenUrl() const {
  return trimSlash(config_.authority) + "/" + config_.tenant + "/oauth2/v2.0/token";
}

std::string TokenClient::deviceCodeUrl() const {
  return trimSlash(config_.authority) + "/" + config_.tenant + "/oauth2/v2.0/devicecode";
}

std::string TokenClient::scopeParameter() const {
  std::string scope;
  for (const auto& s : config_.scopes) {
    if (!scope.empty()) scope += ' ';
    scope += s;
  }
  return scope;
}

TokenResult TokenClient::postTokenRequest(const FormFields& fields, bool confidential) {
  FormFields all = fields;
  all.emplace_back("client_id", config_.client_id);
  // A public client (device code, its refresh tokens) that sends a secret is refused with
  // AADSTS700025, so only the client credentials grant ever carries it.
  if (confidential) all.emplace_back("client_secret", config_.client_secret);
  HttpResponse response = transport_.postForm(tokenUrl(), formEncode(all));
  return parseTokenResponse(response.status, response.body, clock_.now());
}

TokenResult TokenClient::refresh(const std::string& refresh_token) {
  FormFields fields{{"grant_type", "refresh_token"}, {"refresh_token", refresh_token}};
  if (!config_.scopes.empty()) fields.emplace_back("scope", scopeParameter());
  TokenResult result = postTokenRequest(fields);
  if (auto* error = std::get_if<OAuthError>(&result)) {
    logger().warning("token refresh refused by %s: %s", tokenUrl(), error->message());
  } else {
    logger().information(
        "access token refreshed (%s refresh token)",
        std::string(std::get<TokenSet>(result).refresh_token.empty() ? "no new" : "new"));
  }
  return result;
}

TokenResult TokenClient::clientCredentials() {
  FormFields fields{{"grant_type", "client_credentials"},
                    {"scope", config_.scopes.empty() ? kAppOnlyScope : scopeParameter()}};
  return postTokenRequest(fields, /*confidential=*/true);
}

DeviceCodeResult TokenClient::startDeviceLogin() {
  // OpenID Connect scopes add an id_token to the answer: its claims name the account that
  // approved the code. Only here: a refresh asks for the mail scopes alone.
  std::string scope = scopeParameter();
  for (const char* extra : {"openid", "email", "profile"}) {
    if (std::find(config_.scopes.begin(), config_.scopes.end(), extra) == config_.scopes.end())
      scope += std::string(scope.empty() ? "" : " ") + extra;
  }
  FormFields fields{{"client_id", config_.client_id}, {"scope", scope}};
  HttpResponse response = transport_.postForm(deviceCodeUrl(), formEncode(fields));
  return parseDeviceCodeResponse(response.status, response.body, clock_.now());
}

TokenResult TokenClient::pollDeviceLogin(const DeviceCode& code, const Sleeper& sleep) {
  std::chrono::seconds interval = code.interval;
  const FormFields fields{{"grant_type", kDeviceCodeGrant}, {"device_code", code.device_code}};
  for (;;) {
    if (clock_.now() >= code.expires_at) {
      return OAuthError{"expired_token", "the device code expired before sign-in completed", 0};
    }
    if (!sleep(interval)) return OAuthError{"cancelled", "device login cancelled", 0};
    TokenResult result;
    try {
      result = postTokenRequest(fields);
    } catch (const net::NetworkError& e) {
      logger().warning("device login poll failed, will retry: %s", std::string(e.what()));
      continue;
    }
    auto* error = std::get_if<OAuthError>(&result);
    if (error == nullptr) return result;
    if (error->error == "authorization_pending") continue;
    if (error->error == "slow_down") {
      interval += kSlowDownStep;
      logger().information("device login: server asked to slow down, polling every %s s",
                           std::to_string(interval.count()));
      continue;
    }
    // authorization_declined, expired_token, bad_verification_code and anything else: final.
    return result;
  }
}

}  // namespace hd::oauth2
