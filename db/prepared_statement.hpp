#pragma once
// Statements the ingest path runs for every message, prepared once per connection: PostgreSQL
// parses and plans each only on its first use, and later executions send just the parameters.
// `execPrepared` declares the statement to libpqxx on first use (no round trip: libpqxx registers
// it with the server together with the first execution) and then runs it. Same errors as
// transaction_base::exec_params.

#include <pqxx/pqxx>
#include <utility>

namespace hd::db {

struct PreparedStatement {
  const char* name;  // unique among the process's prepared statements
  const char* sql;
};

template <typename... Args>
pqxx::result execPrepared(pqxx::transaction_base& tx, const PreparedStatement& statement,
                          Args&&... args) {
  // A repeated declaration with the same text is a no-op for libpqxx.
  tx.conn().prepare(statement.name, statement.sql);
  return tx.exec_prepared(statement.name, std::forward<Args>(args)...);
}

}  // namespace hd::db
