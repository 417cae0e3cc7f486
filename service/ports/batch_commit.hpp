#pragma once
// What a group commit takes (one IncomingMessage per message, in commit order) and what became of
// each message. Plain values: no protocol, no SQL.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "connectors/mime/message.hpp"
#include "connectors/mime/warning.hpp"
#include "connectors/spill/bytes.hpp"
#include "service/ingest/outcome.hpp"
#include "service/ingest/thread_lookup.hpp"
#include "service/ingest/thread_questions.hpp"

namespace hd::service {

// One message ready to be committed: parsed, or (parsed == nullptr) to be quarantined.
struct IncomingMessage {
  std::string source_key;
  std::string mailbox;
  spill::Bytes raw;        // exact bytes from the server (a spill file when large)
  std::string raw_sha256;  // lowercase hex of `raw`; computed by the store when left empty
  // `raw` is stored already, under raw_sha256 (service/ports/raw_content_store.hpp): the commit
  // names those bytes instead of writing them again.
  bool raw_written_ahead = false;
  const mime::Message* parsed = nullptr;
  std::vector<mime::Warning> warnings;
  // What decide() may ask about it (ingest::threadQuestions()): the store answers a batch's
  // questions together. Left empty, each question costs its own round trip.
  ingest::ThreadQuestions thread_questions;
  // When `parsed` is null, the message goes to quarantine with this reason.
  std::string quarantine_reason;
  // Quarantine of a message too large to fetch, which stays on the server: `raw` holds its
  // header block only, `size` its size in bytes (quarantine.on_server, headers, size).
  bool left_on_server = false;
  std::uint64_t size = 0;
  // Fetched after a retry released it (quarantine.fetch_requested): the commit first removes the
  // key's left-on-server quarantine row, in the same transaction.
  bool replaces_left_on_server = false;
};

enum class CommitStatus {
  kInserted,          // new rows written
  kAlreadyIngested,   // source_key already has a row (a replay after a crash): nothing written
  kDuplicateContent,  // the same raw bytes (SHA-256) already held in this mailbox under another
                      // key (e.g. after a UIDVALIDITY change), with or without a Message-ID, as a
                      // message or in quarantine: the key is recorded as an alias
};

struct CommitResult {
  CommitStatus status = CommitStatus::kInserted;
  std::int64_t message_id = 0;  // kInserted: the new row; kDuplicateContent: the stored original
                                // (0 when the original is held in quarantine: quarantine_id)
  std::int64_t ticket_id = 0;   // 0 when recorded without a ticket (and for kAlreadyIngested)
  bool ticket_created = false;
  std::string ticket_reference;
  ingest::Outcome outcome;  // what decide() returned (kInserted only)
  // kDuplicateContent of mail held in quarantine (it could not be parsed or stored either): the
  // quarantine row's id.
  std::int64_t quarantine_id = 0;
};

// What became of one message of a group commit.
struct BatchEntryResult {
  enum class Kind {
    kCommitted,    // `commit` says how (inserted, already ingested, duplicate content)
    kQuarantined,  // written to quarantine: asked for, or refused by the store (kQuarantine)
    kRefused,      // refused by the store and, with OnRefused::kReport, nothing written
  };
  Kind kind = Kind::kCommitted;
  CommitResult commit;
  std::string error;     // kQuarantined: the reason stored; kRefused: the store's message
  std::string sqlstate;  // refused by a SQL store: its SQLSTATE
};

// A message the store refuses (its data, not an outage): quarantined in the same transaction, or
// only reported with nothing written.
enum class OnRefused { kQuarantine, kReport };

// decide() of a group commit: `index` is the message's position in the batch.
using BatchDecideFn = std::function<ingest::Outcome(std::size_t index, ingest::ThreadLookup&)>;

}  // namespace hd::service
