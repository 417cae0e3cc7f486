#include "db/read_connection.hpp"

namespace hd::db {
namespace {

constexpr const char* kSessionSetup =
    "SET client_encoding = 'UTF8'; SET application_name = 'helpdesk-ingest api';"
    // json_build_object() renders timestamptz in the session time zone: RFC 3339 with +00:00.
    " SET TimeZone = 'UTC';"
    // A reader must never hold back the feed's xmin or block migrations for long.
    " SET statement_timeout = '30s'; SET idle_in_transaction_session_timeout = '60s'";

}  // namespace

ReadConnection::ReadConnection(std::string url)
    : connection_(std::move(url), kSessionSetup, "API database connection") {}

}  // namespace hd::db
