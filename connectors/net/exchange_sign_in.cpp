#include "connectors/net/exchange_sign_in.hpp"

#include <algorithm>
#include <cctype>

namespace hd::net {
namespace {

bool containsIgnoringCase(std::string_view text, std::string_view needle) {
  auto it = std::search(text.begin(), text.end(), needle.begin(), needle.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) ==
           std::tolower(static_cast<unsigned char>(b));
  });
  return it != text.end();
}

}  // namespace

std::string outlookSignInHint(std::string_view protocol) {
  const std::string name(protocol);
  return " (Outlook.com: " + name +
         " access is off by default; turn it on under Settings > Mail > "
         "Forwarding and IMAP; password sign-in is no longer accepted, use OAuth2)";
}

bool isMailboxAccessRefusal(std::string_view server_text) {
  return containsIgnoringCase(server_text, "authenticated but not connected") ||
         containsIgnoringCase(server_text, "server unavailable");
}

MailboxAccessError mailboxAccessRefused(std::string_view protocol, const std::string& username,
                                        const std::string& reply) {
  const std::string name(protocol);
  return MailboxAccessError(
      name + " server accepted the sign-in as " + username + " but refuses the mailbox (\"" +
      reply + "\"). Causes: the token belongs to another account than " + username +
      " (run `auth login` again as that account); the account has no access to the mailbox "
      "(app-only: Add-MailboxPermission -AccessRights FullAccess missing; shared mailbox: "
      "FullAccess for the member missing); " +
      name +
      " is off for the account (Outlook.com: Settings > Mail > Forwarding and IMAP; "
      "Microsoft 365: Set-CASMailbox -" +
      (name == "POP" ? "PopEnabled" : "ImapEnabled") + " $true)");
}

}  // namespace hd::net
