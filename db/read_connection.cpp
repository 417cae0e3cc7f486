#include "db/read_connection.hpp"

#include <Poco/Logger.h>

#include <pqxx/pqxx>

#include "db/errors.hpp"
#include "db/pqxx_errors.hpp"

namespace hd::db {
namespace {

constexpr const char* kSessionSetup =
    "SET client_encoding = 'UTF8'; SET application_name = 'helpdesk-ingest api';"
    // json_build_object() renders timestamptz in the session time zone: RFC 3339 with +00:00.
    " SET TimeZone = 'UTC';"
    // A reader must never hold back the feed's xmin or block migrations for long.
    " SET statement_timeout = '30s'; SET idle_in_transaction_session_timeout = '60s'";

}  // namespace

struct ReadConnection::Connection {
  explicit Connection(const std::string& url) : pg(url) {}
  pqxx::connection pg;
};

ReadConnection::ReadConnection(std::string url) : url_(std::move(url)) {}
ReadConnection::~ReadConnection() = default;

pqxx::connection_base& ReadConnection::connection() {
  if (!connection_) {
    auto fresh = std::make_unique<Connection>(url_);
    pqxx::nontransaction setup(fresh->pg);
    setup.exec(kSessionSetup);
    setup.commit();
    connection_ = std::move(fresh);
  }
  return connection_->pg;
}

void ReadConnection::run(const char* operation,
                         const std::function<void(pqxx::connection_base&)>& body) {
  const auto lost = [&](const std::exception& e) {
    if (connection_)
      Poco::Logger::get("hd.db").warning("API database connection lost during %s",
                                         std::string(operation));
    connection_.reset();
    return DatabaseError(std::string("database unavailable during ") + operation + ": " + e.what());
  };
  translatePqxxErrors(
      operation, [&] { body(connection()); },
      [&] { return connection_ && connection_->pg.is_open(); }, lost);
}

}  // namespace hd::db
