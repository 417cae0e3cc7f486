#include "db/read_connection.hpp"

#include <Poco/Logger.h>

#include <pqxx/pqxx>

#include "db/errors.hpp"

namespace hd::db {
namespace {

constexpr const char* kSessionSetup =
    "SET client_encoding = 'UTF8'; SET application_name = 'helpdesk-ingest api';"
    // json_build_object() renders timestamptz in the session time zone: RFC 3339 with +00:00.
    " SET TimeZone = 'UTC';"
    // A reader must never hold back the feed's xmin or block migrations for long.
    " SET statement_timeout = '30s'; SET idle_in_transaction_session_timeout = '60s'";

// 08 connection exception, 57P01..57P03 shutdown / cannot connect now: the session is gone.
bool isSessionLost(const std::string& sqlstate) {
  return sqlstate.rfind("08", 0) == 0 || sqlstate.rfind("57P", 0) == 0;
}

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
  try {
    body(connection());
  } catch (const pqxx::sql_error& e) {
    if (isSessionLost(e.sqlstate()) || !connection_ || !connection_->pg.is_open()) throw lost(e);
    throw StatementError(std::string(operation) + ": " + e.what(), e.sqlstate());
  } catch (const pqxx::failure& e) {
    throw lost(e);
  } catch (const pqxx::usage_error& e) {
    throw lost(e);
  }
}

}  // namespace hd::db
