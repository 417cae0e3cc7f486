// TicketStore against a real PostgreSQL (the private instance of deploy/local.sh), each test in
// its own scratch database.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <pqxx/pqxx>
#include <set>
#include <thread>

#include "connectors/mime/sha256.hpp"
#include "db/migrations.hpp"
#include "db/ticket_store.hpp"
#include "tests/support/test_env.hpp"

namespace hd::db {
namespace {

using ingest::Outcome;
using Kind = ingest::Outcome::Kind;

// Every byte value, NUL and 8-bit included, so a text-mode round trip would show.
std::string allBytes() {
  std::string raw = "From: Jane <jane@example.com>\r\nSubject: bytes\r\n\r\n";
  for (int i = 0; i < 256; ++i) raw.push_back(static_cast<char>(i));
  return raw;
}

std::string hex(const std::string& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0x0F]);
  }
  return out;
}

mime::Message mail(const std::string& subject, const std::string& message_id,
                   const std::string& in_reply_to = "") {
  mime::Message m;
  m.subject = subject;
  m.from = mime::Address{"Jane Doe", "jane@example.com"};
  m.to = {{"Support", "support@example.com"}};
  m.message_id = message_id;
  m.in_reply_to = in_reply_to;
  if (!in_reply_to.empty()) m.references = {in_reply_to};
  m.text_body = "Hello";
  return m;
}

IncomingMessage incoming(const std::string& key, const mime::Message& parsed,
                         const std::string& raw, const std::string& mailbox = "support") {
  IncomingMessage in;
  in.source_key = key;
  in.mailbox = mailbox;
  in.raw = raw;
  in.parsed = &parsed;
  return in;
}

Outcome newTicket(ingest::ThreadLookup&) {
  return Outcome{};
}

// What decide() does for a reply: follow the ticket of In-Reply-To / References, else open one.
Outcome threadOrNew(ingest::ThreadLookup& lookup, const mime::Message& m) {
  std::vector<std::string> ids = m.references;
  ids.insert(ids.begin(), m.in_reply_to);
  Outcome outcome;
  if (const auto match = lookup.findByMessageIds(ids)) {
    outcome.kind = Kind::kFollowUp;
    outcome.ticket_id = match->ticket_id;
    outcome.reason = "In-Reply-To matches message " + std::to_string(match->message_id);
  }
  return outcome;
}

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

class TicketStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(store_.migrate(), int(embeddedMigrations().size())); }

  long long count(const std::string& sql) { return std::stoll(db_.scalar(sql)); }

  test::ScratchDatabase db_;
  TicketStore store_{db_.url()};
};

TEST(TicketStoreMigrate, CreatesSchemaOnEmptyDatabaseAndIsIdempotent) {
  test::ScratchDatabase db;
  TicketStore store(db.url());
  EXPECT_FALSE(store.schemaUpToDate());
  ASSERT_FALSE(embeddedMigrations().empty());
  EXPECT_EQ(store.migrate(), int(embeddedMigrations().size()));
  EXPECT_TRUE(store.schemaUpToDate());
  for (const char* table : {"tickets", "messages", "raw_messages", "attachments", "quarantine",
                            "source_aliases", "mailbox_state", "events", "schema_migrations"}) {
    EXPECT_EQ(db.scalar(std::string("SELECT to_regclass('") + table + "') IS NOT NULL"), "t")
        << table;
  }
  EXPECT_EQ(db.scalar("SELECT count(*) FROM schema_migrations"),
            std::to_string(embeddedMigrations().size()));
  EXPECT_EQ(db.scalar("SELECT name FROM schema_migrations WHERE version = 1"), "initial");

  EXPECT_EQ(store.migrate(), 0);
  TicketStore other(db.url());
  EXPECT_EQ(other.migrate(), 0);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM schema_migrations"),
            std::to_string(embeddedMigrations().size()));
}

TEST(TicketStoreMigrate, ConcurrentMigrationsApplyEachVersionOnce) {
  test::ScratchDatabase db;
  TicketStore a(db.url()), b(db.url());
  a.ping();
  b.ping();  // both connected, so the race is on the migration itself
  int applied_a = -1, applied_b = -1;
  std::string error;
  std::mutex error_mutex;
  const auto migrate = [&](TicketStore& store, int& applied) {
    try {
      applied = store.migrate();
    } catch (const std::exception& e) {
      std::lock_guard lock(error_mutex);
      error = e.what();
    }
  };
  std::thread ta(migrate, std::ref(a), std::ref(applied_a));
  std::thread tb(migrate, std::ref(b), std::ref(applied_b));
  ta.join();
  tb.join();
  EXPECT_EQ(error, "");
  EXPECT_EQ(applied_a + applied_b, int(embeddedMigrations().size()));
  EXPECT_EQ(db.scalar("SELECT count(*) FROM schema_migrations"),
            std::to_string(embeddedMigrations().size()));
  EXPECT_TRUE(a.schemaUpToDate());
}

TEST_F(TicketStoreTest, CommitsNewTicketWithAllRows) {
  auto m = mail("Printer on fire", "first@example.com");
  m.html_body = "<p>Hello</p>";
  m.date = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
  mime::Attachment attachment;
  attachment.filename = "log.bin";
  attachment.content_type = "application/octet-stream";
  attachment.content = std::string("\0\x01\xFF\x80 binary", 10);
  m.attachments = {attachment};
  const std::string raw = allBytes();
  auto in = incoming("imap:support:7:1", m, raw);
  in.warnings = {{"missing closing boundary"}};

  bool decided = false;
  const auto result = store_.commitMessage(in, [&](ingest::ThreadLookup& lookup) {
    decided = true;
    EXPECT_FALSE(lookup.findByMessageIds({"nobody@example.com", ""}).has_value());
    EXPECT_FALSE(lookup.findByMessageIds({}).has_value());
    Outcome outcome;
    outcome.ticket_subject = "Printer on fire (trimmed)";
    outcome.reason = "new conversation";
    return outcome;
  });
  EXPECT_TRUE(decided);
  ASSERT_EQ(result.status, CommitStatus::kInserted);
  EXPECT_TRUE(result.ticket_created);
  EXPECT_GT(result.ticket_id, 0);
  EXPECT_GT(result.message_id, 0);
  EXPECT_EQ(result.ticket_reference, "HD-" + std::to_string(result.ticket_id));
  EXPECT_EQ(result.outcome.reason, "new conversation");

  const std::string ticket = std::to_string(result.ticket_id);
  const std::string message = std::to_string(result.message_id);
  EXPECT_EQ(db_.scalar("SELECT reference || '|' || subject || '|' || requester_address || '|' ||"
                       " requester_name || '|' || status || '|' || mailbox FROM tickets"
                       " WHERE id = " +
                       ticket),
            "HD-" + ticket + "|Printer on fire (trimmed)|jane@example.com|Jane Doe|open|support");
  EXPECT_EQ(db_.scalar("SELECT ticket_id || '|' || source_key || '|' || internet_message_id || '|'"
                       " || subject || '|' || from_address || '|' || from_name || '|' ||"
                       " body_text || '|' || body_html || '|' || classification || '|' ||"
                       " decision_reason || '|' || raw_size FROM messages WHERE id = " +
                       message),
            ticket +
                "|imap:support:7:1|first@example.com|Printer on fire|jane@example.com|"
                "Jane Doe|Hello|<p>Hello</p>|customer|new conversation|" +
                std::to_string(raw.size()));
  EXPECT_EQ(db_.scalar("SELECT to_addresses->0->>'address' FROM messages"), "support@example.com");
  EXPECT_EQ(db_.scalar("SELECT warnings->>0 FROM messages"), "missing closing boundary");
  EXPECT_EQ(db_.scalar("SELECT extract(epoch FROM sent_at)::bigint FROM messages"), "1700000000");

  // Raw bytes round-trip exactly, and the store computed the lowercase hex SHA-256 itself.
  EXPECT_EQ(db_.scalar("SELECT encode(raw, 'hex') FROM raw_messages WHERE message_id = " + message),
            hex(raw));
  EXPECT_EQ(db_.scalar("SELECT raw_sha256 = encode(sha256(r.raw), 'hex') FROM messages m"
                       " JOIN raw_messages r ON r.message_id = m.id"),
            "t");
  EXPECT_EQ(db_.scalar("SELECT raw_sha256 ~ '^[0-9a-f]{64}$' FROM messages"), "t");

  EXPECT_EQ(db_.scalar("SELECT filename || '|' || content_type || '|' || size || '|' ||"
                       " encode(content, 'hex') || '|' || (sha256 = encode(sha256(content), 'hex'))"
                       " FROM attachments WHERE message_id = " +
                       message),
            "log.bin|application/octet-stream|10|" + hex(attachment.content) + "|true");

  // ticket.created then message.added, same transaction, both pointing at the message.
  EXPECT_EQ(count("SELECT count(*) FROM events"), 2);
  EXPECT_EQ(
      db_.scalar("SELECT string_agg(type || ':' || ticket_id || ':' || message_id, ','"
                 " ORDER BY id) FROM events"),
      "ticket.created:" + ticket + ":" + message + ",message.added:" + ticket + ":" + message);
  EXPECT_EQ(count("SELECT count(DISTINCT xid) FROM events"), 1);
  EXPECT_EQ(store_.counts("support").ingested, 1);
}

TEST_F(TicketStoreTest, ReplayIsAlreadyIngestedAndWritesNothing) {
  const auto m = mail("Hello", "replay@example.com");
  const auto in = incoming("imap:support:7:2", m, "raw bytes");
  ASSERT_EQ(store_.commitMessage(in, newTicket).status, CommitStatus::kInserted);

  bool decided = false;
  const auto again = store_.commitMessage(in, [&](ingest::ThreadLookup& l) {
    decided = true;
    return newTicket(l);
  });
  EXPECT_EQ(again.status, CommitStatus::kAlreadyIngested);
  EXPECT_FALSE(decided);
  EXPECT_EQ(count("SELECT count(*) FROM messages"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM tickets"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM events"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM raw_messages"), 1);
}

TEST_F(TicketStoreTest, ReplyFollowsTheTicketFoundByMessageId) {
  const auto first = mail("Question", "q1@example.com");
  const auto a =
      store_.commitMessage(incoming("imap:support:7:1", first, "first"),
                           [&](ingest::ThreadLookup& l) { return threadOrNew(l, first); });
  ASSERT_EQ(a.status, CommitStatus::kInserted);
  ASSERT_TRUE(a.ticket_created);

  const auto reply = mail("Re: Question", "r1@example.com", "q1@example.com");
  const auto b =
      store_.commitMessage(incoming("imap:support:7:2", reply, "reply"),
                           [&](ingest::ThreadLookup& l) { return threadOrNew(l, reply); });
  ASSERT_EQ(b.status, CommitStatus::kInserted);
  EXPECT_FALSE(b.ticket_created);
  EXPECT_EQ(b.ticket_id, a.ticket_id);
  EXPECT_EQ(b.ticket_reference, a.ticket_reference);
  EXPECT_EQ(b.outcome.kind, Kind::kFollowUp);
  EXPECT_EQ(b.outcome.reason, "In-Reply-To matches message " + std::to_string(a.message_id));

  // A reply to the reply, found through References only (oldest first) and in a second mailbox.
  auto third = mail("Re: Re: Question", "r2@example.com");
  third.references = {"unknown@example.com", "r1@example.com"};
  const auto c =
      store_.commitMessage(incoming("pop3:other:UIDL3", third, "third", "other"),
                           [&](ingest::ThreadLookup& l) { return threadOrNew(l, third); });
  EXPECT_EQ(c.ticket_id, a.ticket_id);

  EXPECT_EQ(count("SELECT count(*) FROM tickets"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM messages WHERE ticket_id = " + std::to_string(a.ticket_id)),
            3);
  EXPECT_EQ(db_.scalar("SELECT string_agg(type, ',' ORDER BY id) FROM events"),
            "ticket.created,message.added,message.added,message.added");
  EXPECT_EQ(db_.scalar("SELECT updated_at > created_at FROM tickets"), "t");
  EXPECT_EQ(
      db_.scalar("SELECT references_[1] FROM messages WHERE id = " + std::to_string(b.message_id)),
      "q1@example.com");
}

TEST_F(TicketStoreTest, RecordedMessageHasNoTicket) {
  const auto m = mail("Automatic reply: Question", "ooo@example.com");
  const auto result =
      store_.commitMessage(incoming("imap:support:7:9", m, "ooo"), [](ingest::ThreadLookup&) {
        Outcome o;
        o.kind = Kind::kRecorded;
        o.classification = ingest::Classification::kAutoReply;
        o.reason = "Auto-Submitted: auto-replied";
        return o;
      });
  ASSERT_EQ(result.status, CommitStatus::kInserted);
  EXPECT_EQ(result.ticket_id, 0);
  EXPECT_FALSE(result.ticket_created);
  EXPECT_EQ(count("SELECT count(*) FROM tickets"), 0);
  EXPECT_EQ(db_.scalar("SELECT (ticket_id IS NULL) || '|' || classification || '|' ||"
                       " decision_reason FROM messages"),
            "true|auto_reply|Auto-Submitted: auto-replied");
  EXPECT_EQ(
      db_.scalar("SELECT type || '|' || (ticket_id IS NULL) || '|' || message_id FROM events"),
      "message.added|true|" + std::to_string(result.message_id));
  EXPECT_EQ(store_.counts("support").ingested, 1);
}

TEST_F(TicketStoreTest, DuplicateContentUnderNewKeyBecomesAlias) {
  const auto m = mail("Hello", "dup@example.com");
  const auto original =
      store_.commitMessage(incoming("imap:support:7:5", m, "same bytes"), newTicket);
  ASSERT_EQ(original.status, CommitStatus::kInserted);

  // After a UIDVALIDITY change the same mail comes back under a new key.
  bool decided = false;
  const auto alias = store_.commitMessage(incoming("imap:support:8:1", m, "same bytes"),
                                          [&](ingest::ThreadLookup& l) {
                                            decided = true;
                                            return newTicket(l);
                                          });
  EXPECT_EQ(alias.status, CommitStatus::kDuplicateContent);
  EXPECT_FALSE(decided);
  EXPECT_EQ(alias.message_id, original.message_id);
  EXPECT_EQ(alias.ticket_id, original.ticket_id);
  EXPECT_EQ(alias.ticket_reference, original.ticket_reference);
  EXPECT_EQ(count("SELECT count(*) FROM messages"), 1);
  EXPECT_EQ(
      db_.scalar("SELECT message_id FROM source_aliases WHERE source_key = 'imap:support:8:1'"),
      std::to_string(original.message_id));
  EXPECT_EQ(store_.commitMessage(incoming("imap:support:8:1", m, "same bytes"), newTicket).status,
            CommitStatus::kAlreadyIngested);

  const auto keys =
      store_.accountedKeys({"imap:support:7:5", "imap:support:8:1", "imap:support:8:2"});
  EXPECT_EQ(std::set<std::string>(keys.begin(), keys.end()),
            (std::set<std::string>{"imap:support:7:5", "imap:support:8:1"}));
  EXPECT_TRUE(store_.accountedKeys({}).empty());

  // Not duplicates: other bytes, another mailbox, or no Message-ID to compare.
  EXPECT_EQ(store_.commitMessage(incoming("imap:support:8:2", m, "other bytes"), newTicket).status,
            CommitStatus::kInserted);
  EXPECT_EQ(
      store_.commitMessage(incoming("imap:sales:1:1", m, "same bytes", "sales"), newTicket).status,
      CommitStatus::kInserted);
  const auto anonymous = mail("No id", "");
  ASSERT_EQ(store_.commitMessage(incoming("imap:support:8:3", anonymous, "x"), newTicket).status,
            CommitStatus::kInserted);
  EXPECT_EQ(store_.commitMessage(incoming("imap:support:8:4", anonymous, "x"), newTicket).status,
            CommitStatus::kInserted);
}

TEST_F(TicketStoreTest, QuarantineIsIdempotentAndAccountsTheKey) {
  const std::string raw = allBytes();
  store_.quarantine("pop3:support:U1", "support", raw, "first error");
  store_.quarantine("pop3:support:U1", "support", raw, "second error");
  EXPECT_EQ(count("SELECT count(*) FROM quarantine"), 1);
  EXPECT_EQ(db_.scalar("SELECT attempts || '|' || error || '|' || (last_seen >= first_seen) ||"
                       " '|' || mailbox FROM quarantine"),
            "2|second error|true|support");
  EXPECT_EQ(db_.scalar("SELECT encode(raw, 'hex') FROM quarantine"), hex(raw));
  EXPECT_EQ(store_.accountedKeys({"pop3:support:U1", "pop3:support:U2"}),
            std::vector<std::string>{"pop3:support:U1"});

  const auto m = mail("Hello", "q@example.com");
  EXPECT_EQ(store_.commitMessage(incoming("pop3:support:U1", m, raw), newTicket).status,
            CommitStatus::kAlreadyIngested);
  EXPECT_EQ(count("SELECT count(*) FROM messages"), 0);
  const auto c = store_.counts("support");
  EXPECT_EQ(c.quarantined, 1);
  EXPECT_EQ(c.ingested, 0);
}

TEST_F(TicketStoreTest, CheckpointRoundTrip) {
  EXPECT_FALSE(store_.loadCheckpoint("support").has_value());
  store_.saveCheckpoint("support", {1234, 56});
  store_.saveCheckpoint("other", {1, 2});
  auto cp = store_.loadCheckpoint("support");
  ASSERT_TRUE(cp.has_value());
  EXPECT_EQ(cp->uidvalidity, 1234u);
  EXPECT_EQ(cp->last_uid, 56u);

  store_.saveCheckpoint("support", {4294967295u, 4294967294u});  // the largest 32-bit values
  cp = store_.loadCheckpoint("support");
  ASSERT_TRUE(cp.has_value());
  EXPECT_EQ(cp->uidvalidity, 4294967295u);
  EXPECT_EQ(cp->last_uid, 4294967294u);
  EXPECT_EQ(store_.loadCheckpoint("other")->last_uid, 2u);
  EXPECT_EQ(count("SELECT count(*) FROM mailbox_state"), 2);
}

TEST_F(TicketStoreTest, CountsPerMailboxInOneCall) {
  const auto m = mail("Hello", "");
  store_.commitMessage(incoming("imap:a:1:1", m, "1", "a"), newTicket);
  store_.commitMessage(incoming("imap:a:1:2", m, "2", "a"), newTicket);
  store_.commitMessage(incoming("imap:b:1:1", m, "3", "b"), newTicket);
  store_.quarantine("imap:b:1:2", "b", "broken", "parse error");

  const auto all = store_.countsByMailbox({"a", "b", "empty"});
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all.at("a").ingested, 2);
  EXPECT_EQ(all.at("a").quarantined, 0);
  EXPECT_EQ(all.at("b").ingested, 1);
  EXPECT_EQ(all.at("b").quarantined, 1);
  EXPECT_EQ(all.at("empty").ingested, 0);
  EXPECT_TRUE(store_.countsByMailbox({}).empty());
  EXPECT_EQ(store_.counts("a").ingested, 2);
}

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
            mime::sha256Hex(raw));
  EXPECT_EQ(db_.scalar("SELECT raw_sha256 FROM messages"), mime::sha256Hex(raw));
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
