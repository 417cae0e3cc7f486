// Parts bombs (issue 12): 8 MiB mails of empty MIME parts, their boundary parameter spelt every
// way an attacker would. Before the part limit held for every spelling, "BOUNDARY=SS" took a
// --once to 1.4 GB. Each bomb goes through the real binary over IMAPS from Dovecot and must end
// in quarantine, with the --once's peak RSS (getrusage of the child) under 256 MB.

#include <gtest/gtest.h>

#include <iostream>
#include <string>

#include "tests/support/test_env.hpp"

namespace hd::test {
namespace {

constexpr std::size_t kBombBytes = 8 * 1024 * 1024;
constexpr long kMaxRssKb = 256 * 1024;

// A message whose header block ends in `content_type` and whose body is empty parts ("--SS" and
// an empty line: each becomes a part object in GMime) up to kBombBytes; `prefix` comes between the header block and the parts (for nested multiparts).
std::string bomb(const std::string& content_type, const std::string& prefix = "") {
  std::string raw =
      "From: attacker@example.com\r\nTo: support@example.com\r\nSubject: bomb\r\n"
      "Message-ID: <bomb@example.com>\r\n" +
      content_type + "\r\n\r\n" + prefix;
  raw.reserve(kBombBytes + 64);
  while (raw.size() < kBombBytes) raw += "--SS\r\n\r\n";
  return raw + "--SS--\r\n";
}

std::string configJson(const ScratchDatabase& db, const TestMailbox& box) {
  const auto& env = TestEnv::get();
  return R"({"database": {"url": ")" + db.url() + R"("}, "log": {"level": "warning"},
    "mailboxes": [{"name": "bomb", "protocol": "imap", "host": ")" +
         env.mail_host + R"(", "port": )" + std::to_string(env.imaps_port) + R"(, "ca_file": ")" +
         env.ca_file + R"(", "username": ")" + box.user() + R"(", "password": ")" +
         env.mail_password + R"(", "after_ingest": "seen"}]})";
}

struct Spelling {
  const char* name;
  std::string content_type;
  std::string prefix;
};

class MimePartsBomb : public testing::TestWithParam<Spelling> {};

TEST_P(MimePartsBomb, IsQuarantinedWithinTheMemoryBound) {
  ScratchDatabase db;
  TestMailbox box("bomb");
  box.deliver(bomb(GetParam().content_type, GetParam().prefix));
  TempFile config(configJson(db, box));
  const ProcessResult run = runService({"--config", config.path(), "--once"}, {}, 600);
  std::cout << "[ figures  ] " << GetParam().name << ": peak RSS " << run.max_rss_kb / 1024
            << " MB for an 8 MiB bomb\n";
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_LT(run.max_rss_kb, kMaxRssKb) << "peak RSS " << run.max_rss_kb << " kB";
  EXPECT_EQ(db.scalar("SELECT count(*) FROM messages"), "0");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM quarantine WHERE error LIKE '%MIME parts%'"), "1")
      << db.scalar("SELECT string_agg(error, ' | ') FROM quarantine");
}

INSTANTIATE_TEST_SUITE_P(
    EverySpelling, MimePartsBomb,
    testing::Values(
        Spelling{"UpperCase", "Content-Type: multipart/mixed; BOUNDARY=SS", ""},
        Spelling{"SpacesAroundEquals", "Content-Type: multipart/mixed; boundary = \"SS\"", ""},
        Spelling{"Rfc2231Continuation", "Content-Type: multipart/mixed; boundary*0=S; boundary*1=S",
                 ""},
        Spelling{"Rfc2231Charset", "Content-Type: multipart/mixed; boundary*=utf-8''SS", ""},
        Spelling{"Folded", "Content-Type: multipart/mixed;\r\n\tBoundary\r\n =SS", ""},
        Spelling{"Nested", "Content-Type: multipart/mixed; boundary=outer",
                 "--outer\r\nContent-Type: multipart/mixed; BOUNDARY=SS\r\n\r\n"}),
    [](const testing::TestParamInfo<Spelling>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace hd::test
