#include "db/pqxx_errors.hpp"

#include <pqxx/pqxx>
#include <string>

#include "db/sql_state.hpp"

namespace hd::db {

void translatePqxxErrors(const char* operation, const std::function<void()>& body,
                         const std::function<bool()>& session_usable,
                         const std::function<DatabaseError(const std::exception&)>& session_lost) {
  // Every branch leaves the transaction objects of `body` destroyed (rolled back).
  try {
    body();
  } catch (const pqxx::sql_error& e) {
    const SqlStateClass kind = classifySqlState(e.sqlstate());
    if (kind == SqlStateClass::kSessionLost || !session_usable()) throw session_lost(e);
    if (kind == SqlStateClass::kDataRefused) {
      throw StatementError(std::string(operation) + ": " + e.what(), e.sqlstate());
    }
    throw RetryableError(std::string(operation) + ": " + e.what(), e.sqlstate());
  } catch (const pqxx::failure& e) {
    // broken_connection, in_doubt_error (the commit was sent but its answer lost: a replay is
    // harmless thanks to UNIQUE(source_key)) and the rest of libpqxx's runtime errors.
    throw session_lost(e);
  } catch (const pqxx::usage_error& e) {
    throw session_lost(e);
  }
}

}  // namespace hd::db
