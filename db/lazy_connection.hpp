#pragma once
// One PostgreSQL connection, opened on first use with its session setup, dropped when the session
// is lost and opened again by the next call. libpqxx's errors are translated into db/errors.hpp
// (db/pqxx_errors.hpp): DatabaseError when the session is gone, StatementError when one statement
// was refused, RetryableError for the rest. NOT thread-safe. TicketStore, the API's
// ReadConnection and RawContents each own one.

#include <functional>
#include <memory>
#include <string>

namespace pqxx {
class connection_base;
}

namespace hd::db {

class LazyConnection {
 public:
  // `session_setup` runs once on each new session; `role` names the connection in the log
  // ("<role>: connected to database <name>", "<role> lost during <operation>").
  LazyConnection(std::string url, std::string session_setup, std::string role);
  ~LazyConnection();
  LazyConnection(const LazyConnection&) = delete;
  LazyConnection& operator=(const LazyConnection&) = delete;

  // Runs `body` on the connection; see the header comment for the errors.
  void run(const char* operation, const std::function<void(pqxx::connection_base&)>& body);

 private:
  struct Connection;
  pqxx::connection_base& connection();

  std::string url_;
  std::string session_setup_;
  std::string role_;
  std::unique_ptr<Connection> connection_;
};

}  // namespace hd::db
