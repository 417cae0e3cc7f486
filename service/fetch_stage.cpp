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
        // Each window is parsed, and its raw bytes sent ahead, as soon as it is fetched, so that
        // the batch's bytes are written while the rest of it is fetched and parsed.
        item.prepared->reserve(batches_[i].to_fetch.size());
        for (const auto& window : fetchWindows(batches_[i].to_fetch, kFetchWindowBytes)) {
          FetchedForCommit fetched;
          {
            // Released between windows: the acknowledge of the batch before waits for one
            // window, not for this whole batch.
            std::lock_guard lock(source_mutex_);
            try {
              const auto started = clock_.now();
              fetched = fetchForCommit(source_, window, limits_, mailbox_);
              item.fetching += clock_.now() - started;
            } catch (...) {
              // Recorded before the lock is released, so the commit stage never takes the
              // broken session for a usable one (see throwIfFailed()).
              queue_.fail(std::current_exception());
              return;
            }
          }
          item.fetched += fetched.fetched;
          if (fetched.usable.size() + fetched.left_on_server.size() > item.prepared->room()) {
            // More answers than asked for (a misbehaving server): the batch's messages may move
            // as it grows, so no task may be reading them meanwhile.
            for (auto& ahead : item.raw_written_ahead) ahead.written.wait();
          }
          const std::size_t first = item.prepared->messages().size();
          const auto parse_started = clock_.now();
          // Parsed here, off the commit stage, so that parsing overlaps the commit before it.
          for (auto& message : fetched.usable) {
            item.prepared->add(std::move(message.ref.source_key), mailbox_, std::move(message.raw));
          }
          for (auto& message : fetched.left_on_server) {
            item.prepared->addLeftOnServer(std::move(message.ref.source_key), mailbox_,
                                           message.raw.toString(), message.ref.size);
          }
          item.parsing += clock_.now() - parse_started;
          const std::size_t added = item.prepared->messages().size() - first;
          if (raw_ahead_ != nullptr && added > 0) {
            // Reserved above: these messages stay where they are while the next windows' are added.
            const std::span<const IncomingMessage> window_messages(
                item.prepared->messages().data() + first, added);
            item.raw_written_ahead.push_back(
                {first, std::async(std::launch::async, [store = raw_ahead_, window_messages] {
                   return store->writeAhead(window_messages);
                 })});
          }
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
