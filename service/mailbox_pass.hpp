#pragma once
// One pass over one mailbox: the loop of DESIGN.md. Lists what is new, stores each batch in one
// transaction (group commit; a message that cannot be parsed or stored is quarantined in it),
// acknowledges the batch on the server only after that commit, and advances the checkpoint only
// over messages that are stored AND acknowledged.
//
// Malformed mail never ends a pass (it goes to quarantine). A broken channel (network, TLS,
// protocol, auth, database) throws out of run(); nothing unacknowledged is lost because the next
// pass lists it again and the unique source_key turns a replay into "already stored".

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "connectors/mime/limits.hpp"
#include "connectors/source/mail_source.hpp"
#include "service/ingest/decide.hpp"
#include "service/ports/checkpoint_store.hpp"
#include "service/ports/message_store.hpp"

namespace hd::service {

struct PassLimits {
  std::uint64_t max_message_bytes = 64ull * 1024 * 1024;
  std::size_t batch_messages = 50;
  std::uint64_t batch_bytes = 32ull * 1024 * 1024;
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
  std::size_t vanished = 0;  // listed but not returned by the server
  bool interrupted = false;  // stopped between batches because a stop was requested
  source::Checkpoint checkpoint;
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

  // Asked before each batch: when it answers true (SIGTERM), the pass ends after the batch at hand
  // (committed, acknowledged, checkpointed) with report.interrupted set.
  void stopWhen(std::function<bool()> stop_requested) {
    stop_requested_ = std::move(stop_requested);
  }

 private:
  // One group commit for the fetched messages of a batch (parse failures quarantined in it).
  void commitFetched(std::vector<source::FetchedMessage> fetched, PassReport& report);

  std::string mailbox_;
  source::MailSource& source_;
  MessageStore& store_;
  CheckpointStore& checkpoints_;
  PassLimits limits_;
  ingest::Policy policy_;
  FaultHooks faults_;
  std::function<bool()> stop_requested_;
};

}  // namespace hd::service
