#include "db/sql_state.hpp"

namespace hd::db {

SqlStateClass classifySqlState(std::string_view sqlstate) {
  const auto in_class = [&](std::string_view prefix) { return sqlstate.starts_with(prefix); };
  if (in_class("08") || in_class("57P")) return SqlStateClass::kSessionLost;
  if (sqlstate.size() == 5 && (in_class("22") || in_class("23") || in_class("54"))) {
    return SqlStateClass::kDataRefused;
  }
  return SqlStateClass::kRetryLater;
}

}  // namespace hd::db
