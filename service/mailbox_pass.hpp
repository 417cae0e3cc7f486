#pragma once
// One pass over one mailbox: the loop of DESIGN.md. Lists what is new, stores each batch in one
// transaction (group commit; a message that cannot be parsed or stored is quarantined in it),
// acknowledges the batch on the server only after that commit, and advances the checkpoint only
// over messages that are stored AND acknowledged.
//
// Malformed mail never ends a pass (it goes to quarantine). A broken channel (network, TLS,
// protocol, auth, database) throws out of run(); nothing unacknowledged is lost because the next
// pass lists it again and the unique source_key turns a replay into "already stored".
//
// Batches are formed once, here (service/pass_batches.hpp); the sources fetch what they are given.
// The pass is a pipeline of three threads, each batch passing through them in order: a fetch
// thread (service/fetch_stage.hpp) fetches and parses the next batch while this thread commits
// the current one and an acknowledge thread (service/acknowledge_stage.hpp) acknowledges the one
// before. The checkpoint follows the acknowledged batches (service/checkpoint_progress.hpp); it
// is saved at most once a second while the pass runs, and at its end. The threads are joined
// before run() returns or throws; their failures are thrown from run().

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "connectors/mime/limits.hpp"
#include "connectors/source/mail_source.hpp"
#include "service/clock.hpp"
#include "service/ingest/decide.hpp"
#include "service/pass_timings.hpp"
#include "service/ports/checkpoint_store.hpp"
#include "service/ports/message_store.hpp"
#include "service/ports/raw_content_store.hpp"

namespace hd::service {

class PreparedBatch;

struct PassLimits {
  std::uint64_t max_message_bytes = 64ull * 1024 * 1024;
  // One batch: one fetch, one transaction, one acknowledge. Up to three batches of mail are held
  // at once (committing, waiting, being fetched), so the byte bound is what keeps memory small;
  // a single message above it travels alone.
  std::size_t batch_messages = 50;
  std::uint64_t batch_bytes = 8ull * 1024 * 1024;
  mime::Limits mime;
};

struct PassReport {
  std::size_t listed = 0;  // messages the server listed as pending
  std::size_t fetched = 0;
  std::size_t stored = 0;      // new rows in messages
  std::size_t replayed = 0;    // already stored (a crash between commit and acknowledge)
  std::size_t duplicates = 0;  // same content under another key (e.g. UIDVALIDITY change)
  std::size_t quarantined = 0;
  std::size_t acknowledged = 0;
  std::size_t released = 0;  // left on the server as too large, fetched now on request
  std::size_t vanished = 0;  // listed but not returned by the server
  bool interrupted = false;  // stopped between batches because a stop was requested
  source::Checkpoint checkpoint;
  PassTimings timings;
};

// Test-only fault injection (HD_FAULT_* environment variables, service/application.cpp).
struct FaultHooks {
  std::function<void()> after_commit;  // after every batch's commit, before its acknowledge
  // Inside a batch's open transaction, before decide() of the message at `index` of the batch.
  std::function<void(std::size_t index)> in_commit;
};

class MailboxPass {
 public:
  // `store` and `checkpoints` are the seams of service/ports (PostgreSQL: one db::TicketStore
  // for both). Nothing here knows SQL or a mail protocol.
  MailboxPass(std::string mailbox, source::MailSource& source, MessageStore& store,
              CheckpointStore& checkpoints, PassLimits limits, ingest::Policy policy = {},
              FaultHooks faults = {});

  // Opens the source and runs the pass. Leaves the session open (the caller closes it, or waits
  // on it for new mail); on an exception the caller must close it too.
  PassReport run();

  // Asked before each batch's commit: when it answers true (SIGTERM), the pass ends after the
  // batches at hand (committed, acknowledged, checkpointed) with report.interrupted set; a batch
  // already fetched ahead is dropped unacknowledged (the next pass fetches it again).
  void stopWhen(std::function<bool()> stop_requested) {
    stop_requested_ = std::move(stop_requested);
  }

  // Each fetched batch's raw bytes are written ahead of its commit (RawContentStore), beside the
  // commit of the batch before. `raw_ahead` must outlive the pass.
  void writeRawAheadWith(RawContentStore& raw_ahead) { raw_ahead_ = &raw_ahead; }

  // The clock that times the stages (PassTimings); the steady clock unless a test sets one. It
  // must outlive the pass and be safe to read from two threads.
  void timeWith(const Clock& clock) { clock_ = &clock; }

 private:
  // One group commit for a fetched and parsed batch (parse failures quarantined in it).
  // Messages left on the server as too large whose fetch a retry requested after the limit was
  // raised: fetched, stored (their quarantine row removed in the same commit) and acknowledged;
  // still too large, they stay on the server. The checkpoint is not involved.
  void fetchReleased(PassReport& report);
  void commitPrepared(PreparedBatch& batch, PassReport& report);

  std::string mailbox_;
  source::MailSource& source_;
  MessageStore& store_;
  CheckpointStore& checkpoints_;
  PassLimits limits_;
  ingest::Policy policy_;
  FaultHooks faults_;
  std::function<bool()> stop_requested_;
  RawContentStore* raw_ahead_ = nullptr;
  const Clock* clock_ = &systemClock();
};

}  // namespace hd::service
