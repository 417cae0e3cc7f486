#include "service/oauth_token_store.hpp"

#include <pqxx/pqxx>

#include "connectors/net/errors.hpp"

namespace hd::service {
namespace {

constexpr char kUpsertSql[] =
    "INSERT INTO oauth_tokens (mailbox, refresh_token_sealed, access_token_sealed,"
    " access_expires_at, rotated_at, signed_in_at)"
    " VALUES ($1, $2::bytea, $3::bytea, to_timestamp($4), now(), now())"
    " ON CONFLICT (mailbox) DO UPDATE SET refresh_token_sealed = EXCLUDED.refresh_token_sealed,"
    " access_token_sealed = EXCLUDED.access_token_sealed,"
    " access_expires_at = EXCLUDED.access_expires_at, rotated_at = now(),"
    " signed_in_at = CASE WHEN $5 THEN now() ELSE oauth_tokens.signed_in_at END";
constexpr char kLoadSql[] =
    "SELECT refresh_token_sealed, access_token_sealed,"
    " extract(epoch FROM access_expires_at)::bigint FROM oauth_tokens WHERE mailbox = $1";
constexpr char kStatusSql[] =
    "SELECT extract(epoch FROM access_expires_at)::bigint, extract(epoch FROM rotated_at)::bigint,"
    " extract(epoch FROM signed_in_at)::bigint FROM oauth_tokens WHERE mailbox = $1";

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
  pqxx::connection connection(database_url_);
  pqxx::read_transaction tx(connection);
  pqxx::result rows = tx.exec_params(kLoadSql, mailbox_);
  if (rows.empty()) return std::nullopt;
  auto refresh = box_.open(pqxx::binarystring(rows[0][0]).str(), refreshLabel(mailbox_));
  auto access = box_.open(pqxx::binarystring(rows[0][1]).str(), accessLabel(mailbox_));
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
  tokens.expires_at = fromEpoch(rows[0][2].as<std::int64_t>());
  return tokens;
}

void PgOAuthTokenStore::save(const oauth2::TokenSet& tokens) {
  upsert(tokens, false);
}

void PgOAuthTokenStore::saveLogin(const oauth2::TokenSet& tokens) {
  upsert(tokens, true);
}

void PgOAuthTokenStore::upsert(const oauth2::TokenSet& tokens, bool login) {
  const std::string refresh = box_.seal(tokens.refresh_token, refreshLabel(mailbox_));
  const std::string access = box_.seal(tokens.access_token, accessLabel(mailbox_));
  const auto expires =
      std::chrono::duration_cast<std::chrono::seconds>(tokens.expires_at.time_since_epoch())
          .count();
  pqxx::connection connection(database_url_);
  pqxx::work tx(connection);
  tx.exec_params(kUpsertSql, mailbox_, pqxx::binarystring(refresh.data(), refresh.size()),
                 pqxx::binarystring(access.data(), access.size()), static_cast<long long>(expires),
                 login);
  tx.commit();
}

std::string oauthSignInStamp(const std::string& database_url, const std::string& mailbox) {
  pqxx::connection connection(database_url);
  pqxx::read_transaction tx(connection);
  pqxx::result rows =
      tx.exec_params("SELECT signed_in_at::text FROM oauth_tokens WHERE mailbox = $1", mailbox);
  return rows.empty() ? std::string() : rows[0][0].as<std::string>();
}

std::optional<OAuthTokenStatus> oauthTokenStatus(const std::string& database_url,
                                                 const std::string& mailbox) {
  pqxx::connection connection(database_url);
  pqxx::read_transaction tx(connection);
  // `auth status` may run before any migration: no table means no token.
  if (tx.exec("SELECT to_regclass('oauth_tokens') IS NULL")[0][0].as<bool>()) return std::nullopt;
  pqxx::result rows = tx.exec_params(kStatusSql, mailbox);
  if (rows.empty()) return std::nullopt;
  return OAuthTokenStatus{mailbox, fromEpoch(rows[0][0].as<std::int64_t>()),
                          fromEpoch(rows[0][1].as<std::int64_t>()),
                          fromEpoch(rows[0][2].as<std::int64_t>())};
}

}  // namespace hd::service
