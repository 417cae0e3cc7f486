#pragma once
// In-memory seams for MailboxPass unit tests: a mail source and a store (messages + checkpoint)
// that write every call into one shared event log, so a test can assert the order of fetch,
// commit, acknowledge and checkpoint. Not thread-safe beyond what MailboxPass promises: calls on
// the source are serialised by the pass; the log is guarded because the source and the store
// may be called from different threads.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "connectors/source/mail_source.hpp"
#include "db/errors.hpp"  // RetryableError: what PostgreSQL's store throws for a transient failure
#include "service/clock.hpp"
#include "service/ports/checkpoint_store.hpp"
#include "service/ports/message_store.hpp"
#include "service/ports/raw_content_store.hpp"
#include "tests/unit/ingest_fake_lookup.hpp"

namespace hd::service::testing {

// "commit 1 2 3", "fetch 4 5", "ack 1 2", "checkpoint 5": one line per call, UIDs in call order.
class EventLog {
 public:
  void add(std::string line) {
    std::lock_guard lock(mutex_);
    lines_.push_back(std::move(line));
  }
  std::vector<std::string> lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
  }
  // The lines starting with `verb`, without it ("ack 1 2" -> "1 2").
  std::vector<std::string> of(const std::string& verb) const {
    std::vector<std::string> result;
    for (const auto& line : lines()) {
      if (line.rfind(verb + " ", 0) == 0) result.push_back(line.substr(verb.size() + 1));
    }
    return result;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

constexpr std::uint64_t kUidValidity = 7;

// What the fake source throws for a broken channel: a type of its own, so that a test can tell
// it arrived unchanged (from the fetch thread too).
class ConnectionReset : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What the fake source throws when used again after a broken channel, as the POP3 client does
// ("session is unusable after an earlier failure"): a consequence, never the cause to report.
class SessionUnusable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline std::string keyOf(std::uint64_t uid) {
  return "imap:support:" + std::to_string(kUidValidity) + ":" + std::to_string(uid);
}

// The UID at the end of a key made by keyOf().
inline std::uint64_t uidOf(const std::string& key) {
  return std::stoull(key.substr(key.rfind(':') + 1));
}

inline std::string sampleMail(std::uint64_t uid, const std::string& extra_headers = "") {
  return "From: customer" + std::to_string(uid) +
         "@example.com\r\nTo: support@example.com\r\nSubject: question " + std::to_string(uid) +
         "\r\nMessage-ID: <m" + std::to_string(uid) + "@example.com>\r\n" + extra_headers +
         "\r\nPlease help with " + std::to_string(uid) + ".\r\n";
}

class FakeSource : public source::MailSource {
 public:
  explicit FakeSource(EventLog& log) : log_(log) {}

  std::map<std::uint64_t, std::string> mail;  // on the server, by UID
  std::set<std::uint64_t> vanished;           // listed, but FETCH does not return them
  std::optional<int> throw_on_fetch;          // the n-th fetch() call (1-based) throws
  std::optional<int> throw_on_acknowledge;    // the n-th acknowledge() call throws
  std::set<std::uint64_t> acknowledged;
  std::function<void(int call)> on_fetch;  // runs at the start of every fetch() call
  std::function<void()> on_acknowledge;    // runs at the start of every acknowledge() call
  bool unusable_after_failure = false;     // calls after a ConnectionReset throw SessionUnusable
  bool answers_twice = false;  // fetch() returns every message twice (a misbehaving source)

  void open() override { log_.add("open"); }

  source::Listing listPending(const source::Checkpoint& checkpoint) override {
    source::Listing listing;
    listing.uidvalidity = kUidValidity;
    const std::uint64_t above = checkpoint.uidvalidity == kUidValidity ? checkpoint.last_uid : 0;
    for (const auto& [uid, raw] : mail) {
      if (uid > above) listing.pending.push_back({keyOf(uid), uid, "", 0, raw.size()});
    }
    return listing;
  }

  std::vector<source::FetchedMessage> fetch(std::span<const source::MessageRef> refs) override {
    throwIfUnusable();
    log_.add("fetch" + uids(refs));
    ++fetch_calls_;
    if (on_fetch) on_fetch(fetch_calls_);
    if (throw_on_fetch && fetch_calls_ == *throw_on_fetch) {
      failed_ = true;
      throw ConnectionReset("connection reset while fetching");
    }
    std::vector<source::FetchedMessage> fetched;
    for (const auto& ref : refs) {
      if (!vanished.count(ref.uid)) fetched.push_back({ref, mail.at(ref.uid)});
      if (answers_twice && !vanished.count(ref.uid)) fetched.push_back({ref, mail.at(ref.uid)});
    }
    return fetched;
  }

  std::vector<source::FetchedMessage> fetchHeaders(std::span<const source::MessageRef> refs,
                                                   std::uint64_t max_bytes) override {
    log_.add("headers" + uids(refs));
    std::vector<source::FetchedMessage> headers;
    for (const auto& ref : refs) {
      const std::string& raw = mail.at(ref.uid);
      headers.push_back(
          {ref, raw.substr(0, std::min<std::size_t>(raw.find("\r\n\r\n") + 4, max_bytes))});
    }
    return headers;
  }

  std::vector<source::MessageRef> lookUp(std::span<const std::string>) override { return {}; }

  void acknowledge(std::span<const source::MessageRef> refs) override {
    if (on_acknowledge) on_acknowledge();
    throwIfUnusable();
    if (throw_on_acknowledge && ++acknowledge_calls_ == *throw_on_acknowledge) {
      failed_ = true;
      throw ConnectionReset("connection reset while acknowledging");
    }
    log_.add("ack" + uids(refs));
    for (const auto& ref : refs) acknowledged.insert(ref.uid);
  }

  bool canWaitForNewMail() const override { return false; }
  source::WaitOutcome waitForNewMail(std::chrono::milliseconds,
                                     const std::function<bool()>&) override {
    return source::WaitOutcome::kUnsupported;
  }
  void close() noexcept override {}

 private:
  void throwIfUnusable() const {
    if (unusable_after_failure && failed_) {
      throw SessionUnusable("session is unusable after an earlier failure");
    }
  }
  static std::string uids(std::span<const source::MessageRef> refs) {
    std::string text;
    for (const auto& ref : refs) text += " " + std::to_string(ref.uid);
    return text;
  }

  EventLog& log_;
  int fetch_calls_ = 0;
  int acknowledge_calls_ = 0;
  bool failed_ = false;
};

// One transaction per commitBatch(): all of it lands, or (an exception) none of it.
class FakeStore : public MessageStore, public CheckpointStore {
 public:
  explicit FakeStore(EventLog& log) : log_(log) {}

  enum class Row { kStored, kQuarantined };
  std::map<std::string, Row> rows;  // by source_key
  std::set<std::string> refuse;     // commitBatch refuses these messages' data
  std::optional<int> fail_commit;   // the n-th commitBatch() call (1-based) throws RetryableError
  std::optional<source::Checkpoint> checkpoint;  // as saved
  std::vector<std::string> decided;              // source keys, in the order decide() ran
  std::function<void(int call)> during_commit;   // runs inside every commitBatch()
  std::set<std::string> left_on_server;          // quarantined as too large, left on the server
  bool fail_checkpoint = false;                  // saveCheckpoint() throws RetryableError
  std::set<std::string> named_ahead;  // committed with raw_written_ahead (their bytes named)

  std::vector<std::string> keysLeftOnServer(const std::vector<std::string>& keys) override {
    std::vector<std::string> found;
    for (const auto& key : keys) {
      if (left_on_server.count(key)) found.push_back(key);
    }
    return found;
  }
  std::vector<std::string> fetchRequested(const std::string&) override { return {}; }

  std::vector<std::string> accountedKeys(const std::vector<std::string>& keys) override {
    std::vector<std::string> found;
    for (const auto& key : keys) {
      if (rows.count(key)) found.push_back(key);
    }
    return found;
  }

  std::vector<BatchEntryResult> commitBatch(std::span<const IncomingMessage> batch,
                                            const BatchDecideFn& decide,
                                            OnRefused on_refused) override {
    const int call = ++commit_calls_;
    if (during_commit) during_commit(call);
    if (fail_commit && call == *fail_commit) {
      throw db::RetryableError("could not serialize access due to concurrent update", "40001");
    }
    std::string line = "commit";
    std::map<std::string, Row> written;
    std::vector<BatchEntryResult> results(batch.size());
    ingest::testing::FakeLookup lookup;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const IncomingMessage& in = batch[i];
      BatchEntryResult& entry = results[i];
      line += " " + std::to_string(uidOf(in.source_key));
      if (in.raw_written_ahead) named_ahead.insert(in.source_key);
      if (in.parsed == nullptr) {
        entry.kind = BatchEntryResult::Kind::kQuarantined;
        entry.error = in.quarantine_reason;
        written[in.source_key] = Row::kQuarantined;
        if (in.left_on_server) left_on_server.insert(in.source_key);
      } else if (rows.count(in.source_key)) {
        entry.commit.status = CommitStatus::kAlreadyIngested;
      } else if (refuse.count(in.source_key)) {
        entry.kind = on_refused == OnRefused::kQuarantine ? BatchEntryResult::Kind::kQuarantined
                                                          : BatchEntryResult::Kind::kRefused;
        entry.error = "cannot store: value too long";
        entry.sqlstate = "22001";
        if (on_refused == OnRefused::kQuarantine) written[in.source_key] = Row::kQuarantined;
      } else {
        entry.commit.outcome = decide(i, lookup);
        decided.push_back(in.source_key);
        written[in.source_key] = Row::kStored;
      }
    }
    rows.merge(written);
    log_.add(line);
    return results;
  }

  void quarantine(const std::string& source_key, const std::string&, const spill::Bytes&,
                  const std::string&) override {
    rows[source_key] = Row::kQuarantined;
    log_.add("quarantine " + std::to_string(uidOf(source_key)));
  }

  std::optional<source::Checkpoint> loadCheckpoint(const std::string&) override {
    return checkpoint;
  }
  void saveCheckpoint(const std::string&, const source::Checkpoint& saved) override {
    if (fail_checkpoint) {
      throw db::RetryableError("terminating connection due to administrator command", "57P01");
    }
    checkpoint = saved;
    log_.add("checkpoint " + std::to_string(saved.last_uid));
  }

 private:
  EventLog& log_;
  int commit_calls_ = 0;
};

// Raw bytes written ahead (RawContentStore): logs "ahead <uids>" of the messages it takes (the
// parsed ones) and answers true for them; the n-th call (1-based) can throw instead.
class FakeRawContents : public RawContentStore {
 public:
  explicit FakeRawContents(EventLog& log) : log_(log) {}

  // The write of the batch holding this UID fails. Chosen by content, not by call order: each
  // batch's write runs on its own task, so a later batch's may start first.
  std::optional<std::uint64_t> fail_for_uid;
  // Runs at the start of every writeAhead(), on its task, before the messages are read: a test
  // can hold a write back there, as a slow database would.
  std::function<void(std::span<const IncomingMessage>)> on_write;

  std::vector<bool> writeAhead(std::span<const IncomingMessage> messages) override {
    if (on_write) on_write(messages);
    for (const auto& in : messages) {
      if (fail_for_uid && uidOf(in.source_key) == *fail_for_uid) {
        throw db::DatabaseError("database unavailable during raw bytes written ahead");
      }
    }
    std::string line = "ahead";
    std::vector<bool> written;
    for (const auto& in : messages) {
      written.push_back(in.parsed != nullptr);
      if (in.parsed != nullptr) line += " " + std::to_string(uidOf(in.source_key));
    }
    log_.add(line);
    return written;
  }

 private:
  EventLog& log_;
};

// Time that moves only when a test moves it (from any thread), for the pass's stage timings.
class StepClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point now() const override {
    return std::chrono::steady_clock::time_point(std::chrono::nanoseconds(elapsed_.load()));
  }
  void sleep(std::chrono::milliseconds, const StopSignal&, const std::function<bool()>&) override {}
  void advance(std::chrono::nanoseconds by) { elapsed_ += by.count(); }

 private:
  std::atomic<std::int64_t> elapsed_{0};
};

}  // namespace hd::service::testing
