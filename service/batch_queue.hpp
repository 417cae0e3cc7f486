#pragma once
// The hand-over between the fetch stage and the commit stage of a pass: a FIFO bounded by
// messages AND bytes, so that fetching ahead never holds more than one batch's worth of mail
// beyond the batch being committed and the one being fetched. An item larger than the bounds
// still passes alone (into an empty queue).
//
// One producer, one consumer. The producer ends with finish() or fail(error); the consumer may
// close() at any time (a stop request, its own failure), after which push() refuses and a
// blocked producer wakes up. Thread-safe.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>

namespace hd::service {

template <class T>
class BatchQueue {
 public:
  BatchQueue(std::size_t max_messages, std::uint64_t max_bytes)
      : max_messages_(max_messages), max_bytes_(max_bytes) {}

  // Waits until the item fits (or the queue is empty); false when the consumer closed the queue.
  bool push(T item, std::size_t messages, std::uint64_t bytes) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return closed_ || fits(messages, bytes); });
    if (closed_) return false;
    enqueue(std::move(item), messages, bytes);
    return true;
  }

  // push() without waiting: false when the item does not fit now or the queue is closed.
  bool tryPush(T item, std::size_t messages, std::uint64_t bytes) {
    std::lock_guard lock(mutex_);
    if (closed_ || !fits(messages, bytes)) return false;
    enqueue(std::move(item), messages, bytes);
    return true;
  }

  // Producer: no more items. pop() returns what is queued, then nothing.
  void finish() {
    std::lock_guard lock(mutex_);
    finished_ = true;
    changed_.notify_all();
  }

  // Producer: it failed. The next pop() rethrows `error`, ahead of anything still queued (the
  // consumer reports the first failure, not a consequence of it).
  void fail(std::exception_ptr error) {
    std::lock_guard lock(mutex_);
    error_ = std::move(error);
    finished_ = true;
    changed_.notify_all();
  }

  // Consumer: rethrows the producer's failure, if any, without waiting.
  void throwIfFailed() const {
    std::lock_guard lock(mutex_);
    if (error_) std::rethrow_exception(error_);
  }

  // Consumer: waits for the next item; nothing when the producer finished and all was taken.
  std::optional<T> pop() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return error_ || !items_.empty() || finished_; });
    if (error_) std::rethrow_exception(error_);
    if (items_.empty()) return std::nullopt;
    Entry entry = std::move(items_.front());
    items_.pop_front();
    messages_ -= entry.messages;
    bytes_ -= entry.bytes;
    changed_.notify_all();
    return std::move(entry.item);
  }

  // Consumer: takes no more; wakes a producer waiting in push(), which then returns false.
  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    changed_.notify_all();
  }

  bool closed() const {
    std::lock_guard lock(mutex_);
    return closed_;
  }

 private:
  struct Entry {
    T item;
    std::size_t messages;
    std::uint64_t bytes;
  };

  bool fits(std::size_t messages, std::uint64_t bytes) const {
    return items_.empty() ||
           (messages_ + messages <= max_messages_ && bytes_ + bytes <= max_bytes_);
  }
  void enqueue(T item, std::size_t messages, std::uint64_t bytes) {
    items_.push_back({std::move(item), messages, bytes});
    messages_ += messages;
    bytes_ += bytes;
    changed_.notify_all();
  }

  const std::size_t max_messages_;
  const std::uint64_t max_bytes_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Entry> items_;
  std::size_t messages_ = 0;
  std::uint64_t bytes_ = 0;
  bool finished_ = false;
  bool closed_ = false;
  std::exception_ptr error_;
};

}  // namespace hd::service
