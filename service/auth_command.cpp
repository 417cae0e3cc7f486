#include "service/auth_command.hpp"

#include <ostream>
#include <thread>

#include "connectors/net/redact.hpp"
#include "connectors/oauth2/http_transport.hpp"
#include "connectors/oauth2/id_token_claims.hpp"
#include "db/errors.hpp"
#include "db/schema_upgrade.hpp"
#include "service/application.hpp"
#include "service/oauth_access.hpp"
#include "service/oauth_token_store.hpp"
#include "service/time_format.hpp"

namespace hd::service {
namespace {

const MailboxConfig* findMailbox(const Config& config, const std::string& name, std::ostream& err) {
  const MailboxConfig* found = nullptr;
  int oauth_boxes = 0;
  for (const auto& box : config.mailboxes) {
    if (box.auth == AuthMethod::kXoauth2) ++oauth_boxes;
    if (!name.empty() && box.name == name) found = &box;
    if (name.empty() && box.auth == AuthMethod::kXoauth2) found = &box;
  }
  if (name.empty() && oauth_boxes != 1) {
    err << "helpdesk-ingest: auth login needs --mailbox NAME (" << oauth_boxes
        << " mailboxes use xoauth2)\n";
    return nullptr;
  }
  if (found == nullptr) {
    err << "helpdesk-ingest: no mailbox named '" << name << "' in the configuration\n";
    return nullptr;
  }
  if (found->auth != AuthMethod::kXoauth2) {
    err << "helpdesk-ingest: mailbox '" << found->name
        << "' does not use \"auth\": \"xoauth2\"; nothing to sign in\n";
    return nullptr;
  }
  if (found->oauth2.client_credentials) {
    err << "helpdesk-ingest: mailbox '" << found->name
        << "' uses the client_credentials flow; it needs no interactive sign-in\n";
    return nullptr;
  }
  return found;
}

// Empty when the tokens belong to the account expected to approve the code (oauth2.login_account,
// by default the username); otherwise what to tell the operator. Someone approving the code with
// another account would otherwise show up later as a refused or "not connected" mailbox.
std::string signedInAccountProblem(const oauth2::TokenSet& tokens, const MailboxConfig& mailbox) {
  const std::string& expected = mailbox.oauth2.login_account;
  if (tokens.id_token.empty()) {
    return "the identity platform returned no id_token, so the account that signed in is "
           "unknown";
  }
  auto claims = oauth2::readIdTokenClaims(tokens.id_token);
  if (!claims) return "the id_token from the identity platform is malformed";
  if (oauth2::claimsName(*claims, expected)) return "";
  std::string who = claims->preferred_username;
  if (!claims->email.empty() && claims->email != who)
    who += who.empty() ? claims->email : " (" + claims->email + ")";
  if (who.empty()) who = "an account that names no user or address";
  return "the code was approved by " + who + ", not by " + expected + ". Sign in again as " +
         expected +
         "; to open a shared mailbox with a member's sign-in, set oauth2.login_account to that "
         "member's account";
}

int login(const Config& config, const MailboxConfig& mailbox, std::ostream& out,
          std::ostream& err) {
  std::optional<oauth2::SecretBox> box;
  try {
    box = secretBoxFor(config);
  } catch (const oauth2::SecretKeyError& e) {
    err << "helpdesk-ingest: " << e.what() << "\n";
    return kExitUsage;
  }
  // `auth login` may be the first thing run against a new database.
  db::migrateDatabase(config.database_url);
  oauth2::SystemClock clock;
  oauth2::PocoHttpTransport transport;
  oauth2::TokenClient client(oauthClientConfig(mailbox), transport, clock);
  oauth2::DeviceCodeResult started = client.startDeviceLogin();
  if (auto* error = std::get_if<oauth2::OAuthError>(&started)) {
    err << "helpdesk-ingest: the identity platform refused to start the sign-in: "
        << error->message() << "\n";
    return kExitPassFailed;
  }
  const auto& code = std::get<oauth2::DeviceCode>(started);
  out << code.message << std::endl;
  oauth2::TokenResult result = client.pollDeviceLogin(code, [](std::chrono::seconds delay) {
    std::this_thread::sleep_for(delay);
    return true;
  });
  if (auto* error = std::get_if<oauth2::OAuthError>(&result)) {
    err << "helpdesk-ingest: sign-in for mailbox '" << mailbox.name
        << "' failed: " << error->message() << "\n";
    return kExitPassFailed;
  }
  const auto& tokens = std::get<oauth2::TokenSet>(result);
  if (tokens.refresh_token.empty()) {
    err << "helpdesk-ingest: the identity platform returned no refresh token; add the scope "
           "offline_access to oauth2.scopes\n";
    return kExitPassFailed;
  }
  if (const std::string problem = signedInAccountProblem(tokens, mailbox); !problem.empty()) {
    err << "helpdesk-ingest: sign-in for mailbox '" << mailbox.name
        << "' refused, nothing stored: " << problem << "\n";
    return kExitPassFailed;
  }
  PgOAuthTokenStore(config.database_url, mailbox.name, *box).saveLogin(tokens);
  out << "Signed in: tokens for mailbox '" << mailbox.name << "' stored (access token valid until "
      << formatRfc3339(tokens.expires_at) << ").\n";
  return kExitOk;
}

int status(const Config& config, const std::string& only, std::ostream& out, std::ostream& err) {
  int shown = 0;
  for (const auto& box : config.mailboxes) {
    if (box.auth != AuthMethod::kXoauth2 || (!only.empty() && box.name != only)) continue;
    ++shown;
    out << box.name << ": ";
    if (box.oauth2.client_credentials) {
      out << "client credentials (no stored token)\n";
      continue;
    }
    auto found = oauthTokenStatus(config.database_url, box.name);
    if (!found) {
      out << "no token stored; run `helpdesk-ingest auth login --mailbox " << box.name << "`\n";
      continue;
    }
    out << "token stored; access token expires " << formatRfc3339(found->access_expires_at)
        << "; refresh token rotated " << formatRfc3339(found->rotated_at) << "; signed in "
        << formatRfc3339(found->signed_in_at) << "\n";
  }
  if (shown == 0) {
    err << "helpdesk-ingest: no mailbox " << (only.empty() ? "" : "named '" + only + "' ")
        << "uses \"auth\": \"xoauth2\"\n";
    return kExitUsage;
  }
  return kExitOk;
}

}  // namespace

int runAuthCommand(const Config& config, const std::vector<std::string>& args,
                   const std::string& mailbox, std::ostream& out, std::ostream& err) {
  if (args.size() != 1 || (args[0] != "login" && args[0] != "status")) {
    err << "helpdesk-ingest: usage: auth login|status --config FILE [--mailbox NAME]\n";
    return kExitUsage;
  }
  try {
    if (args[0] == "status") return status(config, mailbox, out, err);
    const MailboxConfig* box = findMailbox(config, mailbox, err);
    if (box == nullptr) return kExitUsage;
    return login(config, *box, out, err);
  } catch (const db::DatabaseError& e) {
    err << "helpdesk-ingest: database error: " << net::redactSecrets(e.what()) << "\n";
  } catch (const std::exception& e) {
    err << "helpdesk-ingest: " << net::redactSecrets(e.what()) << "\n";
  }
  return kExitPassFailed;
}

}  // namespace hd::service
