#include "db/accounted_keys.hpp"

#include <pqxx/pqxx>

#include "db/prepared_statement.hpp"
#include "db/sql_values.hpp"

namespace hd::db {
namespace {

constexpr PreparedStatement kAccountedKeys{
    "hd_accounted_keys",
    "SELECT source_key FROM messages WHERE source_key = ANY($1::text[])"
    " UNION SELECT source_key FROM quarantine WHERE source_key = ANY($1::text[])"
    " UNION SELECT source_key FROM source_aliases WHERE source_key = ANY($1::text[])"};

}  // namespace

std::vector<std::string> accountedKeys(pqxx::transaction_base& tx,
                                       const std::vector<std::string>& source_keys) {
  std::vector<std::string> keys;
  if (source_keys.empty()) return keys;
  for (const auto& row : execPrepared(tx, kAccountedKeys, textArrayLiteral(source_keys))) {
    keys.push_back(row[0].as<std::string>());
  }
  return keys;
}

bool isAccounted(pqxx::transaction_base& tx, const std::string& source_key) {
  return !accountedKeys(tx, {source_key}).empty();
}

}  // namespace hd::db
