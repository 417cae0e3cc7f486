#pragma once
// RawContents: raw bytes written ahead of their batch's transaction, by their SHA-256 (migration
// 0015, service/ports/raw_content_store.hpp). One connection of its own (db/lazy_connection.hpp;
// errors as TicketStore's, db/errors.hpp); calls are serialized, so the fetch stage's tasks may
// overlap.
//
// No WAL sync of its own: the session commits with synchronous_commit off. A commit that names
// the bytes comes later and syncs the WAL up to its own commit record, which lies after this one;
// until then a crash that loses the bytes loses nothing (the message is still unacknowledged on
// the server, and the retry writes them again).
//
// Bytes nothing names (their batch never committed; their message was quarantined, or stored as
// an alias of an earlier copy) are deleted once their last write is older than kKeepUnnamed, at
// most once per kUnnamedSweepInterval, after a write. A write of bytes already stored only
// renews their time, so a sweep never takes bytes that a commit about to run names. A sweep
// examines only the rows that became that old since the sweep before (migration 0016), so its
// cost follows the mail of the last interval, not the size of the table.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "db/lazy_connection.hpp"
#include "service/ports/raw_content_store.hpp"

namespace hd::db {

inline constexpr std::chrono::hours kKeepUnnamed{24};
inline constexpr std::chrono::hours kUnnamedSweepInterval{1};

// What one sweep did: the rows it looked at (those that became old enough since the sweep
// before), and how many of them it deleted.
struct UnnamedSweep {
  std::int64_t examined = 0;
  std::int64_t deleted = 0;
};

class RawContents : public service::RawContentStore {
 public:
  explicit RawContents(std::string url);
  ~RawContents() override;
  RawContents(const RawContents&) = delete;
  RawContents& operator=(const RawContents&) = delete;

  std::vector<bool> writeAhead(std::span<const service::IncomingMessage> messages) override;

  // Deletes the bytes no raw_messages row names whose last write became older than `age` since
  // the sweep before. writeAhead() calls it with kKeepUnnamed when a sweep is due.
  UnnamedSweep deleteUnnamed(std::chrono::seconds age);

 private:
  UnnamedSweep deleteUnnamedLocked(std::chrono::seconds age);

  std::mutex mutex_;
  LazyConnection connection_;
  std::optional<std::chrono::steady_clock::time_point> last_sweep_;
};

}  // namespace hd::db
