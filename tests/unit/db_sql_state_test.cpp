// SQLSTATE classification: only data the database refuses may send a message to quarantine.

#include <gtest/gtest.h>

#include "db/sql_state.hpp"

namespace hd::db {
namespace {

TEST(SqlState, ConnectionAndShutdownClassesMeanTheSessionIsGone) {
  for (const char* state : {"08000", "08006", "08P01", "57P01", "57P02", "57P03"}) {
    EXPECT_EQ(classifySqlState(state), SqlStateClass::kSessionLost) << state;
  }
}

TEST(SqlState, DataAndIntegrityErrorsAreRefusedInput) {
  for (const char* state : {"22001", "22021", "22P02", "23502", "23505", "23514", "54000"}) {
    EXPECT_EQ(classifySqlState(state), SqlStateClass::kDataRefused) << state;
  }
}

TEST(SqlState, TimeoutsConflictsAndResourcesAreRetriedNotQuarantined) {
  // The list: serialization failure, deadlock, lock_timeout, statement_timeout, class 53.
  for (const char* state :
       {"40001", "40P01", "55P03", "57014", "53000", "53100", "53200", "53300", "53400"}) {
    EXPECT_EQ(classifySqlState(state), SqlStateClass::kRetryLater) << state;
  }
}

TEST(SqlState, UnknownOrMalformedStatesAreNeverTakenForBadData) {
  // A bug of ours (42xxx), an internal error, or a state libpqxx could not read: retry later.
  for (const char* state : {"42601", "42P01", "XX000", "", "2", "22", "230", "2300000"}) {
    EXPECT_EQ(classifySqlState(state), SqlStateClass::kRetryLater) << '"' << state << '"';
  }
}

}  // namespace
}  // namespace hd::db
