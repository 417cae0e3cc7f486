#include "service/oauth_token_store.hpp"

#include "connectors/net/errors.hpp"
#include "db/oauth_tokens.hpp"

namespace hd::service {
namespace {

std::string refreshLabel(const std::string& mailbox) {
  return mailbox + "/refresh_token";
}
std::string accessLabel(const std::string& mailbox) {
  return mailbox + "/access_token";
}

oauth2::TimePoint fromEpoch(std::int64_t seconds) {
  return oauth2::TimePoint{} + std::chrono::seconds(seconds);
}

}  // namespace

PgOAuthTokenStore::PgOAuthTokenStore(std::string database_url, std::string mailbox,
                                     oauth2::SecretBox box)
    : database_url_(std::move(database_url)), mailbox_(std::move(mailbox)), box_(box) {}

std::optional<oauth2::TokenSet> PgOAuthTokenStore::load() {
  std::optional<db::SealedTokens> sealed = db::OAuthTokenTable(database_url_).load(mailbox_);
  if (!sealed) return std::nullopt;
  auto refresh = box_.open(sealed->refresh_token_sealed, refreshLabel(mailbox_));
  auto access = box_.open(sealed->access_token_sealed, accessLabel(mailbox_));
  if (!refresh || !access) {
    throw net::AuthError("the stored OAuth2 tokens of mailbox '" + mailbox_ +
                             "' cannot be decrypted with the current secret key (was the key "
                             "changed?): run `helpdesk-ingest auth login` again",
                         /*retryable=*/false);
  }
  oauth2::TokenSet tokens;
  tokens.refresh_token = std::move(*refresh);
  tokens.access_token = std::move(*access);
  tokens.token_type = "Bearer";
  tokens.expires_at = fromEpoch(sealed->access_expires_at);
  return tokens;
}

void PgOAuthTokenStore::save(const oauth2::TokenSet& tokens) {
  upsert(tokens, false);
}

void PgOAuthTokenStore::saveLogin(const oauth2::TokenSet& tokens) {
  upsert(tokens, true);
}

void PgOAuthTokenStore::upsert(const oauth2::TokenSet& tokens, bool login) {
  db::SealedTokens sealed;
  sealed.refresh_token_sealed = box_.seal(tokens.refresh_token, refreshLabel(mailbox_));
  sealed.access_token_sealed = box_.seal(tokens.access_token, accessLabel(mailbox_));
  sealed.access_expires_at =
      std::chrono::duration_cast<std::chrono::seconds>(tokens.expires_at.time_since_epoch())
          .count();
  db::OAuthTokenTable(database_url_).save(mailbox_, sealed, login);
}

std::string oauthSignInStamp(const std::string& database_url, const std::string& mailbox) {
  return db::OAuthTokenTable(database_url).signInStamp(mailbox);
}

std::optional<OAuthTokenStatus> oauthTokenStatus(const std::string& database_url,
                                                 const std::string& mailbox) {
  std::optional<db::TokenTimes> times = db::OAuthTokenTable(database_url).times(mailbox);
  if (!times) return std::nullopt;
  return OAuthTokenStatus{mailbox, fromEpoch(times->access_expires_at),
                          fromEpoch(times->rotated_at), fromEpoch(times->signed_in_at)};
}

}  // namespace hd::service
