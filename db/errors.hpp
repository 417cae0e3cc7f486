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

// A statement failed on a connection that stayed usable; sqlstate() says why (db/sql_state.hpp).
class SqlStateError : public DatabaseError {
 public:
  SqlStateError(const std::string& what, std::string sqlstate)
      : DatabaseError(what), sqlstate_(std::move(sqlstate)) {}
  const std::string& sqlstate() const { return sqlstate_; }

 private:
  std::string sqlstate_;
};

// PostgreSQL refused this input (SQLSTATE class 22, 23, 54: a value it cannot store, a
// constraint). Retrying the same input fails again: the worker should quarantine the message, not
// back off.
class StatementError : public SqlStateError {
 public:
  using SqlStateError::SqlStateError;
};

// Not the input's fault: a lock or statement timeout, a serialization failure or deadlock,
// exhausted resources. The same work may succeed later: end the pass and back off; never
// quarantine for it.
class RetryableError : public SqlStateError {
 public:
  using SqlStateError::SqlStateError;
};

}  // namespace hd::db
