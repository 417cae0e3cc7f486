#include "connectors/oauth2/token_response.hpp"

#include <nlohmann/json.hpp>

#include <optional>

namespace hd::oauth2 {
namespace {

using Json = nlohmann::json;

// Longer bodies are not token responses; keep the error text short enough to log.
constexpr std::size_t kMaxQuotedBody = 200;
// Microsoft answers 3599 s for access tokens and 900 s for device codes; a day bounds a hostile
// or broken server without rejecting any real answer.
constexpr std::int64_t kMaxLifetimeSeconds = 24 * 3600;

OAuthError invalidResponse(int http_status, std::string why) {
  return OAuthError{"invalid_response", std::move(why), http_status};
}

std::optional<std::string> stringField(const Json& json, const char* key) {
  auto it = json.find(key);
  if (it == json.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

// RFC 6749 says expires_in is a number; some servers (older Azure AD v1 endpoints) send it as a
// string, so both are accepted.
std::optional<std::int64_t> secondsField(const Json& json, const char* key) {
  auto it = json.find(key);
  if (it == json.end()) return std::nullopt;
  std::int64_t value = -1;
  if (it->is_number_integer()) {
    value = it->get<std::int64_t>();
  } else if (it->is_string()) {
    const std::string text = it->get<std::string>();
    if (text.empty() || text.size() > 9 ||
        text.find_first_not_of("0123456789") != std::string::npos)
      return std::nullopt;
    value = std::stoll(text);
  } else {
    return std::nullopt;
  }
  if (value < 0 || value > kMaxLifetimeSeconds) return std::nullopt;
  return value;
}

// Either the parsed object, or the error to return: not JSON, not an object, or an OAuth error.
std::variant<Json, OAuthError> parseObject(int http_status, std::string_view body) {
  Json json = Json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    std::string quoted(body.substr(0, kMaxQuotedBody));
    return invalidResponse(http_status, "HTTP " + std::to_string(http_status) +
                                            " with a body that is not a JSON object: " + quoted);
  }
  if (auto error = stringField(json, "error")) {
    return OAuthError{*error, stringField(json, "error_description").value_or(""), http_status};
  }
  if (http_status < 200 || http_status > 299) {
    return invalidResponse(http_status,
                           "HTTP " + std::to_string(http_status) + " without an error");
  }
  return json;
}

}  // namespace

bool OAuthError::requiresLogin() const {
  return error == "invalid_grant" || error == "interaction_required" ||
         error == "consent_required" || error == "login_required" || error == "invalid_client" ||
         error == "unauthorized_client";
}

std::string OAuthError::message() const {
  return description.empty() ? error : error + ": " + description;
}

TokenResult parseTokenResponse(int http_status, std::string_view body, TimePoint received_at) {
  auto parsed = parseObject(http_status, body);
  if (auto* error = std::get_if<OAuthError>(&parsed)) return *error;
  const Json& json = std::get<Json>(parsed);

  TokenSet tokens;
  auto access = stringField(json, "access_token");
  if (!access || access->empty()) return invalidResponse(http_status, "no access_token");
  tokens.access_token = std::move(*access);
  tokens.token_type = stringField(json, "token_type").value_or("");
  // RFC 6749 section 5.1: token_type is case-insensitive; XOAUTH2 sends "Bearer" tokens only.
  std::string lowered = tokens.token_type;
  for (char& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lowered != "bearer") {
    return invalidResponse(http_status, "token_type '" + tokens.token_type + "' is not Bearer");
  }
  auto expires_in = secondsField(json, "expires_in");
  if (!expires_in) return invalidResponse(http_status, "missing or invalid expires_in");
  tokens.expires_at = received_at + std::chrono::seconds(*expires_in);
  tokens.refresh_token = stringField(json, "refresh_token").value_or("");
  tokens.scope = stringField(json, "scope").value_or("");
  tokens.id_token = stringField(json, "id_token").value_or("");
  return tokens;
}

DeviceCodeResult parseDeviceCodeResponse(int http_status, std::string_view body,
                                         TimePoint received_at) {
  auto parsed = parseObject(http_status, body);
  if (auto* error = std::get_if<OAuthError>(&parsed)) return *error;
  const Json& json = std::get<Json>(parsed);

  DeviceCode code;
  auto device_code = stringField(json, "device_code");
  auto user_code = stringField(json, "user_code");
  // RFC 8628 names it verification_uri; Azure AD v1 endpoints said verification_url.
  auto uri = stringField(json, "verification_uri");
  if (!uri) uri = stringField(json, "verification_url");
  if (!device_code || device_code->empty() || !user_code || !uri) {
    return invalidResponse(http_status,
                           "device code response lacks device_code, user_code or "
                           "verification_uri");
  }
  auto expires_in = secondsField(json, "expires_in");
  if (!expires_in) return invalidResponse(http_status, "missing or invalid expires_in");
  code.device_code = std::move(*device_code);
  code.user_code = std::move(*user_code);
  code.verification_uri = std::move(*uri);
  code.expires_at = received_at + std::chrono::seconds(*expires_in);
  // RFC 8628 section 3.2: interval defaults to 5 seconds.
  if (auto interval = secondsField(json, "interval"); interval && *interval > 0) {
    code.interval = std::chrono::seconds(*interval);
  }
  code.message = stringField(json, "message")
                     .value_or("To sign in, open " + code.verification_uri +
                               " and enter the code " + code.user_code + ".");
  return code;
}

}  // namespace hd::oauth2
