#pragma once
// One translation of libpqxx's exceptions into db/errors.hpp, shared by every connection owner
// (TicketStore, ReadConnection), so that "the session is gone" means the same everywhere.

#include <exception>
#include <functional>

#include "db/errors.hpp"

namespace hd::db {

// Runs `body` and translates what libpqxx throws:
// - the session is gone (SQLSTATE class 08 or 57P01..57P03 — pg_terminate_backend() arrives as
//   57P01 —, a broken connection, a commit whose answer was lost, or `session_usable()` is false
//   after an error): throws what `session_lost(e)` returns; it should also drop the connection;
// - the database refused this input (db/sql_state.hpp kDataRefused): throws StatementError;
// - any other error on a usable session (timeouts, conflicts, resources): throws RetryableError.
void translatePqxxErrors(const char* operation, const std::function<void()>& body,
                         const std::function<bool()>& session_usable,
                         const std::function<DatabaseError(const std::exception&)>& session_lost);

}  // namespace hd::db
