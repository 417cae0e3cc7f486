#pragma once
// "Already stored", defined once. A source key is accounted for when it has a row in `messages`, in
// `quarantine` or in `source_aliases` (DESIGN: every fetched message ends in exactly one of them).
// The pass skips accounted keys (it only acknowledges them), the commit writes nothing for them,
// and the quarantine retry, which deletes its own row first, asks the same question.
// Runs inside the caller's transaction; libpqxx exceptions pass through.

#include <string>
#include <vector>

namespace pqxx {
class transaction_base;
}

namespace hd::db {

// The subset of `source_keys` that is accounted for, in no particular order. One statement.
std::vector<std::string> accountedKeys(pqxx::transaction_base& tx,
                                       const std::vector<std::string>& source_keys);

bool isAccounted(pqxx::transaction_base& tx, const std::string& source_key);

}  // namespace hd::db
