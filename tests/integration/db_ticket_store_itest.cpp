// TicketStore against a real PostgreSQL (deploy/local.sh), each test in its own scratch database:
// what commitMessage writes, replays, threading, aliases, quarantine, checkpoints and counts.

#include <Poco/AutoPtr.h>
#include <Poco/Channel.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>
#include <gtest/gtest.h>

#include <chrono>
#include <set>

#include "tests/integration/db_store_fixture.hpp"

namespace hd::db {
namespace {

using namespace itest;

// The parser leaves out the decoded bytes of an attachment it describes as a span of the raw
// message; one that arrives without its bytes and without a span is a bug upstream, and is
// refused, never stored as fewer bytes than its size says.
TEST_F(TicketStoreTest, AnAttachmentWithoutItsBytesOrASpanIsRefusedNotStoredShort) {
  auto m = mail("Scan", "scan@example.com");
  mime::Attachment attachment;
  attachment.filename = "scan.pdf";
  attachment.content_type = "application/pdf";
  attachment.size = 70'000;  // content left out, no base64_in_raw
  attachment.sha256_hex = std::string(64, 'a');
  m.attachments = {attachment};
  EXPECT_THROW(store_.commitMessage(incoming("imap:support:7:1", m, allBytes()), newTicket),
               std::exception);
  EXPECT_EQ(count("SELECT count(*) FROM attachments"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM messages"), 0);
}

TEST_F(TicketStoreTest, CommitsNewTicketWithAllRows) {
  auto m = mail("Printer on fire", "first@example.com");
  m.html_body = "<p>Hello</p>";
  m.text_body = "Hello\n> quoted";
  m.text_body_new = "Hello";
  m.date = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
  mime::Attachment attachment;
  attachment.filename = "log.bin";
  attachment.content_type = "application/octet-stream";
  attachment.content = std::string("\0\x01\xFF\x80 binary", 10);
  attachment.size = attachment.content.size();
  m.attachments = {attachment};
  const std::string raw = allBytes();
  auto in = incoming("imap:support:7:1", m, raw);
  in.warnings = {{.kind = mime::WarningKind::kMissingBoundary, .detail = "mixed", .offset = 120}};

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
                       " body_text || '|' || body_text_new || '|' || body_html || '|' ||"
                       " classification || '|' ||"
                       " decision_reason || '|' || raw_size FROM messages WHERE id = " +
                       message),
            ticket +
                "|imap:support:7:1|first@example.com|Printer on fire|jane@example.com|"
                "Jane Doe|Hello\n> quoted|Hello|<p>Hello</p>|customer|new conversation|" +
                std::to_string(raw.size()));
  EXPECT_EQ(db_.scalar("SELECT to_addresses->0->>'address' FROM messages"), "support@example.com");
  EXPECT_EQ(db_.scalar("SELECT warnings->>0 FROM messages"),
            "malformed multipart (missing boundary): mixed (at byte 120)");
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
            "log.bin|application/octet-stream|10|" + hex(attachment.content.memory()) + "|true");

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

// Commits `in`, which must become an alias of `original` without decide() being asked.
void expectAliasOf(TicketStore& store, const IncomingMessage& in, const CommitResult& original) {
  bool decided = false;
  const auto alias = store.commitMessage(in, [&](ingest::ThreadLookup& l) {
    decided = true;
    return newTicket(l);
  });
  EXPECT_EQ(alias.status, CommitStatus::kDuplicateContent);
  EXPECT_FALSE(decided);
  EXPECT_EQ(alias.message_id, original.message_id);
  EXPECT_EQ(alias.ticket_id, original.ticket_id);
  EXPECT_EQ(alias.ticket_reference, original.ticket_reference);
}

TEST_F(TicketStoreTest, DuplicateContentUnderNewKeyBecomesAlias) {
  const auto m = mail("Hello", "dup@example.com");
  const auto original =
      store_.commitMessage(incoming("imap:support:7:5", m, "same bytes"), newTicket);
  ASSERT_EQ(original.status, CommitStatus::kInserted);

  // After a UIDVALIDITY change the same mail comes back under a new key.
  expectAliasOf(store_, incoming("imap:support:8:1", m, "same bytes"), original);
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

  // Not duplicates: other bytes, or another mailbox. (Mail without a Message-ID is compared by
  // its bytes as well: see the next test.)
  EXPECT_EQ(store_.commitMessage(incoming("imap:support:8:2", m, "other bytes"), newTicket).status,
            CommitStatus::kInserted);
  EXPECT_EQ(
      store_.commitMessage(incoming("imap:sales:1:1", m, "same bytes", "sales"), newTicket).status,
      CommitStatus::kInserted);
  EXPECT_EQ(count("SELECT count(*) FROM messages"), 3);
}

// Issue 11: the bytes alone decide, so mail without a Message-ID is no second ticket after a
// UIDVALIDITY change either.
TEST_F(TicketStoreTest, MailWithoutAMessageIdUnderANewKeyBecomesAliasByItsBytes) {
  const auto anonymous = mail("No id", "");
  const auto original =
      store_.commitMessage(incoming("imap:support:8:3", anonymous, "x"), newTicket);
  ASSERT_EQ(original.status, CommitStatus::kInserted);
  ASSERT_GT(original.ticket_id, 0);

  expectAliasOf(store_, incoming("imap:support:9:1", anonymous, "x"), original);
  EXPECT_EQ(count("SELECT count(*) FROM tickets"), 1);
  EXPECT_EQ(db_.scalar("SELECT string_agg(a.source_key, ',') FROM source_aliases a"
                       " JOIN messages m ON m.id = a.message_id WHERE m.source_key = "
                       "'imap:support:8:3'"),
            "imap:support:9:1");

  // Still not duplicates: other bytes, or another mailbox.
  EXPECT_EQ(store_.commitMessage(incoming("imap:support:9:2", anonymous, "y"), newTicket).status,
            CommitStatus::kInserted);
  EXPECT_EQ(
      store_.commitMessage(incoming("imap:sales:1:1", anonymous, "x", "sales"), newTicket).status,
      CommitStatus::kInserted);
  EXPECT_EQ(count("SELECT count(*) FROM tickets"), 3);
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

}  // namespace
}  // namespace hd::db

namespace hd::db {
namespace {

using namespace itest;

// Collects what a logger writes, to check the text of log lines.
class CapturingChannel : public Poco::Channel {
 public:
  void log(const Poco::Message& message) override { lines.push_back(message.getText()); }
  std::vector<std::string> lines;
};

// Regression: "%Ld" with a long long printed "[ERRFMT]" instead of the message id.
TEST_F(TicketStoreTest, CommitLogLinesNameTheMessageId) {
  auto& logger = Poco::Logger::get("hd.db");
  Poco::AutoPtr<CapturingChannel> capture(new CapturingChannel);
  Poco::AutoPtr<Poco::Channel> previous_channel(logger.getChannel(), true);
  const int previous_level = logger.getLevel();
  logger.setChannel(capture);
  logger.setLevel(Poco::Message::PRIO_DEBUG);
  const auto result =
      store_.commitMessage(incoming("imap:support:7:99", mail("Logged", "logged@example.com"), "x"),
                           [](ingest::ThreadLookup&) { return Outcome{}; });
  logger.setChannel(previous_channel);
  logger.setLevel(previous_level);

  ASSERT_EQ(result.status, CommitStatus::kInserted);
  ASSERT_FALSE(capture->lines.empty());
  const std::string& line = capture->lines.back();
  EXPECT_NE(line.find("stored as message " + std::to_string(result.message_id)), std::string::npos)
      << line;
  EXPECT_EQ(line.find("ERRFMT"), std::string::npos) << line;
}

}  // namespace
}  // namespace hd::db
