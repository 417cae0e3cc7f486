#pragma once
// The savepoint around one message of a group commit or a retry. libpqxx 6's subtransaction
// cannot continue its parent after an error, so these are plain statements.

namespace hd::db {

inline constexpr const char* kSavepoint = "SAVEPOINT message";
inline constexpr const char* kReleaseSavepoint = "RELEASE SAVEPOINT message";
inline constexpr const char* kRollbackToSavepoint = "ROLLBACK TO SAVEPOINT message";

}  // namespace hd::db
