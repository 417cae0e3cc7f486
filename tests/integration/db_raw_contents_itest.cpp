// RawContents (db/raw_contents.hpp, migration 0015) on a real PostgreSQL: raw bytes written ahead
// of their batch's transaction are named by its commit and read back by the API's reader, found
// again (never stored twice) by a retry, never named by a commit without being there, and deleted
// once nothing names them for long enough.

#include "db/raw_contents.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "connectors/mime/parse.hpp"
#include "connectors/spill/bytes.hpp"
#include "db/read_connection.hpp"
#include "db/ticket_reader.hpp"
#include "tests/integration/db_store_fixture.hpp"
#include "tests/support/proc_stat.hpp"

namespace hd::db::itest {
namespace {

const std::string kMailWithAttachment =
    "From: Jane <jane@example.com>\r\nTo: support@example.com\r\nSubject: scan\r\n"
    "Message-ID: <scan@example.com>\r\nMIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
    "--b\r\nContent-Type: text/plain\r\n\r\nSee the scan.\r\n"
    "--b\r\nContent-Type: application/pdf; name=scan.pdf\r\n"
    "Content-Disposition: attachment; filename=scan.pdf\r\nContent-Transfer-Encoding: base64\r\n"
    "\r\nJVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFI+PgpzdHJlYW0K\r\n--b--\r\n";

std::string plainMail(int n) {
  return "From: Jane <jane@example.com>\r\nTo: support@example.com\r\nSubject: question " +
         std::to_string(n) + "\r\nMessage-ID: <q" + std::to_string(n) +
         "@example.com>\r\n\r\nPlease help.\r\n";
}

// A mail of about `bytes`, its body lines numbered so that no two mails are the same content.
std::string largeMail(int n, std::size_t bytes) {
  std::string mail = "From: Jane <jane@example.com>\r\nTo: support@example.com\r\nSubject: log " +
                     std::to_string(n) + "\r\nMessage-ID: <log" + std::to_string(n) +
                     "@example.com>\r\n\r\n";
  for (int line = 0; mail.size() < bytes; ++line) {
    mail += "mail " + std::to_string(n) + " line " + std::to_string(line) +
            ": the quick brown fox jumps over the lazy dog\r\n";
  }
  return mail;
}

class RawContentsTest : public TicketStoreTest {
 protected:
  // `raw` parsed and its SHA-256 taken, as the pass's ingest step does.
  IncomingMessage prepared(const std::string& key, const spill::Bytes& raw) {
    parsed_.push_back(std::make_unique<mime::ParseResult>(mime::parseBytes(raw)));
    IncomingMessage in = incoming(key, parsed_.back()->message, "");
    in.raw = raw;
    in.raw_sha256 = spill::sha256Hex(raw);
    return in;
  }

  std::vector<bool> writeAhead(std::vector<IncomingMessage>& batch) {
    const std::vector<bool> written = raw_contents_.writeAhead(batch);
    for (std::size_t i = 0; i < batch.size(); ++i) batch[i].raw_written_ahead = written[i];
    return written;
  }

  // Every timestamp the sweep compares moves back, as if `days` went by.
  void daysGoBy(int days) {
    const std::string by = "interval '" + std::to_string(days) + " days'";
    db_.scalar("UPDATE raw_contents SET written_at = written_at - " + by + " RETURNING 1");
    db_.scalar("UPDATE raw_contents_sweep SET horizon = horizon - " + by + " RETURNING 1");
  }

  // One sweep, as "examined/deleted".
  std::string sweep() {
    const UnnamedSweep done = raw_contents_.deleteUnnamed(kKeepUnnamed);
    return std::to_string(done.examined) + "/" + std::to_string(done.deleted);
  }

  std::string shas() {
    return db_.scalar(
        "SELECT coalesce(string_agg(sha256, ',' ORDER BY sha256), '')"
        " FROM raw_contents");
  }

  std::vector<std::unique_ptr<mime::ParseResult>> parsed_;
  RawContents raw_contents_{db_.url()};
  ReadConnection read_connection_{db_.url()};
  TicketReader reader_{read_connection_};
};

TEST_F(RawContentsTest, TheCommitNamesBytesWrittenAheadAndTheReaderReadsThem) {
  std::vector<IncomingMessage> batch{prepared("imap:support:7:1", kMailWithAttachment)};
  ASSERT_EQ(writeAhead(batch), std::vector<bool>{true});
  const CommitResult stored = store_.commitMessage(batch[0], newTicket);
  ASSERT_EQ(stored.status, CommitStatus::kInserted);
  const std::string id = std::to_string(stored.message_id);
  // The row names the bytes instead of holding them; they are stored once, exactly.
  EXPECT_EQ(db_.scalar("SELECT (raw IS NULL) || '|' || content_sha256 FROM raw_messages"
                       " WHERE message_id = " +
                       id),
            "true|" + batch[0].raw_sha256);
  EXPECT_EQ(db_.scalar("SELECT encode(raw, 'hex') FROM raw_contents"), hex(kMailWithAttachment));
  // GET /api/v1/messages/{id}/raw
  const auto raw = reader_.rawMessage(stored.message_id);
  ASSERT_TRUE(raw && raw->inline_bytes);
  EXPECT_EQ(*raw->inline_bytes, kMailWithAttachment);
  // GET /api/v1/attachments/{id}: a base64 span of those bytes.
  const auto attachment = reader_.attachment(
      std::stoll(db_.scalar("SELECT id FROM attachments WHERE message_id = " + id)));
  ASSERT_TRUE(attachment && attachment->content.base64_of_raw);
  const Base64Span& span = *attachment->content.base64_of_raw;
  EXPECT_FALSE(span.raw_in_chunks);
  const auto encoded = reader_.rawSpan(span, span.offset, span.length);
  ASSERT_TRUE(encoded);
  EXPECT_EQ(*encoded, std::string(kMailWithAttachment).substr(span.offset, span.length));
  EXPECT_NE(encoded->find("JVBERi0xLjQK"), std::string::npos);
}

TEST_F(RawContentsTest, WritingTheSameBytesAgainStoresThemOnceAndRenewsTheirTime) {
  std::vector<IncomingMessage> first{prepared("imap:support:7:1", plainMail(1))};
  writeAhead(first);
  db_.scalar("UPDATE raw_contents SET written_at = now() - interval '2 days' RETURNING 1");
  // A retry after a crash, and a copy under another key in the same call.
  std::vector<IncomingMessage> again{prepared("imap:support:7:1", plainMail(1)),
                                     prepared("imap:support:7:2", plainMail(1))};
  EXPECT_EQ(writeAhead(again), (std::vector<bool>{true, true}));
  EXPECT_EQ(count("SELECT count(*) FROM raw_contents"), 1);
  EXPECT_EQ(db_.scalar("SELECT written_at > now() - interval '1 hour' FROM raw_contents"), "t");
}

TEST_F(RawContentsTest, OnlyParsedMessagesHeldInMemoryWithTheirSha256GoAhead) {
  std::vector<IncomingMessage> batch{
      prepared("imap:support:7:1", plainMail(1)), prepared("imap:support:7:2", plainMail(2)),
      prepared("imap:support:7:3", plainMail(3)), prepared("imap:support:7:4", spilledBytes(4096)),
      prepared("imap:support:7:5", plainMail(5))};
  batch[1].parsed = nullptr;  // to quarantine
  batch[2].raw_sha256.clear();
  batch[4].left_on_server = true;
  EXPECT_EQ(writeAhead(batch), (std::vector<bool>{true, false, false, false, false}));
  EXPECT_EQ(shas(), batch[0].raw_sha256);
}

TEST_F(RawContentsTest, AStatementHoldsAtMostTenMessagesOrOneMebibyteOfBytes) {
  // Each statement of the call's transaction has its own command id (cmin): rows per statement.
  const auto rowsPerStatement = [&] {
    return db_.scalar(
        "SELECT string_agg(n::text, ',' ORDER BY cmin) FROM (SELECT"
        " cmin::text::int AS cmin, count(*) AS n FROM raw_contents GROUP BY 1) s");
  };
  std::vector<IncomingMessage> many;
  for (int i = 1; i <= 23; ++i) {
    many.push_back(prepared("imap:support:7:" + std::to_string(i), plainMail(i)));
  }
  writeAhead(many);
  EXPECT_EQ(rowsPerStatement(), "10,10,3");

  db_.scalar("DELETE FROM raw_contents RETURNING 1");
  // 600 KiB each: two would pass 1 MiB, so each goes alone; one bigger than 1 MiB goes alone too.
  std::vector<IncomingMessage> big;
  for (int i = 1; i <= 3; ++i) {
    big.push_back(prepared("imap:support:8:" + std::to_string(i),
                           plainMail(i) + std::string(600 * 1024, 'a' + i)));
  }
  big.push_back(prepared("imap:support:8:4", plainMail(4) + std::string(1536 * 1024, 'z')));
  big.push_back(prepared("imap:support:8:5", plainMail(5)));
  big.push_back(prepared("imap:support:8:6", plainMail(6)));
  EXPECT_EQ(writeAhead(big), std::vector<bool>(6, true));
  EXPECT_EQ(rowsPerStatement(), "1,1,1,1,2");
  EXPECT_EQ(
      count("SELECT sum(octet_length(raw)) FROM raw_contents"),
      static_cast<long long>(3 * 600 * 1024 + 1536 * 1024 + plainMail(1).size() * 3 +
                             plainMail(4).size() + plainMail(5).size() + plainMail(6).size()));
}

TEST_F(RawContentsTest, BytesNothingNamesAreDeletedOnceOldNamedAndRecentOnesAreKept) {
  std::vector<IncomingMessage> named{prepared("imap:support:7:1", plainMail(1))};
  writeAhead(named);
  ASSERT_EQ(store_.commitMessage(named[0], newTicket).status, CommitStatus::kInserted);
  std::vector<IncomingMessage> orphan{prepared("imap:support:7:2", plainMail(2))};
  writeAhead(orphan);
  daysGoBy(2);
  std::vector<IncomingMessage> recent{prepared("imap:support:7:3", plainMail(3))};
  writeAhead(recent);

  EXPECT_EQ(sweep(), "2/1");
  std::vector<std::string> kept{named[0].raw_sha256, recent[0].raw_sha256};
  std::sort(kept.begin(), kept.end());
  EXPECT_EQ(shas(), kept[0] + "," + kept[1]);
  // The named message still reads whole.
  const auto raw = reader_.rawMessage(std::stoll(db_.scalar("SELECT min(id) FROM messages")));
  ASSERT_TRUE(raw && raw->inline_bytes);
  EXPECT_EQ(*raw->inline_bytes, plainMail(1));
}

// The sweep's cost follows the mail of the last interval, not the size of the table: rows a sweep
// has examined (nearly all of them named for good) are not examined again.
TEST_F(RawContentsTest, ASweepExaminesOnlyTheRowsThatBecameOldSinceTheSweepBefore) {
  std::vector<IncomingMessage> first{prepared("imap:support:7:1", plainMail(1)),
                                     prepared("imap:support:7:2", plainMail(2)),
                                     prepared("imap:support:7:3", plainMail(3))};
  writeAhead(first);
  for (std::size_t i = 0; i < 2; ++i) {
    ASSERT_EQ(store_.commitMessage(first[i], newTicket).status, CommitStatus::kInserted);
  }
  daysGoBy(2);
  EXPECT_EQ(sweep(), "3/1");
  EXPECT_EQ(sweep(), "0/0") << "the named rows were examined by the sweep before";

  std::vector<IncomingMessage> later{prepared("imap:support:7:4", plainMail(4))};
  writeAhead(later);
  daysGoBy(2);
  EXPECT_EQ(sweep(), "1/1") << "only the row written since";
  EXPECT_EQ(count("SELECT count(*) FROM raw_contents"), 2);
}

// The sweep runs after a write, the first of the process and then at most once an interval.
TEST_F(RawContentsTest, TheFirstWriteSweepsAndTheNextWithinTheIntervalDoesNot) {
  std::vector<IncomingMessage> orphan{prepared("imap:support:7:1", plainMail(1))};
  writeAhead(orphan);
  EXPECT_EQ(count("SELECT count(*) FROM raw_contents_sweep"), 1) << "the first write swept";
  daysGoBy(2);
  std::vector<IncomingMessage> next{prepared("imap:support:7:2", plainMail(2))};
  writeAhead(next);
  EXPECT_EQ(count("SELECT count(*) FROM raw_contents"), 2) << "no second sweep within the hour";
  EXPECT_EQ(sweep(), "1/1") << "the orphan was due";
}

// Bytes written again (a retry of a batch that never committed) move above the horizon: the sweep
// leaves them while they are recent and takes them once they are old and still unnamed.
TEST_F(RawContentsTest, BytesWrittenAgainAreExaminedAgainOnceOld) {
  std::vector<IncomingMessage> batch{prepared("imap:support:7:1", plainMail(1))};
  writeAhead(batch);
  daysGoBy(2);
  writeAhead(batch);  // the retry renews their time
  EXPECT_EQ(sweep(), "0/0");
  EXPECT_EQ(count("SELECT count(*) FROM raw_contents"), 1);

  daysGoBy(2);
  EXPECT_EQ(sweep(), "1/1");
  EXPECT_EQ(count("SELECT count(*) FROM raw_contents"), 0);
}

TEST_F(RawContentsTest, ACommitNamingBytesThatAreNotThereKeepsTheMessageInQuarantine) {
  // A bug that sets the flag without the write: the foreign key refuses the row, and the message
  // is quarantined with its bytes rather than stored without them.
  std::vector<IncomingMessage> batch{prepared("imap:support:7:1", plainMail(1))};
  batch[0].raw_written_ahead = true;
  const auto results = store_.commitBatch(
      batch, [](std::size_t, ingest::ThreadLookup& lookup) { return newTicket(lookup); },
      OnRefused::kQuarantine);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].kind, BatchEntryResult::Kind::kQuarantined);
  EXPECT_EQ(results[0].sqlstate, "23503");
  EXPECT_EQ(count("SELECT count(*) FROM messages"), 0);
  EXPECT_EQ(db_.scalar("SELECT encode(raw, 'hex') FROM quarantine"), hex(plainMail(1)));
}

// db/large_value_session.hpp: the backend keeps the memory of one large statement for the next.
// Without the session setup each megabyte statement's memory was faulted in again, page by page
// (2,239 faults for the 1,953 pages written here); with it, 343. Counted, not timed.
TEST_F(RawContentsTest, TheBackendKeepsItsMemoryFromOneLargeStatementToTheNext) {
  constexpr std::size_t kMailBytes = 1000 * 1000;
  constexpr int kMails = 8;
  auto batch = [&](int first) {
    std::vector<IncomingMessage> mails;
    for (int n = first; n < first + kMails; ++n) {
      mails.push_back(prepared("imap:INBOX:1:" + std::to_string(n), largeMail(n, kMailBytes)));
    }
    return mails;
  };
  auto warm_up = batch(0);  // opens the session and touches the shared buffers it writes through
  ASSERT_EQ(writeAhead(warm_up), std::vector<bool>(kMails, true));
  const std::string pid = db_.scalar(
      "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
      " AND application_name = 'helpdesk-ingest raw'");
  ASSERT_FALSE(pid.empty()) << "no session of the raw bytes connection";
  const auto before = test::readProcStat(pid);
  if (!before) GTEST_SKIP() << "PostgreSQL's backend " << pid << " is not on this host";

  auto measured = batch(kMails);
  ASSERT_EQ(writeAhead(measured), std::vector<bool>(kMails, true));
  const auto after = test::readProcStat(pid);
  ASSERT_TRUE(after) << "backend " << pid << " ended";
  const long faults = static_cast<long>(after->minor_faults - before->minor_faults);
  const long pages_written = static_cast<long>(kMails * kMailBytes / 4096);
  EXPECT_LT(faults, pages_written / 2)
      << faults << " page faults for " << pages_written << " pages of mail written";
}

}  // namespace
}  // namespace hd::db::itest
