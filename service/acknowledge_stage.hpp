#pragma once
// The acknowledge stage of a pass (DESIGN "the loop"): a thread that acknowledges each committed
// batch on the server (flag, move or delete), in commit order, while the commit stage goes on to
// commit the next batch. The commit stage hands a batch over only after the commit that covers
// it, and advances the checkpoint only over the batches this stage reports acknowledged, so the
// promises stay as they were; the acknowledge round trip just leaves the commit stage's path.
//
// The source is shared with the fetch stage: each acknowledge() holds `source_mutex` and first
// rethrows the fetch stage's failure, so a session broken by a fetch is never used again and the
// pass ends with that first failure. A failed acknowledge stops the stage; what was posted after
// it stays unacknowledged (committed: the next pass replays it as already stored).

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "connectors/source/mail_source.hpp"
#include "service/clock.hpp"
#include "service/fetch_stage.hpp"
#include "service/pass_timings.hpp"

namespace hd::service {

class AcknowledgeStage {
 public:
  // `source`, `fetch_stage` and `clock` must outlive the stage. Starts the thread.
  AcknowledgeStage(source::MailSource& source, std::mutex& source_mutex,
                   const FetchStage& fetch_stage, const Clock& clock);
  // Stops after the acknowledge at hand, if any (what is still queued stays unacknowledged), and
  // joins the thread.
  ~AcknowledgeStage();
  AcknowledgeStage(const AcknowledgeStage&) = delete;
  AcknowledgeStage& operator=(const AcknowledgeStage&) = delete;

  // Queues one committed batch's messages. An empty batch (nothing of it to acknowledge) counts
  // as acknowledged when its turn comes.
  void post(std::vector<source::MessageRef> refs);

  // How many posted batches, from the first, are acknowledged so far. Does not wait or throw.
  std::size_t acknowledgedBatches() const;
  std::size_t acknowledgedMessages() const;

  // Rethrows the stage's failure, if any, without waiting.
  void throwIfFailed() const;

  // Waits until every posted batch is acknowledged, or the stage failed; then rethrows that
  // failure, if any.
  void finish();

  // Waits like finish() but never throws: for a pass that is ending with a failure of its own.
  void settle() noexcept;

  // Time in the source's acknowledge() calls, waiting for the source included.
  PassTimings::Duration time() const;

 private:
  void run();
  bool idle() const { return pending_.empty() || error_; }

  source::MailSource& source_;
  std::mutex& source_mutex_;
  const FetchStage& fetch_stage_;
  const Clock& clock_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::vector<source::MessageRef>> pending_;  // front: the one being acknowledged
  std::size_t batches_done_ = 0;
  std::size_t messages_done_ = 0;
  PassTimings::Duration time_{0};
  std::exception_ptr error_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts once everything it uses exists
};

}  // namespace hd::service
