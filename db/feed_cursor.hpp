#pragma once
// The position in the event feed: (xid, id) of the last event handed out, as an opaque string.
// "0" (or an empty string) is the start. Pure functions, no database.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hd::db {

struct FeedCursor {
  std::uint64_t xid = 0;  // events.xid (xid8) of the last event handed out
  std::int64_t id = 0;    // events.id of that event
  bool operator==(const FeedCursor&) const = default;
};

std::string encodeCursor(const FeedCursor& cursor);

// Empty optional when `text` is not a cursor this service handed out (a client error: 400).
std::optional<FeedCursor> decodeCursor(std::string_view text);

}  // namespace hd::db
