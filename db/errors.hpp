#pragma once
// Errors of the database layer. Every libpqxx exception leaving hd::db is translated into one of
// these, so callers never include pqxx.

#include <stdexcept>
#include <string>

namespace hd::db {

// The database could not be used: unreachable, connection lost, server shutting down, or an
// outcome unknown (commit interrupted). The store drops its connection; the next call reconnects.
// The worker ends its pass and backs off.
class DatabaseError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// PostgreSQL rejected one statement while the connection stayed usable (e.g. a value it refuses).
// Retrying the same input fails again: the worker should quarantine the message, not back off.
class StatementError : public DatabaseError {
 public:
  StatementError(const std::string& what, std::string sqlstate)
      : DatabaseError(what), sqlstate_(std::move(sqlstate)) {}
  const std::string& sqlstate() const { return sqlstate_; }

 private:
  std::string sqlstate_;
};

}  // namespace hd::db
