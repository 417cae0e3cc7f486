// ImapSource over replayed dialogues: listing above the checkpoint, batched fetches, and each
// after-ingest action, including the fallbacks for servers without MOVE or UIDPLUS.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "connectors/imap/imap_source.hpp"
#include "connectors/net/errors.hpp"
#include "tests/support/scripted_stream.hpp"
#include "tests/support/test_env.hpp"

namespace hd::imap {
namespace {

using source::AfterIngest;
using test::ScriptedStream;

ImapSourceOptions options(AfterIngest::Action action, std::string folder = "") {
  ImapSourceOptions o;
  o.mailbox_name = "support";
  o.endpoint = {"imap.example.com", 993, net::TlsMode::kImplicit};
  o.credentials = {net::Credentials::Method::kPassword, "alice", [] { return "secret"; }};
  o.after_ingest = {action, std::move(folder)};
  return o;
}

ImapSource makeSource(ScriptedStream& stream, ImapSourceOptions o) {
  return ImapSource(std::move(o),
                    [&stream](const net::Endpoint&) { return test::borrowStream(stream); });
}

std::vector<std::uint64_t> uids(const std::vector<source::MessageRef>& refs) {
  std::vector<std::uint64_t> result;
  for (const auto& ref : refs) result.push_back(ref.uid);
  return result;
}

TEST(ImapSource, DovecotListAboveCheckpointFetchAckSeen) {
  ScriptedStream stream(test::readTestFile("transcripts/imap/dovecot_list_fetch_seen.txt"));
  ImapSource source = makeSource(stream, options(AfterIngest::Action::kSeen));
  source.open();

  const source::Listing listing = source.listPending({1712345678, 1});
  EXPECT_EQ(listing.uidvalidity, 1712345678u);
  ASSERT_EQ(uids(listing.pending), (std::vector<std::uint64_t>{2, 3, 4}));
  EXPECT_EQ(listing.pending[0].source_key, "imap:support:1712345678:2");
  EXPECT_EQ(listing.pending[0].size, 35u);
  EXPECT_EQ(listing.pending[1].size, 0u) << "listed by SEARCH, gone by FETCH: still pending";
  EXPECT_EQ(listing.pending[2].size, 24u);

  const std::vector<source::FetchedMessage> fetched = source.fetch(listing.pending);
  ASSERT_EQ(fetched.size(), 2u) << "UID 3 was not returned: simply missing";
  EXPECT_EQ(fetched[0].ref.uid, 2u);
  EXPECT_EQ(fetched[0].raw, "Subject: second\r\n\r\nHello, {world}\r\n");
  EXPECT_EQ(fetched[1].ref.source_key, "imap:support:1712345678:4");
  EXPECT_EQ(fetched[1].raw, "Subject: fourth\r\n\r\n) x\r\n");

  const std::vector<source::MessageRef> stored = {fetched[0].ref, fetched[1].ref};
  source.acknowledge(stored);
  source.close();
  EXPECT_TRUE(stream.finished()) << stream.pendingStep();
}

TEST(ImapSource, ExchangeXoauth2NewUidValidityMoveWithBareCopyUid) {
  ScriptedStream stream(test::readTestFile("transcripts/imap/exchange_xoauth2_move.txt"));
  ImapSourceOptions o = options(AfterIngest::Action::kMove, "Processed Items");
  o.credentials = {net::Credentials::Method::kXoauth2, "helpdesk@example.com",
                   [] { return "access-token"; }};
  ImapSource source = makeSource(stream, std::move(o));
  source.open();
  const source::Listing listing = source.listPending({13, 900});
  EXPECT_EQ(listing.uidvalidity, 14u);
  ASSERT_EQ(uids(listing.pending), (std::vector<std::uint64_t>{30, 31}));
  EXPECT_EQ(listing.pending[1].size, 2400u);
  source.acknowledge(listing.pending);
  source.close();
  EXPECT_TRUE(stream.finished()) << stream.pendingStep();
}

constexpr const char* kNoMoveSession = R"(
S: * OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR UIDPLUS] ready
C: A0001 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==
S: A0001 OK Logged in
C: A0002 CAPABILITY
S: * CAPABILITY IMAP4rev1 UIDPLUS
S: A0002 OK done
C: A0003 SELECT INBOX
S: * 3 EXISTS
S: * OK [UIDVALIDITY 9] ok
S: * OK [UIDNEXT 20] ok
S: A0003 OK [READ-WRITE] done
)";

std::vector<source::MessageRef> refsOf(const ImapSource& source, std::uint64_t uidvalidity,
                                       std::vector<std::uint64_t> list) {
  std::vector<source::MessageRef> refs;
  for (std::uint64_t uid : list) {
    source::MessageRef ref;
    ref.uid = uid;
    ref.source_key = source.sourceKey(uidvalidity, uid);
    refs.push_back(ref);
  }
  return refs;
}

TEST(ImapSource, MoveWithoutMoveCapabilityCopiesFlagsAndUidExpunges) {
  ScriptedStream stream(std::string(kNoMoveSession) + R"(
C: A0004 UID COPY 5:6,9 "Junk Email"
S: A0004 OK [COPYUID 9 5:6,9 1:3] Copy completed.
C: A0005 UID STORE 5:6,9 +FLAGS.SILENT (\Deleted)
S: A0005 OK Store completed.
C: A0006 UID EXPUNGE 5:6,9
S: * 3 EXPUNGE
S: * 2 EXPUNGE
S: * 1 EXPUNGE
S: A0006 OK Expunge completed.
)");
  ImapSource source = makeSource(stream, options(AfterIngest::Action::kMove, "Junk Email"));
  source.open();
  source.acknowledge(refsOf(source, 9, {9, 5, 6}));
  EXPECT_TRUE(stream.finished()) << stream.pendingStep();
  stream.setStrictEnd(false);
}

TEST(ImapSource, DeleteWithoutUidPlusFallsBackToExpunge) {
  ScriptedStream stream(R"(
S: * OK [CAPABILITY IMAP4rev1] ready
C: A0001 LOGIN alice secret
S: A0001 OK [CAPABILITY IMAP4rev1] Logged in
C: A0002 SELECT INBOX
S: * OK [UIDVALIDITY 9] ok
S: A0002 OK done
C: A0003 UID STORE 7 +FLAGS.SILENT (\Deleted)
S: A0003 OK done
C: A0004 EXPUNGE
S: * 1 EXPUNGE
S: A0004 OK done
)");
  ImapSource source = makeSource(stream, options(AfterIngest::Action::kDelete));
  source.open();
  source.acknowledge(refsOf(source, 9, {7}));
  EXPECT_TRUE(stream.finished()) << stream.pendingStep();
  stream.setStrictEnd(false);
}

TEST(ImapSource, DeleteWithUidPlusExpungesExactlyThoseUids) {
  ScriptedStream stream(std::string(kNoMoveSession) + R"(
C: A0004 UID STORE 4 +FLAGS.SILENT (\Deleted)
S: A0004 OK done
C: A0005 UID EXPUNGE 4
S: A0005 OK done
)");
  ImapSource source = makeSource(stream, options(AfterIngest::Action::kDelete));
  source.open();
  source.acknowledge(refsOf(source, 9, {4}));
  EXPECT_TRUE(stream.finished()) << stream.pendingStep();
  stream.setStrictEnd(false);
}

TEST(ImapSource, KeepSendsNothingAndCheckpointAboveHighestUidSearchesNothing) {
  ScriptedStream stream(std::string(kNoMoveSession) + R"(
C: A0004 SELECT INBOX
S: * 3 EXISTS
S: * OK [UIDVALIDITY 9] ok
S: * OK [UIDNEXT 20] ok
S: A0004 OK done
C: A0005 UID SEARCH UID 16:*
S: * SEARCH 15
S: A0005 OK done
)");
  ImapSource source = makeSource(stream, options(AfterIngest::Action::kKeep));
  source.open();
  source.acknowledge(refsOf(source, 9, {3}));
  // UIDNEXT 20 <= 20: nothing new, no SEARCH at all.
  EXPECT_TRUE(source.listPending({9, 19}).pending.empty());
  // "16:*" matches the highest UID 15 too (RFC 3501 6.4.8): filtered out, no size FETCH.
  EXPECT_TRUE(source.listPending({9, 15}).pending.empty());
  EXPECT_TRUE(stream.finished()) << stream.pendingStep();
  stream.setStrictEnd(false);
}

TEST(ImapSource, RefsOfAnotherUidValidityAreRefused) {
  ScriptedStream stream(kNoMoveSession);
  ImapSource source = makeSource(stream, options(AfterIngest::Action::kDelete));
  source.open();
  EXPECT_THROW(source.acknowledge(refsOf(source, 8, {4})), net::CommandError);
  EXPECT_THROW(source.fetch(refsOf(source, 8, {4})), net::CommandError);
  stream.setStrictEnd(false);
}

TEST(ImapSource, StartTlsModeRefusesServerWithoutStartTls) {
  ScriptedStream stream("S: * OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\n");
  ImapSourceOptions o = options(AfterIngest::Action::kSeen);
  o.endpoint.tls = net::TlsMode::kStartTls;
  ImapSource source = makeSource(stream, std::move(o));
  EXPECT_THROW(source.open(), net::TlsError);
  EXPECT_EQ(stream.written(), "") << "no credentials in clear text";
  stream.setStrictEnd(false);
}

// Batches are the pass's (service/pass_batches.hpp): the source sends one UID FETCH for what it
// is given, whatever the announced sizes, and ignores answers for UIDs it did not ask for.
TEST(ImapSource, FetchIsOneCommandForTheGivenRefs) {
  ScriptedStream stream(std::string(kNoMoveSession) + R"(
C: A0004 UID FETCH 1:3 (UID RFC822.SIZE BODY.PEEK[])
S: * 1 FETCH (UID 1 BODY[] {3}
S: a
S: )
S: * 2 FETCH (UID 2 BODY[] "b")
S: * 3 FETCH (FLAGS (\Seen) UID 3)
S: * 7 FETCH (UID 7 BODY[] "not asked for")
S: * 3 FETCH (UID 3 BODY[] "c")
S: A0004 OK done
)");
  ImapSource source = makeSource(stream, options(AfterIngest::Action::kSeen));
  source.open();
  std::vector<source::MessageRef> refs = refsOf(source, 9, {1, 2, 3});
  refs[0].size = 90'000'000;
  refs[1].size = 60'000'000;
  refs[2].size = 40'000'000;
  const auto fetched = source.fetch(refs);
  ASSERT_EQ(fetched.size(), 3u);
  EXPECT_EQ(fetched[0].raw, "a\r\n");
  EXPECT_EQ(fetched[1].raw, "b");
  EXPECT_EQ(fetched[2].raw, "c");
  EXPECT_TRUE(stream.finished()) << stream.pendingStep();
  stream.setStrictEnd(false);
}

// A body larger than the limit (although listed small) is drained and reported by its size; an
// empty literal for a message listed with bytes comes back empty for the pass to judge; the
// header of the large one is fetched with PEEK and capped, without touching the message.
TEST(ImapSource, OversizeBodyIsDrainedAndItsHeaderFetchedWithoutTouchingIt) {
  ScriptedStream stream(
      test::readTestFile("transcripts/imap/dovecot_oversize_and_broken_fetch.txt"));
  ImapSourceOptions o = options(AfterIngest::Action::kDelete);
  o.limits.max_message_size = 64;
  ImapSource source = makeSource(stream, std::move(o));
  source.open();
  const source::Listing listing = source.listPending({});
  ASSERT_EQ(uids(listing.pending), (std::vector<std::uint64_t>{1, 2, 3, 4}));
  EXPECT_EQ(listing.pending[1].size, 20u);

  const auto fetched = source.fetch(listing.pending);
  ASSERT_EQ(fetched.size(), 4u);
  EXPECT_EQ(fetched[0].raw, "Subject: first\r\n\r\nok 1\r\n");
  EXPECT_EQ(fetched[1].ref.uid, 2u);
  EXPECT_EQ(fetched[1].raw, "") << "never kept";
  EXPECT_EQ(fetched[1].over_limit_size, 100u);
  EXPECT_EQ(fetched[2].ref.uid, 3u);
  EXPECT_EQ(fetched[2].raw, "");
  EXPECT_EQ(fetched[2].over_limit_size, 0u);
  EXPECT_EQ(fetched[3].raw, "Subject: fourth\r\n\r\nok 4\r\n");

  const auto headers = source.fetchHeaders({&listing.pending[1], 1}, 16);
  ASSERT_EQ(headers.size(), 1u);
  EXPECT_EQ(headers[0].ref.source_key, "imap:support:1712345678:2");
  EXPECT_EQ(headers[0].raw, "Subject: second\r") << "capped at the bound asked for";
  source.close();
  EXPECT_TRUE(stream.finished()) << stream.pendingStep();
}

TEST(ImapSource, AConnectionLostMidLiteralFailsTheFetchInsteadOfReturningAShortMessage) {
  ScriptedStream stream(test::readTestFile("transcripts/imap/dovecot_cut_mid_literal.txt"));
  ImapSource source = makeSource(stream, options(AfterIngest::Action::kDelete));
  source.open();
  const source::Listing listing = source.listPending({});
  ASSERT_EQ(listing.pending.size(), 1u);
  EXPECT_THROW(source.fetch(listing.pending), net::NetworkError);
  EXPECT_TRUE(stream.finished()) << stream.pendingStep();
  stream.setStrictEnd(false);
}

}  // namespace
}  // namespace hd::imap
