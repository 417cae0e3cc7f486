#pragma once
// The fetch stage of a pass (DESIGN "the loop": each batch fetched while the previous one is
// parsed and committed). A thread fetches batch after batch, window by window, parsing each window
// as it arrives, and hands each batch over in order through a BatchQueue bounded by one batch's
// messages and bytes; the pass (the commit stage) takes them with next(). So at most three
// batches of mail are in memory: the one being committed, one waiting, and the one being fetched.
//
// The source is not thread-safe: this stage holds `source_mutex` for each fetch() of a window of
// the batch (kFetchWindowBytes), and every other call on the source while the stage lives must
// hold it too (the acknowledge stage's), which so waits for one window at most.
// The destructor stops the thread (after the fetch it is in, if any) and joins it. An exception
// on the thread reaches the commit stage from next(), with its type.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>

#include "connectors/source/mail_source.hpp"
#include "service/batch_queue.hpp"
#include "service/clock.hpp"
#include "service/ingest_step.hpp"
#include "service/mailbox_pass.hpp"
#include "service/pass_batches.hpp"
#include "service/ports/raw_content_store.hpp"

namespace hd::service {

// Announced bytes per fetch() call within a batch: a window closes with the message that brings it
// to this size (so it holds at least one message, and less than this plus one message).
inline constexpr std::uint64_t kFetchWindowBytes = 1024 * 1024;

// A batch fetched and parsed, waiting for its group commit.
struct FetchedBatch {
  std::size_t index = 0;    // into the pass's batches
  std::size_t fetched = 0;  // messages the server returned
  std::unique_ptr<PreparedBatch> prepared;
  std::chrono::steady_clock::duration fetching{0};  // in the source's fetches
  std::chrono::steady_clock::duration parsing{0};
  // The batch's raw bytes being written ahead (RawContentStore), one task per fetch window, from
  // its first message on; none without a store. PreparedBatch::rawWrittenAhead() takes what
  // each get() answers, before the commit.
  struct WrittenAhead {
    std::size_t first = 0;  // into prepared->messages()
    std::future<std::vector<bool>> written;
  };
  std::vector<WrittenAhead> raw_written_ahead;
};

class FetchStage {
 public:
  // `batches`, `source`, `clock` and `raw_ahead` must outlive the stage. Starts the thread.
  // With `raw_ahead`, each parsed window's raw bytes are written on a task of their own
  // (FetchedBatch::raw_written_ahead) while the thread goes on to the next window: a batch's
  // bytes are then mostly written by the time its last window is parsed (issue 10: the commit
  // had waited for a whole batch's write, a third of the pass).
  FetchStage(source::MailSource& source, std::mutex& source_mutex,
             std::span<const PassBatch> batches, std::string mailbox, const PassLimits& limits,
             const Clock& clock, RawContentStore* raw_ahead = nullptr);
  ~FetchStage();
  FetchStage(const FetchStage&) = delete;
  FetchStage& operator=(const FetchStage&) = delete;

  // The next batch, in order; nothing when every batch was handed over. Rethrows the thread's
  // failure.
  std::optional<FetchedBatch> next() { return queue_.pop(); }

  // Rethrows the thread's failure, if any. Call it holding `source_mutex` before using the
  // source: a failed fetch leaves the session broken, and the pass must end with that first
  // failure, not with a later one on the dead session (POP3: "session is unusable") or after
  // waiting on it for another read timeout.
  void throwIfFailed() const { queue_.throwIfFailed(); }

 private:
  void run();

  source::MailSource& source_;
  std::mutex& source_mutex_;
  std::span<const PassBatch> batches_;
  std::string mailbox_;
  PassLimits limits_;
  const Clock& clock_;
  RawContentStore* raw_ahead_;
  BatchQueue<FetchedBatch> queue_;
  std::thread thread_;  // last: starts once everything it uses exists
};

}  // namespace hd::service
