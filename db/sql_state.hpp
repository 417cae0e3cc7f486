#pragma once
// What an SQLSTATE (PostgreSQL Appendix A) means for the caller: is the session gone, did the
// database refuse this input, or should the work simply be tried again later? Pure, no libpqxx.

#include <string_view>

namespace hd::db {

enum class SqlStateClass {
  kSessionLost,  // class 08 (connection), 57P01..57P05 (shutdown, terminated backend)
  kDataRefused,  // class 22 (data), 23 (integrity), 54 (program limit): this input fails again
  kRetryLater,   // anything else on a usable session: 40001 serialization, 40P01 deadlock,
                 // 55P03 lock_timeout, 57014 statement_timeout/cancel, class 53 resources, ...
};

// An outage, a timeout or a conflict is never the message's fault: only kDataRefused may put a
// message into quarantine (it is then acknowledged on the server, so the bar is high).
SqlStateClass classifySqlState(std::string_view sqlstate);

}  // namespace hd::db
