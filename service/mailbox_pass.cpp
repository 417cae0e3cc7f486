#include "service/mailbox_pass.hpp"

#include <Poco/Logger.h>

#include <algorithm>
#include <mutex>
#include <unordered_set>

#include "service/acknowledge_stage.hpp"
#include "service/checkpoint_progress.hpp"
#include "service/fetch_for_commit.hpp"
#include "service/fetch_stage.hpp"
#include "service/ingest_step.hpp"
#include "service/pass_batches.hpp"

namespace hd::service {
namespace {

Poco::Logger& logger() {
  return Poco::Logger::get("hd.ingest");
}

constexpr std::size_t kAccountedQueryChunk = 2000;

// How often a pass saves its checkpoint while it runs (and once at its end).
constexpr std::chrono::seconds kCheckpointEvery{1};

// Adds the time until the end of its scope to `total` (also when the scope throws).
class StageTimer {
 public:
  StageTimer(const Clock& clock, PassTimings::Duration& total)
      : clock_(clock), total_(total), started_(clock.now()) {}
  ~StageTimer() { total_ += clock_.now() - started_; }
  StageTimer(const StageTimer&) = delete;
  StageTimer& operator=(const StageTimer&) = delete;

 private:
  const Clock& clock_;
  PassTimings::Duration& total_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace

MailboxPass::MailboxPass(std::string mailbox, source::MailSource& source, MessageStore& store,
                         CheckpointStore& checkpoints, PassLimits limits, ingest::Policy policy,
                         FaultHooks faults)
    : mailbox_(std::move(mailbox)),
      source_(source),
      store_(store),
      checkpoints_(checkpoints),
      limits_(limits),
      policy_(policy),
      faults_(std::move(faults)) {}

PassReport MailboxPass::run() {
  PassReport report;
  source_.open();

  const std::optional<source::Checkpoint> loaded = checkpoints_.loadCheckpoint(mailbox_);
  source::Checkpoint checkpoint = loaded.value_or(source::Checkpoint{});
  source::Listing listing = source_.listPending(checkpoint);
  if (listing.uidvalidity != checkpoint.uidvalidity) {
    if (checkpoint.uidvalidity != 0) {
      // RFC 3501 2.3.1.1: every UID is void. The source listed the whole folder; content already
      // stored is recognised by the SHA-256 of its raw bytes and recorded as an alias, not a
      // second row.
      logger().warning("mailbox %s: UIDVALIDITY changed from %s to %s; rescanning the folder",
                       mailbox_, std::to_string(checkpoint.uidvalidity),
                       std::to_string(listing.uidvalidity));
    }
    checkpoint = source::Checkpoint{listing.uidvalidity, 0};
  }
  report.listed = listing.pending.size();
  fetchReleased(report);

  std::unordered_set<std::string> accounted;
  std::unordered_set<std::string> left_on_server;  // accounted, but never acknowledged
  for (std::size_t i = 0; i < listing.pending.size(); i += kAccountedQueryChunk) {
    std::vector<std::string> keys;
    for (std::size_t j = i; j < std::min(listing.pending.size(), i + kAccountedQueryChunk); ++j) {
      keys.push_back(listing.pending[j].source_key);
    }
    for (auto& key : store_.accountedKeys(keys)) accounted.insert(std::move(key));
    for (auto& key : store_.keysLeftOnServer(keys)) left_on_server.insert(std::move(key));
  }
  report.replayed = accounted.size() - left_on_server.size();

  const std::vector<PassBatch> batches = planBatches(
      listing.pending, [&](const std::string& key) { return accounted.count(key) > 0; },
      limits_.batch_messages, limits_.batch_bytes);

  CheckpointProgress progress(checkpoint);
  std::mutex source_mutex;
  FetchStage fetch_stage(source_, source_mutex, batches, mailbox_, limits_, *clock_, raw_ahead_);
  AcknowledgeStage acknowledge_stage(source_, source_mutex, fetch_stage, *clock_);
  PassTimings& timings = report.timings;
  const bool checkpointed = listing.uidvalidity != 0;  // POP3 has none
  // Saving the checkpoint is a transaction of its own (a durable commit), so while the pass runs
  // it is saved at most every kCheckpointEvery, and then at the end. The rows, not the checkpoint,
  // say what is stored: a checkpoint saved late only makes the next pass list more.
  std::optional<source::Checkpoint> saved = loaded;  // what the store holds
  auto last_saved = clock_->now();
  const auto unsaved = [&] {
    return checkpointed && (!saved || saved->uidvalidity != progress.checkpoint().uidvalidity ||
                            saved->last_uid != progress.checkpoint().last_uid);
  };
  const auto save = [&] {
    StageTimer saving(*clock_, timings.acknowledging);
    checkpoints_.saveCheckpoint(mailbox_, progress.checkpoint());
    saved = progress.checkpoint();
    last_saved = clock_->now();
  };
  try {
    for (;;) {
      if (stop_requested_ && stop_requested_()) {
        report.interrupted = true;
        logger().information("mailbox %s: stopping after the batch at hand (shutdown requested)",
                             mailbox_);
        break;
      }
      acknowledge_stage.throwIfFailed();
      std::optional<FetchedBatch> item;
      {
        StageTimer waiting(*clock_, timings.waiting_for_mail);
        item = fetch_stage.next();
      }
      if (!item) break;
      const PassBatch& batch = batches[item->index];
      report.fetched += item->fetched;
      timings.fetching += item->fetching;
      timings.parsing += item->parsing;
      if (!item->prepared->empty()) {
        StageTimer committing(*clock_, timings.committing);
        for (auto& ahead : item->raw_written_ahead) {
          item->prepared->rawWrittenAhead(ahead.written.get(), ahead.first);  // rethrows
        }
        commitPrepared(*item->prepared, report);
        for (const auto& message : item->prepared->messages()) {
          accounted.insert(message.source_key);
          if (message.left_on_server) left_on_server.insert(message.source_key);
        }
        if (faults_.after_commit) faults_.after_commit();
      }
      item.reset();  // the batch's mail is not needed any more

      std::vector<source::MessageRef> to_acknowledge;
      bool complete = true;
      std::uint64_t reach = 0;  // the highest UID before the batch's first hole
      for (const auto& ref : batch.refs) {
        if (complete && accounted.count(ref.source_key)) reach = std::max(reach, ref.uid);
        // Too large to fetch: never touched on the server, whatever after_ingest says.
        if (left_on_server.count(ref.source_key)) continue;
        if (accounted.count(ref.source_key)) {
          to_acknowledge.push_back(ref);
        } else {
          complete = false;
          ++report.vanished;
          logger().warning("mailbox %s: %s was listed but not returned by the server; will retry",
                           mailbox_, ref.source_key);
        }
      }
      acknowledge_stage.post(std::move(to_acknowledge));
      progress.posted(reach, complete);
      progress.acknowledged(acknowledge_stage.acknowledgedBatches());
      if (unsaved() && clock_->now() - last_saved >= kCheckpointEvery) {
        save();
      }
    }
    acknowledge_stage.finish();
  } catch (...) {
    // Keep what was acknowledged before the failure (best effort: the failure may be the
    // database's), then end the pass with that failure.
    acknowledge_stage.settle();
    progress.acknowledged(acknowledge_stage.acknowledgedBatches());
    if (unsaved()) {
      try {
        save();
      } catch (const std::exception& e) {
        logger().debug("mailbox %s: checkpoint not saved after the failure: %s", mailbox_,
                       std::string(e.what()));
      }
    }
    throw;
  }
  progress.acknowledged(acknowledge_stage.acknowledgedBatches());
  report.acknowledged += acknowledge_stage.acknowledgedMessages();
  timings.acknowledging += acknowledge_stage.time();
  if (unsaved()) save();
  report.checkpoint = progress.checkpoint();
  return report;
}

void MailboxPass::fetchReleased(PassReport& report) {
  const std::vector<std::string> keys = store_.fetchRequested(mailbox_);
  if (keys.empty()) return;
  const std::vector<source::MessageRef> refs = source_.lookUp(keys);
  FetchedForCommit fetched = fetchForCommit(source_, refs, limits_, mailbox_);
  PreparedBatch batch(limits_.max_message_bytes, limits_.mime);
  std::vector<source::MessageRef> stored;
  for (auto& message : fetched.usable) {
    stored.push_back(message.ref);
    batch.add(std::move(message.ref.source_key), mailbox_, std::move(message.raw));
  }
  for (auto& message : fetched.left_on_server) {
    batch.addLeftOnServer(std::move(message.ref.source_key), mailbox_, message.raw.toString(),
                          message.ref.size);
  }
  logger().information("mailbox %s: fetching %z of %z message(s) released from the server",
                       mailbox_, stored.size(), keys.size());
  batch.replaceLeftOnServer();
  if (batch.empty()) return;
  commitPrepared(batch, report);
  if (!stored.empty()) {
    source_.acknowledge(stored);
    report.acknowledged += stored.size();
    report.released += stored.size();
  }
}

void MailboxPass::commitPrepared(PreparedBatch& batch, PassReport& report) {
  // Throws DatabaseError when the database is gone: the pass ends with nothing acknowledged.
  const auto results = batch.commit(store_, policy_, OnRefused::kQuarantine, faults_.in_commit);
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto& key = batch.messages()[i].source_key;
    const auto& entry = results[i];
    const auto& result = entry.commit;
    if (entry.kind != BatchEntryResult::Kind::kCommitted) {
      ++report.quarantined;
      logger().warning("mailbox %s: %s quarantined: %s", mailbox_, key, entry.error);
      continue;
    }
    switch (result.status) {
      case CommitStatus::kInserted:
        ++report.stored;
        logger().information("mailbox %s: %s stored as message %s (%s %s)", mailbox_, key,
                             std::to_string(result.message_id),
                             std::string(result.ticket_created ? "new ticket" : "ticket"),
                             result.ticket_reference);
        break;
      case CommitStatus::kAlreadyIngested:
        ++report.replayed;
        break;
      case CommitStatus::kDuplicateContent:
        ++report.duplicates;
        if (result.quarantine_id != 0) {
          logger().information("mailbox %s: %s is a copy of quarantine entry %s", mailbox_, key,
                               std::to_string(result.quarantine_id));
        } else {
          logger().information("mailbox %s: %s is a copy of stored message %s", mailbox_, key,
                               std::to_string(result.message_id));
        }
        break;
    }
  }
}

}  // namespace hd::service
