#pragma once
// Turning domain values into the text forms PostgreSQL accepts as statement parameters. Pure
// functions, no database access; shared by the TicketStore sources and unit-tested on their own.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/mime/message.hpp"
#include "connectors/mime/warning.hpp"

namespace hd::db {

// `text` as valid UTF-8 without NUL bytes: PostgreSQL rejects invalid sequences in text and jsonb
// and cannot store NUL at all. Each maximal invalid subsequence (RFC 3629: overlong forms,
// surrogates and code points above U+10FFFF are invalid) becomes U+FFFD; NUL bytes are dropped.
std::string validUtf8(std::string_view text);

// A PostgreSQL array literal ({"a","b"}) of the sanitised elements, for a text[] parameter.
std::string textArrayLiteral(const std::vector<std::string>& elements);

// JSON array of {"name", "address"} objects, for a jsonb parameter.
std::string addressesJson(const std::vector<mime::Address>& addresses);

// JSON array of the warnings rendered as text (mime::render), for a jsonb parameter: the
// stored and served form stays an array of strings.
std::string warningsJson(const std::vector<mime::Warning>& warnings);

// Seconds since the Unix epoch as decimal text, for to_timestamp(); "" when absent. Every
// system_clock value fits PostgreSQL's timestamptz (4713 BC..294276 AD): libstdc++ counts int64
// nanoseconds, which span the years 1677..2262.
std::string epochSecondsOrEmpty(const std::optional<std::chrono::system_clock::time_point>& time);

}  // namespace hd::db
