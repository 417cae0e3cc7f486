#include "connectors/oauth2/outlook_scopes.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace hd::oauth2 {
namespace {

std::string lower(std::string_view text) {
  std::string result(text);
  std::transform(result.begin(), result.end(), result.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return result;
}

// Microsoft documents outlook.office.com; older pages and app-only use outlook.office365.com.
constexpr std::array<std::string_view, 2> kOutlookResources = {"https://outlook.office.com/",
                                                               "https://outlook.office365.com/"};

// The permission part of an Outlook resource scope ("imap.accessasuser.all"), lower case; empty
// for any other scope.
std::string outlookPermission(std::string_view scope) {
  const std::string lowered = lower(scope);
  for (std::string_view resource : kOutlookResources) {
    if (lowered.size() > resource.size() && lowered.compare(0, resource.size(), resource) == 0)
      return lowered.substr(resource.size());
  }
  return "";
}

bool isOpenIdScope(std::string_view scope) {
  const std::string lowered = lower(scope);
  return lowered == "openid" || lowered == "email" || lowered == "profile" ||
         lowered == "offline_access";
}

}  // namespace

bool isTenantAlias(std::string_view tenant) {
  const std::string lowered = lower(tenant);
  return lowered == "common" || lowered == "consumers" || lowered == "organizations";
}

std::string delegatedScopesProblem(const std::vector<std::string>& scopes,
                                   std::string_view permission) {
  const std::string wanted = lower(permission);
  bool has_permission = false;
  bool has_offline_access = false;
  for (const std::string& scope : scopes) {
    if (lower(scope) == "offline_access") has_offline_access = true;
    const std::string granted = outlookPermission(scope);
    if (granted == wanted) has_permission = true;
    if (granted.empty() && !isOpenIdScope(scope)) {
      return "\"" + scope +
             "\" is not an Outlook scope: a token is issued for one resource only, so it would "
             "not open the mailbox";
    }
  }
  if (!has_permission) {
    return "must name https://outlook.office.com/" + std::string(permission) +
           " (the mailbox's protocol)";
  }
  if (!has_offline_access) return "must name offline_access (without it no refresh token)";
  return "";
}

std::string appOnlyScopesProblem(const std::vector<std::string>& scopes) {
  if (scopes.size() != 1 || outlookPermission(scopes[0]) != ".default") {
    return "the client_credentials flow takes exactly one scope, "
           "https://outlook.office365.com/.default";
  }
  return "";
}

}  // namespace hd::oauth2
