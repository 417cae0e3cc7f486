#include "service/fetch_stage.hpp"

#include "service/fetch_for_commit.hpp"

namespace hd::service {
namespace {

// Consecutive runs of `refs` in order, each closed by the message that brings it to `bytes`
// announced bytes (the last may hold fewer): a window holds less than `bytes` plus one message,
// and a message larger than `bytes` ends the window it joins.
std::vector<std::vector<source::MessageRef>> fetchWindows(
    const std::vector<source::MessageRef>& refs, std::uint64_t bytes) {
  std::vector<std::vector<source::MessageRef>> windows(1);
  std::uint64_t in_window = 0;
  for (const auto& ref : refs) {
    if (in_window >= bytes) {
      windows.emplace_back();
      in_window = 0;
    }
    windows.back().push_back(ref);
    in_window += ref.size;
  }
  return windows;
}

void appendFetched(FetchedForCommit& into, FetchedForCommit&& window) {
  into.fetched += window.fetched;
  for (auto& message : window.usable) into.usable.push_back(std::move(message));
  for (auto& message : window.left_on_server) into.left_on_server.push_back(std::move(message));
}

}  // namespace

FetchStage::FetchStage(source::MailSource& source, std::mutex& source_mutex,
                       std::span<const PassBatch> batches, std::string mailbox,
                       const PassLimits& limits, const Clock& clock, RawContentStore* raw_ahead)
    : source_(source),
      source_mutex_(source_mutex),
      batches_(batches),
      mailbox_(std::move(mailbox)),
      limits_(limits),
      clock_(clock),
      raw_ahead_(raw_ahead),
      queue_(limits.batch_messages, limits.batch_bytes),
      thread_([this] { run(); }) {}

FetchStage::~FetchStage() {
  queue_.close();
  thread_.join();
}

void FetchStage::run() {
  try {
    for (std::size_t i = 0; i < batches_.size() && !queue_.closed(); ++i) {
      FetchedBatch item;
      item.index = i;
      item.prepared = std::make_unique<PreparedBatch>(limits_.max_message_bytes, limits_.mime);
      if (!batches_[i].to_fetch.empty()) {
        FetchedForCommit fetched;
        // Window by window, releasing the source between them: the acknowledge of the batch
        // before waits for one window, not for this whole batch.
        for (const auto& window : fetchWindows(batches_[i].to_fetch, kFetchWindowBytes)) {
          std::lock_guard lock(source_mutex_);
          try {
            const auto started = clock_.now();
            appendFetched(fetched, fetchForCommit(source_, window, limits_, mailbox_));
            item.fetching += clock_.now() - started;
          } catch (...) {
            // Recorded before the lock is released, so the commit stage never takes the broken
            // session for a usable one (see throwIfFailed()).
            queue_.fail(std::current_exception());
            return;
          }
        }
        item.fetched = fetched.fetched;
        const auto parse_started = clock_.now();
        // Parsed here, off the commit stage, so that parsing overlaps the commit before it.
        for (auto& message : fetched.usable) {
          item.prepared->add(std::move(message.ref.source_key), mailbox_, std::move(message.raw));
        }
        for (auto& message : fetched.left_on_server) {
          item.prepared->addLeftOnServer(std::move(message.ref.source_key), mailbox_,
                                         message.raw.toString(), message.ref.size);
        }
        item.parsing = clock_.now() - parse_started;
        if (raw_ahead_ != nullptr) {
          // The batch's address stays the same while it is queued and committed.
          item.raw_written_ahead =
              std::async(std::launch::async, [store = raw_ahead_, batch = item.prepared.get()] {
                return store->writeAhead(batch->messages());
              });
        }
      }
      const std::size_t messages = item.prepared->messages().size();
      const std::uint64_t bytes = item.prepared->bytes();
      if (!queue_.push(std::move(item), messages, bytes)) return;  // the pass stopped
    }
    queue_.finish();
  } catch (...) {
    queue_.fail(std::current_exception());
  }
}

}  // namespace hd::service
