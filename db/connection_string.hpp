#pragma once
// Checks a PostgreSQL connection string (URI or key=value) with libpq's own parser, before any
// connection is attempted, so that a malformed one stops the service at start with a clear error.

#include <optional>
#include <string>

namespace hd::db {

// Empty when libpq accepts `url`; otherwise what is wrong with it, WITHOUT the part of the text
// libpq would quote (which may hold the password).
std::optional<std::string> connectionStringProblem(const std::string& url);

}  // namespace hd::db
