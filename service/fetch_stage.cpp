#include "service/fetch_stage.hpp"

#include "service/fetch_for_commit.hpp"

namespace hd::service {

FetchStage::FetchStage(source::MailSource& source, std::mutex& source_mutex,
                       std::span<const PassBatch> batches, std::string mailbox,
                       const PassLimits& limits)
    : source_(source),
      source_mutex_(source_mutex),
      batches_(batches),
      mailbox_(std::move(mailbox)),
      limits_(limits),
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
        {
          std::lock_guard lock(source_mutex_);
          try {
            fetched = fetchForCommit(source_, batches_[i].to_fetch, limits_, mailbox_);
          } catch (...) {
            // Recorded before the lock is released, so the commit stage never takes the broken
            // session for a usable one (see throwIfFailed()).
            queue_.fail(std::current_exception());
            return;
          }
        }
        item.fetched = fetched.fetched;
        // Parsed here, off the commit stage, so that parsing overlaps the commit before it.
        for (auto& message : fetched.usable) {
          item.prepared->add(std::move(message.ref.source_key), mailbox_, std::move(message.raw));
        }
        for (auto& message : fetched.left_on_server) {
          item.prepared->addLeftOnServer(std::move(message.ref.source_key), mailbox_,
                                         message.raw.toString(), message.ref.size);
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
