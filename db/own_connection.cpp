#include "db/own_connection.hpp"

#include <optional>
#include <pqxx/pqxx>

#include "db/errors.hpp"
#include "db/pqxx_errors.hpp"

namespace hd::db {

void withOwnConnection(const std::string& url, const char* operation,
                       const std::function<void(pqxx::connection_base&)>& body) {
  std::optional<pqxx::connection> connection;
  translatePqxxErrors(
      operation,
      [&] {
        connection.emplace(url);
        body(*connection);
      },
      [&] { return connection && connection->is_open(); },
      [&](const std::exception& e) {
        return DatabaseError(std::string("database unavailable during ") + operation + ": " +
                             e.what());
      });
}

}  // namespace hd::db
