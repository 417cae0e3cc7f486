#pragma once
// A connection for one call: opened for `body`, closed after it, its errors translated like
// those of every long-lived connection (db/pqxx_errors.hpp): DatabaseError when the database
// cannot be reached or the session is lost, StatementError or RetryableError when a statement
// fails. For the rare calls that do not deserve a connection of their own kept open (token
// storage, schema migration at start).

#include <functional>
#include <string>

namespace pqxx {
class connection_base;
}

namespace hd::db {

void withOwnConnection(const std::string& url, const char* operation,
                       const std::function<void(pqxx::connection_base&)>& body);

}  // namespace hd::db
