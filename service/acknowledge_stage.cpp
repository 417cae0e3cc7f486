#include "service/acknowledge_stage.hpp"

namespace hd::service {

AcknowledgeStage::AcknowledgeStage(source::MailSource& source, std::mutex& source_mutex,
                                   const FetchStage& fetch_stage, const Clock& clock)
    : source_(source),
      source_mutex_(source_mutex),
      fetch_stage_(fetch_stage),
      clock_(clock),
      thread_([this] { run(); }) {}

AcknowledgeStage::~AcknowledgeStage() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    changed_.notify_all();
  }
  thread_.join();
}

void AcknowledgeStage::post(std::vector<source::MessageRef> refs) {
  std::lock_guard lock(mutex_);
  pending_.push_back(std::move(refs));
  changed_.notify_all();
}

std::size_t AcknowledgeStage::acknowledgedBatches() const {
  std::lock_guard lock(mutex_);
  return batches_done_;
}

std::size_t AcknowledgeStage::acknowledgedMessages() const {
  std::lock_guard lock(mutex_);
  return messages_done_;
}

void AcknowledgeStage::throwIfFailed() const {
  std::lock_guard lock(mutex_);
  if (error_) std::rethrow_exception(error_);
}

void AcknowledgeStage::finish() {
  settle();
  throwIfFailed();
}

void AcknowledgeStage::settle() noexcept {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return idle(); });
}

PassTimings::Duration AcknowledgeStage::time() const {
  std::lock_guard lock(mutex_);
  return time_;
}

void AcknowledgeStage::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [this] { return stopping_ || !idle(); });
    if (stopping_ || error_) return;
    // Stays at the front while it is acknowledged: settle() waits for it too. Read below without
    // the lock: post()'s push_back keeps references to a deque's existing elements valid.
    const std::vector<source::MessageRef>& refs = pending_.front();
    std::exception_ptr error;
    PassTimings::Duration took{0};
    if (!refs.empty()) {
      lock.unlock();
      const auto started = clock_.now();
      try {
        std::lock_guard source_lock(source_mutex_);
        fetch_stage_.throwIfFailed();  // the batch stays committed, unacknowledged: replayed later
        source_.acknowledge(refs);
      } catch (...) {
        error = std::current_exception();
      }
      took = clock_.now() - started;
      lock.lock();
    }
    time_ += took;
    if (error) {
      error_ = error;
    } else {
      ++batches_done_;
      messages_done_ += refs.size();
      pending_.pop_front();
    }
    changed_.notify_all();
  }
}

}  // namespace hd::service
