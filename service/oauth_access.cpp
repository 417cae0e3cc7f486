#include "service/oauth_access.hpp"

#include <Poco/Logger.h>

#include "connectors/net/errors.hpp"
#include "connectors/oauth2/http_transport.hpp"
#include "service/oauth_token_store.hpp"

namespace hd::service {
namespace {

Poco::Logger& logger() {
  return Poco::Logger::get("hd.oauth2");
}

// Everything one mailbox's token callback needs, kept alive by the callback.
struct OAuthAccess {
  explicit OAuthAccess(const Config& config, const MailboxConfig& mailbox)
      : client(oauthClientConfig(mailbox), transport, clock) {
    if (mailbox.oauth2.client_credentials) {
      provider = std::make_unique<oauth2::AccessTokenProvider>(
          client, nullptr, clock, oauth2::TokenMode::kClientCredentials);
      return;
    }
    try {
      store = std::make_unique<PgOAuthTokenStore>(config.database_url, mailbox.name,
                                                  secretBoxFor(config));
    } catch (const oauth2::SecretKeyError& e) {
      key_problem = e.what();
      return;
    }
    provider = std::make_unique<oauth2::AccessTokenProvider>(client, store.get(), clock);
  }

  oauth2::SystemClock clock;
  oauth2::PocoHttpTransport transport;
  oauth2::TokenClient client;
  std::unique_ptr<PgOAuthTokenStore> store;
  std::unique_ptr<oauth2::AccessTokenProvider> provider;
  std::string key_problem;
};

}  // namespace

oauth2::ClientConfig oauthClientConfig(const MailboxConfig& mailbox) {
  oauth2::ClientConfig client;
  client.authority = mailbox.oauth2.authority;
  client.tenant = mailbox.oauth2.tenant;
  client.client_id = mailbox.oauth2.client_id;
  client.client_secret = mailbox.oauth2.client_secret;
  client.scopes = mailbox.oauth2.scopes;
  return client;
}

oauth2::SecretBox secretBoxFor(const Config& config) {
  if (config.secret_key.empty()) return oauth2::SecretBox::load("");  // throws the explanation
  return oauth2::SecretBox::fromBase64(config.secret_key, config.secret_key_origin);
}

AccessTokenSource accessTokenSourceOf(std::shared_ptr<oauth2::AccessTokenProvider> provider) {
  AccessTokenSource source;
  source.token = [provider] { return provider->accessToken(); };
  source.invalidate = [provider] {
    // Sign-in also fails when no token could be obtained at all: then there is nothing to drop.
    if (!provider->expiresAt()) return;
    logger().information("access token refused by the mail server: refreshing it next time");
    provider->invalidate();
  };
  source.expires_at = [provider] { return provider->expiresAt(); };
  return source;
}

AccessTokenSource makeAccessTokenSource(const Config& config, const MailboxConfig& mailbox) {
  auto access = std::make_shared<OAuthAccess>(config, mailbox);
  if (access->provider) {
    return accessTokenSourceOf(
        std::shared_ptr<oauth2::AccessTokenProvider>(access, access->provider.get()));
  }
  AccessTokenSource unusable;
  unusable.token = [problem = access->key_problem]() -> std::string {
    throw net::AuthError(problem, /*retryable=*/false);
  };
  unusable.invalidate = [] {};
  unusable.expires_at = [] { return std::optional<std::chrono::system_clock::time_point>(); };
  return unusable;
}

}  // namespace hd::service
