#pragma once
// The position in the event feed: (xid, id) of the last event handed out, and the feed generation
// (db/feed_generation.hpp) it belongs to, as an opaque string. "0" (or an empty string) is the
// start. Pure functions, no database.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hd::db {

struct FeedCursor {
  std::uint64_t xid = 0;  // events.xid (xid8) of the last event handed out
  std::int64_t id = 0;    // events.id of that event
  // FeedGeneration::tag of the database that handed it out; 0 for the start and for cursors of
  // the first format ("c...", before generations), which carry none.
  std::uint64_t generation = 0;
  bool operator==(const FeedCursor&) const = default;

  bool isStart() const { return xid == 0 && id == 0; }
};

std::string encodeCursor(const FeedCursor& cursor);

// Empty optional when `text` is not a cursor this service handed out (a client error: 400).
std::optional<FeedCursor> decodeCursor(std::string_view text);

}  // namespace hd::db
