// TicketStore under adverse conditions against a real PostgreSQL (deploy/local.sh): hostile text,
// large raw messages, lost connections, concurrent commits of one key.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <pqxx/pqxx>
#include <set>
#include <thread>

#include "connectors/crypto/sha256.hpp"
#include "tests/integration/db_store_fixture.hpp"

namespace hd::db {
namespace {

using namespace itest;

// Two threads meet here; gives up after a timeout instead of hanging a broken test.
class Rendezvous {
 public:
  bool arriveAndWait() {
    std::unique_lock lock(mutex_);
    if (++arrived_ == 2) cv_.notify_all();
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return arrived_ >= 2; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  int arrived_ = 0;
};

TEST_F(TicketStoreTest, InvalidTextIsStoredSanitised) {
  auto m = mail(std::string("Caf\xE9 \0menu", 10), "latin1@example.com");
  m.text_body = std::string("body\0with nul", 13);
  const auto result = store_.commitMessage(incoming("imap:support:7:3", m, "raw"), newTicket);
  ASSERT_EQ(result.status, CommitStatus::kInserted);
  EXPECT_EQ(db_.scalar("SELECT subject FROM messages"), "Caf\xEF\xBF\xBD menu");
  EXPECT_EQ(db_.scalar("SELECT body_text FROM messages"), "bodywith nul");
  EXPECT_EQ(db_.scalar("SELECT sent_at IS NULL FROM messages"), "t");
}

TEST_F(TicketStoreTest, LargeRawMessageRoundTrips) {
  std::string raw(16 * 1024 * 1024, '\0');
  for (std::size_t i = 0; i < raw.size(); ++i) raw[i] = static_cast<char>((i * 7919) % 251);
  const auto m = mail("Big", "big@example.com");
  const auto result = store_.commitMessage(incoming("imap:support:7:4", m, raw), newTicket);
  ASSERT_EQ(result.status, CommitStatus::kInserted);
  EXPECT_EQ(count("SELECT length(raw) FROM raw_messages"), static_cast<long long>(raw.size()));
  // Same digest of the stored bytes as of ours: nothing lost or altered on the way.
  EXPECT_EQ(db_.scalar("SELECT encode(sha256(raw), 'hex') FROM raw_messages"),
            crypto::sha256Hex(raw));
  EXPECT_EQ(db_.scalar("SELECT raw_sha256 FROM messages"), crypto::sha256Hex(raw));
}

TEST_F(TicketStoreTest, LostConnectionThrowsThenReconnects) {
  store_.ping();
  pqxx::connection admin(test::TestEnv::get().pg_admin_url);
  pqxx::nontransaction tx(admin);
  // With a timeout (PostgreSQL 14+) it returns once the backend has exited.
  const auto terminated = tx.exec_params(
      "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
      " WHERE datname = $1 AND application_name = 'helpdesk-ingest'",
      db_.name());
  ASSERT_EQ(terminated.size(), 1u);

  EXPECT_THROW(store_.ping(), DatabaseError);
  EXPECT_NO_THROW(store_.ping());
  const auto m = mail("After reconnect", "again@example.com");
  EXPECT_EQ(store_.commitMessage(incoming("imap:support:7:6", m, "raw"), newTicket).status,
            CommitStatus::kInserted);
}

TEST_F(TicketStoreTest, LostConnectionDuringCommitRollsBackAndReplays) {
  const auto m = mail("Interrupted", "cut@example.com");
  const auto in = incoming("imap:support:7:7", m, "raw");
  pqxx::connection admin(test::TestEnv::get().pg_admin_url);
  // decide() runs inside the commit transaction: cut the session there.
  EXPECT_THROW(store_.commitMessage(in,
                                    [&](ingest::ThreadLookup& l) {
                                      pqxx::nontransaction tx(admin);
                                      tx.exec_params(
                                          "SELECT pg_terminate_backend(pid, 5000)"
                                          " FROM pg_stat_activity WHERE datname = $1"
                                          " AND application_name = 'helpdesk-ingest'",
                                          db_.name());
                                      return newTicket(l);
                                    }),
               DatabaseError);
  EXPECT_EQ(count("SELECT count(*) FROM messages"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM tickets"), 0);
  EXPECT_EQ(store_.commitMessage(in, newTicket).status, CommitStatus::kInserted);
  EXPECT_EQ(count("SELECT count(*) FROM messages"), 1);
}

// Holds an ACCESS EXCLUSIVE lock on `messages` of the scratch database until destroyed.
class MessagesTableLock {
 public:
  explicit MessagesTableLock(const std::string& url) : connection_(url), tx_(connection_) {
    tx_.exec0("LOCK TABLE messages IN ACCESS EXCLUSIVE MODE");
  }

 private:
  pqxx::connection connection_;
  pqxx::work tx_;
};

// A timeout or a conflict is not the message's fault: it must not look like refused data
// (StatementError sends a message to quarantine, which is then acknowledged on the server).
void expectRetryableNotRefused(TicketStore& store, const IncomingMessage& in,
                               const std::string& sqlstate) {
  try {
    store.commitMessage(in, newTicket);
    ADD_FAILURE() << "commit went through a held lock";
  } catch (const StatementError& e) {
    ADD_FAILURE() << "taken for refused data: " << e.what();
  } catch (const RetryableError& e) {
    EXPECT_EQ(e.sqlstate(), sqlstate);
  }
}

TEST_F(TicketStoreTest, LockTimeoutIsRetryableNotRefusedData) {
  db_.scalar("ALTER DATABASE \"" + db_.name() + "\" SET lock_timeout = '200ms'");
  TicketStore store(db_.url());  // a new session picks the setting up
  const auto m = mail("Locked out", "locked@example.com");
  const auto in = incoming("imap:support:7:20", m, "raw");
  {
    MessagesTableLock lock(db_.url());
    expectRetryableNotRefused(store, in, "55P03");
  }
  // Same session, lock gone: the message goes through now.
  EXPECT_EQ(store.commitMessage(in, newTicket).status, CommitStatus::kInserted);
}

TEST_F(TicketStoreTest, StatementTimeoutIsRetryableNotRefusedData) {
  db_.scalar("ALTER DATABASE \"" + db_.name() + "\" SET statement_timeout = '200ms'");
  TicketStore store(db_.url());
  const auto m = mail("Too slow", "slow@example.com");
  const auto in = incoming("imap:support:7:21", m, "raw");
  {
    MessagesTableLock lock(db_.url());
    expectRetryableNotRefused(store, in, "57014");
  }
  EXPECT_EQ(store.commitMessage(in, newTicket).status, CommitStatus::kInserted);
}

TEST(TicketStoreConnection, UnreachableDatabaseIsDatabaseError) {
  TicketStore store("postgresql://postgres@127.0.0.1:1/none?connect_timeout=2");
  EXPECT_THROW(store.ping(), DatabaseError);
  EXPECT_THROW(store.accountedKeys({"x"}), DatabaseError);
}

TEST_F(TicketStoreTest, ConcurrentCommitsOfOneKeyStoreExactlyOneRow) {
  TicketStore other(db_.url());
  const auto m = mail("Race", "race@example.com");
  const auto in = incoming("imap:support:7:8", m, "raw");
  // Both transactions pass the existence check before either inserts: the unique index decides.
  Rendezvous both_deciding;
  std::atomic<bool> met = true;
  const auto decide = [&](ingest::ThreadLookup& l) {
    if (!both_deciding.arriveAndWait()) met = false;
    return newTicket(l);
  };
  CommitResult ra, rb;
  std::thread ta([&] { ra = store_.commitMessage(in, decide); });
  std::thread tb([&] { rb = other.commitMessage(in, decide); });
  ta.join();
  tb.join();
  EXPECT_TRUE(met);
  EXPECT_EQ(std::multiset<CommitStatus>({ra.status, rb.status}),
            std::multiset<CommitStatus>({CommitStatus::kInserted, CommitStatus::kAlreadyIngested}));
  EXPECT_EQ(count("SELECT count(*) FROM messages"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM tickets"), 1);  // the loser's ticket rolled back
  EXPECT_EQ(count("SELECT count(*) FROM events"), 2);

  // And without the rendezvous, racing freely over many keys.
  std::vector<CommitStatus> statuses_a, statuses_b;
  const auto run = [&](TicketStore& store, std::vector<CommitStatus>& out) {
    for (int i = 0; i < 30; ++i) {
      out.push_back(store
                        .commitMessage(incoming("imap:race:1:" + std::to_string(i), m,
                                                "race " + std::to_string(i), "race"),
                                       newTicket)
                        .status);
    }
  };
  std::thread fa(run, std::ref(store_), std::ref(statuses_a));
  std::thread fb(run, std::ref(other), std::ref(statuses_b));
  fa.join();
  fb.join();
  EXPECT_EQ(count("SELECT count(*) FROM messages WHERE mailbox = 'race'"), 30);
  EXPECT_EQ(count("SELECT count(DISTINCT source_key) FROM messages WHERE mailbox = 'race'"), 30);
  for (int i = 0; i < 30; ++i) {
    EXPECT_NE(statuses_a[i] == CommitStatus::kInserted, statuses_b[i] == CommitStatus::kInserted)
        << "key " << i;
  }
}

}  // namespace
}  // namespace hd::db
