#include <regex>

#include "connectors/oauth2/outlook_scopes.hpp"
#include "connectors/oauth2/token_client.hpp"
#include "service/config_sections.hpp"

namespace hd::service::config_detail {
namespace {

// "scopes", checked against the flow; the flow's defaults when absent.
std::vector<std::string> parseScopes(ObjectReader& in, const OAuth2Config& oauth,
                                     const MailboxConfig& box) {
  std::vector<std::string> scopes;
  if (in.has("scopes")) {
    const Json& list = in.raw("scopes");
    if (!list.is_array()) throw ConfigError(in.key("scopes"), "must be a list of strings");
    for (const auto& scope : list) {
      if (!scope.is_string() || scope.get<std::string>().empty()) {
        throw ConfigError(in.key("scopes"), "must be a list of non-empty strings");
      }
      scopes.push_back(scope.get<std::string>());
    }
    const std::string problem =
        oauth.client_credentials
            ? oauth2::appOnlyScopesProblem(scopes)
            : oauth2::delegatedScopesProblem(scopes, box.protocol == Protocol::kImap
                                                         ? "IMAP.AccessAsUser.All"
                                                         : "POP.AccessAsUser.All");
    if (!problem.empty()) throw ConfigError(in.key("scopes"), problem);
  } else if (oauth.client_credentials) {
    scopes = {oauth2::kAppOnlyScope};
  } else {
    scopes = {box.protocol == Protocol::kImap ? oauth2::kImapScope : oauth2::kPopScope,
              oauth2::kOfflineAccessScope};
  }
  return scopes;
}

}  // namespace

OAuth2Config parseOAuth2(ObjectReader in, const MailboxConfig& box) {
  OAuth2Config oauth;
  oauth.client_id = in.requiredString("client_id");
  if (!in.has("tenant")) {
    throw ConfigError(in.key("tenant"),
                      "is required: \"consumers\" for a personal Outlook.com account, the tenant "
                      "id or domain (or \"organizations\") for Microsoft 365");
  }
  oauth.tenant = in.string("tenant", "");
  static const std::regex kTenant("[A-Za-z0-9.-]{1,128}");
  if (!std::regex_match(oauth.tenant, kTenant)) {
    throw ConfigError(in.key("tenant"), "must be consumers, common, organizations or a tenant id");
  }
  oauth.authority = in.string("authority", oauth.authority);
  if (!oauth2::isAcceptableAuthority(oauth.authority)) {
    throw ConfigError(in.key("authority"),
                      "must be an https URL (plain http only for 127.0.0.1 or localhost)");
  }
  oauth.client_secret = in.secret("client_secret").value_or("");
  oauth.client_credentials = choose<bool>(in.key("flow"), in.string("flow", "device_code"),
                                          {{"device_code", false}, {"client_credentials", true}});
  if (oauth.client_credentials) {
    if (oauth.client_secret.empty())
      throw ConfigError(in.key("client_secret"), "is required for the client_credentials flow");
    if (oauth2::isTenantAlias(oauth.tenant)) {
      throw ConfigError(in.key("tenant"),
                        "the client_credentials flow needs the tenant id or "
                        "domain (e.g. contoso.onmicrosoft.com), not \"" +
                            oauth.tenant + "\"");
    }
    if (in.has("login_account"))
      throw ConfigError(in.key("login_account"), "is for the device_code flow only");
  } else {
    if (in.has("client_secret") || in.has("client_secret_file")) {
      throw ConfigError(in.key("client_secret"),
                        "is for the client_credentials flow only: the device-code flow is a "
                        "public client, and Microsoft refuses its sign-in when a client_secret "
                        "is sent (AADSTS700025)");
    }
    oauth.login_account = in.string("login_account", box.username);
    if (oauth.login_account.empty())
      throw ConfigError(in.key("login_account"), "must not be empty");
  }
  oauth.scopes = parseScopes(in, oauth, box);
  in.rejectUnknownKeys();
  return oauth;
}

}  // namespace hd::service::config_detail
