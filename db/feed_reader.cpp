#include "db/feed_reader.hpp"

#include <pqxx/pqxx>

#include "db/api_json_sql.hpp"
#include "db/feed_generation.hpp"

namespace hd::db {
namespace {

// One statement, so the visibility horizon and the rows come from the same snapshot.
const std::string kReadFeed =
    "SELECT e.xid::text, e.id, jsonb_build_object('type', e.type, 'ticket_id', e.ticket_id,"
    " 'message_id', e.message_id, 'created_at', e.created_at,"
    " 'ticket', CASE WHEN t.id IS NULL THEN NULL ELSE " +
    sql::kTicketSummary +
    " END,"
    " 'message', CASE WHEN m.id IS NULL THEN NULL ELSE " +
    sql::kMessageSummary +
    " END)::text"
    " FROM events e"
    " LEFT JOIN tickets t ON t.id = e.ticket_id"
    " LEFT JOIN messages m ON m.id = e.message_id"
    " WHERE (e.xid, e.id) > ($1::xid8, $2::bigint)"
    "   AND e.xid < pg_snapshot_xmin(pg_current_snapshot())"
    " ORDER BY e.xid, e.id LIMIT $3";

// A cursor handed out by this generation names it; one without a generation (saved before
// generations existed) is trusted until the feed was first rebased, unless its transaction id has
// not even been reached here yet.
bool belongsTo(const FeedCursor& cursor, const FeedGeneration& generation) {
  if (cursor.isStart()) return true;
  if (cursor.generation != 0) return cursor.generation == generation.tag;
  return !generation.rebased && cursor.xid < generation.xmax;
}

}  // namespace

FeedPage FeedReader::read(const FeedCursor& after, std::size_t limit) {
  FeedPage page;
  page.next = after;
  connection_.run("read events", [&](pqxx::connection_base& c) {
    const FeedGeneration generation = currentFeedGeneration(c);
    if (!belongsTo(after, generation)) {
      page.cursor_of_another_generation = true;
      return;
    }
    page.next.generation = generation.tag;
    pqxx::nontransaction tx(c);
    const auto rows = tx.exec_params(kReadFeed, std::to_string(after.xid), after.id,
                                     static_cast<std::int64_t>(limit));
    for (const auto& row : rows) {
      FeedCursor cursor{row[0].as<std::uint64_t>(), row[1].as<std::int64_t>(), generation.tag};
      auto event = nlohmann::json::parse(row[2].c_str());
      event["cursor"] = encodeCursor(cursor);
      page.events.push_back(std::move(event));
      page.next = cursor;
    }
  });
  return page;
}

}  // namespace hd::db
