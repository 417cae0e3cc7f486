#pragma once
// One PostgreSQL connection for the HTTP API's read queries (and the few writes of a quarantine
// retry), opened on first use and reopened after a loss (db/lazy_connection.hpp). Translates
// libpqxx errors into db/errors.hpp exactly like TicketStore: DatabaseError when the session is
// gone (the connection is dropped and the next call reconnects), StatementError when one
// statement was refused. NOT thread-safe: one per HTTP worker thread (see
// service/http/reader_pool.hpp).

#include <functional>
#include <string>

#include "db/lazy_connection.hpp"

namespace hd::db {

class ReadConnection {
 public:
  explicit ReadConnection(std::string url);

  // Runs `body` on the connection; see the header comment for the errors.
  void run(const char* operation, const std::function<void(pqxx::connection_base&)>& body) {
    connection_.run(operation, body);
  }

 private:
  LazyConnection connection_;
};

}  // namespace hd::db
