#include "db/oauth_tokens.hpp"

#include <pqxx/pqxx>

#include "db/own_connection.hpp"

namespace hd::db {
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
constexpr char kSignInStampSql[] = "SELECT signed_in_at::text FROM oauth_tokens WHERE mailbox = $1";
constexpr char kTableMissingSql[] = "SELECT to_regclass('oauth_tokens') IS NULL";
constexpr char kTimesSql[] =
    "SELECT extract(epoch FROM access_expires_at)::bigint, extract(epoch FROM rotated_at)::bigint,"
    " extract(epoch FROM signed_in_at)::bigint FROM oauth_tokens WHERE mailbox = $1";

}  // namespace

OAuthTokenTable::OAuthTokenTable(std::string database_url)
    : database_url_(std::move(database_url)) {}

std::optional<SealedTokens> OAuthTokenTable::load(const std::string& mailbox) {
  std::optional<SealedTokens> found;
  withOwnConnection(database_url_, "OAuth2 token load", [&](pqxx::connection_base& connection) {
    pqxx::read_transaction tx(connection);
    pqxx::result rows = tx.exec_params(kLoadSql, mailbox);
    if (rows.empty()) return;
    found = SealedTokens{pqxx::binarystring(rows[0][0]).str(), pqxx::binarystring(rows[0][1]).str(),
                         rows[0][2].as<std::int64_t>()};
  });
  return found;
}

void OAuthTokenTable::save(const std::string& mailbox, const SealedTokens& tokens, bool login) {
  withOwnConnection(database_url_, "OAuth2 token save", [&](pqxx::connection_base& connection) {
    pqxx::work tx(connection);
    const std::string& refresh = tokens.refresh_token_sealed;
    const std::string& access = tokens.access_token_sealed;
    tx.exec_params(kUpsertSql, mailbox, pqxx::binarystring(refresh.data(), refresh.size()),
                   pqxx::binarystring(access.data(), access.size()),
                   static_cast<long long>(tokens.access_expires_at), login);
    tx.commit();
  });
}

std::string OAuthTokenTable::signInStamp(const std::string& mailbox) {
  std::string stamp;
  withOwnConnection(database_url_, "OAuth2 sign-in check", [&](pqxx::connection_base& connection) {
    pqxx::read_transaction tx(connection);
    pqxx::result rows = tx.exec_params(kSignInStampSql, mailbox);
    if (!rows.empty()) stamp = rows[0][0].as<std::string>();
  });
  return stamp;
}

std::optional<TokenTimes> OAuthTokenTable::times(const std::string& mailbox) {
  std::optional<TokenTimes> found;
  withOwnConnection(database_url_, "OAuth2 token status", [&](pqxx::connection_base& connection) {
    pqxx::read_transaction tx(connection);
    if (tx.exec(kTableMissingSql)[0][0].as<bool>()) return;
    pqxx::result rows = tx.exec_params(kTimesSql, mailbox);
    if (rows.empty()) return;
    found = TokenTimes{rows[0][0].as<std::int64_t>(), rows[0][1].as<std::int64_t>(),
                       rows[0][2].as<std::int64_t>()};
  });
  return found;
}

}  // namespace hd::db
