#pragma once
// The generation of the event feed: the cluster and database whose transaction ids stamped
// events.xid (table feed_generation, migration 0005). A restore or logical move into another
// cluster or database starts a new generation: the feed is rebased (every event stamped before
// the move is given xid 1, so all of them sort before anything written after it, in their old id
// order), and cursors of the old generation are refused so that clients know to resync.

#include <cstdint>

namespace pqxx {
class connection_base;
}

namespace hd::db {

struct FeedGeneration {
  std::uint64_t tag = 0;   // identifies (cluster, database), never 0; part of every cursor
  std::uint64_t xmax = 0;  // no transaction of this generation has reached this id yet
  bool rebased = false;    // a move was detected at least once (cursors without a tag are stale)
};

// Reads the live generation, rebasing the feed first when the events were stamped elsewhere.
// The rebase runs once (one transaction under an advisory lock; concurrent callers wait and then
// find it done). Throws what libpqxx throws.
FeedGeneration currentFeedGeneration(pqxx::connection_base& connection);

}  // namespace hd::db
