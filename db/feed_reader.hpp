#pragma once
// Reads the event feed (table events) for GET /api/v1/events.
//
// Ordering and completeness: events are handed out ordered by (xid, id), and only those whose
// transaction id is below pg_snapshot_xmin(pg_current_snapshot()): every transaction below that
// horizon has ended, and every transaction still running or not yet started has an xid at or above
// it, so no event can later become visible behind a cursor already handed out (see the comment on
// the events table in 0001_initial.sql). A long transaction anywhere in the cluster holds the
// horizon back and delays (never loses) events.
//
// A cursor is only meaningful in the feed generation that handed it out (db/feed_generation.hpp):
// after a restore or move, read() answers `cursor_of_another_generation` instead of events.
//
// Errors: DatabaseError / StatementError (db/errors.hpp). Not thread-safe (uses one connection).

#include <cstddef>
#include <nlohmann/json.hpp>

#include "db/feed_cursor.hpp"
#include "db/read_connection.hpp"

namespace hd::db {

struct FeedPage {
  nlohmann::json events = nlohmann::json::array();  // each with "cursor", "type", summaries, ...
  FeedCursor next;  // the last event's cursor; `after` (in this generation) when the page is empty
  // `after` came from another database generation (restored, moved): no events; the client must
  // resync from the start.
  bool cursor_of_another_generation = false;
};

class FeedReader {
 public:
  explicit FeedReader(ReadConnection& connection) : connection_(connection) {}

  // At most `limit` events after `after`, oldest first.
  FeedPage read(const FeedCursor& after, std::size_t limit);

 private:
  ReadConnection& connection_;
};

}  // namespace hd::db
