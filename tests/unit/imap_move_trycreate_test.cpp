// after_ingest "move:X" into a folder that does not exist: the server answers [TRYCREATE]
// (RFC 3501 7.1); the source creates the folder once and moves again. When the server refuses to
// create it, the error names the folder (the worker shows it as the mailbox's last_error).

#include <gtest/gtest.h>

#include <string>

#include "connectors/imap/imap_source.hpp"
#include "connectors/net/errors.hpp"
#include "tests/support/scripted_stream.hpp"

namespace hd::imap {
namespace {

using source::AfterIngest;
using test::ScriptedStream;

std::string session(const std::string& capabilities) {
  return R"(
S: * OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR UIDPLUS] ready
C: A0001 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==
S: A0001 OK Logged in
C: A0002 CAPABILITY
S: * CAPABILITY )" +
         capabilities +
         R"(
S: A0002 OK done
C: A0003 SELECT INBOX
S: * 3 EXISTS
S: * OK [UIDVALIDITY 9] ok
S: * OK [UIDNEXT 20] ok
S: A0003 OK [READ-WRITE] done
)";
}

ImapSource moveSource(ScriptedStream& stream, const std::string& folder) {
  ImapSourceOptions o;
  o.mailbox_name = "support";
  o.endpoint = {"imap.example.com", 993, net::TlsMode::kImplicit};
  o.credentials = {net::Credentials::Method::kPassword, "alice", [] { return "secret"; }};
  o.after_ingest = {AfterIngest::Action::kMove, folder};
  return ImapSource(std::move(o),
                    [&stream](const net::Endpoint&) { return test::borrowStream(stream); });
}

std::vector<source::MessageRef> refs(const ImapSource& source, std::vector<std::uint64_t> uids) {
  std::vector<source::MessageRef> out;
  for (std::uint64_t uid : uids) {
    source::MessageRef ref;
    ref.uid = uid;
    ref.source_key = source.sourceKey(9, uid);
    out.push_back(ref);
  }
  return out;
}

TEST(ImapMoveTryCreate, MissingFolderIsCreatedThenTheMoveIsRepeated) {
  // Dovecot's wording.
  ScriptedStream stream(session("IMAP4rev1 UIDPLUS MOVE") + R"(
C: A0004 UID MOVE 5:6 Done
S: A0004 NO [TRYCREATE] Mailbox doesn't exist: Done
C: A0005 CREATE Done
S: A0005 OK Create completed.
C: A0006 UID MOVE 5:6 Done
S: * OK [COPYUID 1 5:6 1:2] Moved UIDs.
S: * 1 EXPUNGE
S: * 1 EXPUNGE
S: A0006 OK Move completed.
)");
  ImapSource source = moveSource(stream, "Done");
  source.open();
  source.acknowledge(refs(source, {5, 6}));
  EXPECT_TRUE(stream.finished()) << stream.pendingStep();
  stream.setStrictEnd(false);
}

TEST(ImapMoveTryCreate, WithoutMoveTheCopyIsRepeatedBeforeFlagAndExpunge) {
  // UW imapd 2007f (no MOVE) answers COPY into a missing folder like this.
  ScriptedStream stream(session("IMAP4rev1 UIDPLUS") + R"(
C: A0004 UID COPY 7 "Support Done"
S: A0004 NO [TRYCREATE] Can't access mailbox
C: A0005 CREATE "Support Done"
S: A0005 OK CREATE completed
C: A0006 UID COPY 7 "Support Done"
S: A0006 OK [COPYUID 3 7 1] COPY completed
C: A0007 UID STORE 7 +FLAGS.SILENT (\Deleted)
S: A0007 OK STORE completed
C: A0008 UID EXPUNGE 7
S: * 1 EXPUNGE
S: A0008 OK EXPUNGE completed
)");
  ImapSource source = moveSource(stream, "Support Done");
  source.open();
  source.acknowledge(refs(source, {7}));
  EXPECT_TRUE(stream.finished()) << stream.pendingStep();
  stream.setStrictEnd(false);
}

TEST(ImapMoveTryCreate, RefusedCreateFailsNamingTheFolderAndMovesNothing) {
  ScriptedStream stream(session("IMAP4rev1 UIDPLUS MOVE") + R"(
C: A0004 UID MOVE 5 Archive/2026
S: A0004 NO [TRYCREATE] Mailbox doesn't exist: Archive/2026
C: A0005 CREATE Archive/2026
S: A0005 NO [NOPERM] Permission denied
)");
  ImapSource source = moveSource(stream, "Archive/2026");
  source.open();
  try {
    source.acknowledge(refs(source, {5}));
    ADD_FAILURE() << "acknowledge succeeded without the folder";
  } catch (const net::CommandError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("\"Archive/2026\""), std::string::npos) << what;
    EXPECT_NE(what.find("refused to create"), std::string::npos) << what;
  }
  EXPECT_TRUE(stream.finished()) << stream.pendingStep();
  stream.setStrictEnd(false);
}

TEST(ImapMoveTryCreate, OtherRefusalsAreNotMistakenForAMissingFolder) {
  ScriptedStream stream(session("IMAP4rev1 UIDPLUS MOVE") + R"(
C: A0004 UID MOVE 5 Done
S: A0004 NO [OVERQUOTA] Quota exceeded
)");
  ImapSource source = moveSource(stream, "Done");
  source.open();
  EXPECT_THROW(source.acknowledge(refs(source, {5})), net::CommandError);
  EXPECT_TRUE(stream.finished()) << stream.pendingStep();  // no CREATE was sent
  stream.setStrictEnd(false);
}

}  // namespace
}  // namespace hd::imap
