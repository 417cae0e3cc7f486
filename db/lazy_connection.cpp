#include "db/lazy_connection.hpp"

#include <Poco/Logger.h>

#include <pqxx/pqxx>

#include "db/errors.hpp"
#include "db/pqxx_errors.hpp"

namespace hd::db {

struct LazyConnection::Connection {
  explicit Connection(const std::string& url) : pg(url) {}
  pqxx::connection pg;
};

LazyConnection::LazyConnection(std::string url, std::string session_setup, std::string role)
    : url_(std::move(url)), session_setup_(std::move(session_setup)), role_(std::move(role)) {}
LazyConnection::~LazyConnection() = default;

pqxx::connection_base& LazyConnection::connection() {
  if (!connection_) {
    auto fresh = std::make_unique<Connection>(url_);
    pqxx::nontransaction setup(fresh->pg);
    setup.exec(session_setup_);
    setup.commit();
    connection_ = std::move(fresh);
    Poco::Logger::get("hd.db").information("%s: connected to database %s", role_,
                                           std::string(connection_->pg.dbname()));
  }
  return connection_->pg;
}

void LazyConnection::run(const char* operation,
                         const std::function<void(pqxx::connection_base&)>& body) {
  const auto lost = [&](const std::exception& e) {
    if (connection_)
      Poco::Logger::get("hd.db").warning("%s lost during %s", role_, std::string(operation));
    connection_.reset();
    return DatabaseError(std::string("database unavailable during ") + operation + ": " + e.what());
  };
  translatePqxxErrors(
      operation, [&] { body(connection()); },
      [&] { return connection_ && connection_->pg.is_open(); }, lost);
}

}  // namespace hd::db
