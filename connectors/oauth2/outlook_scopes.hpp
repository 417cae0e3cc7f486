#pragma once
// Which tenants and scopes can get a token that Exchange Online accepts for IMAP or POP
// (../shared/outlook.md "Scopes"). A token is issued for the resource of its scopes only, so a
// Graph scope (User.Read, Mail.Read) never opens a mailbox over IMAP/POP.

#include <string>
#include <string_view>
#include <vector>

namespace hd::oauth2 {

// "common", "consumers", "organizations" (any case): groups of accounts, not one directory.
bool isTenantAlias(std::string_view tenant);

// Empty when `scopes` (delegated, device code) name `permission` ("IMAP.AccessAsUser.All" or
// "POP.AccessAsUser.All") on the Outlook resource, offline_access, and nothing but Outlook and
// OpenID Connect scopes; otherwise why not, for the operator.
std::string delegatedScopesProblem(const std::vector<std::string>& scopes,
                                   std::string_view permission);

// Empty when `scopes` (client credentials) are the Outlook resource's ".default" scope alone.
std::string appOnlyScopesProblem(const std::vector<std::string>& scopes);

}  // namespace hd::oauth2
