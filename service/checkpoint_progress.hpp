#pragma once
// How far a pass may move its checkpoint (DESIGN "the loop": every UID up to last_uid is stored
// AND acknowledged). Batches are posted in order once committed, each saying whether every one
// of its listed messages is accounted for (stored or quarantined) and the highest UID before its
// first hole (a message the server listed but did not return). The checkpoint moves once the
// batch is acknowledged, and never past the first hole for the rest of the pass.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>

#include "connectors/source/mail_source.hpp"

namespace hd::service {

class CheckpointProgress {
 public:
  explicit CheckpointProgress(source::Checkpoint start) : checkpoint_(start) {}

  // The next committed batch, in posting order: `reach` is its highest UID before its first
  // hole (0 when the hole is its first message), `complete` says there is none.
  void posted(std::uint64_t reach, bool complete) { waiting_.push_back({reach, complete}); }

  // The first `batches` posted batches are acknowledged (a count that only grows).
  void acknowledged(std::size_t batches) {
    for (; applied_ < batches && !waiting_.empty(); ++applied_) {
      const Batch batch = waiting_.front();
      waiting_.pop_front();
      if (hole_) continue;
      checkpoint_.last_uid = std::max(checkpoint_.last_uid, batch.reach);
      hole_ = !batch.complete;
    }
  }

  const source::Checkpoint& checkpoint() const { return checkpoint_; }

 private:
  struct Batch {
    std::uint64_t reach;
    bool complete;
  };
  source::Checkpoint checkpoint_;
  std::deque<Batch> waiting_;  // posted, not yet acknowledged
  std::size_t applied_ = 0;    // batches acknowledged and applied
  bool hole_ = false;
};

}  // namespace hd::service
