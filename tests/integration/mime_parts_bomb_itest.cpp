// Parts bombs (issue 12): 8 MiB mails of empty MIME parts, their boundary parameter spelt every
// way an attacker would, and of header fields or Content-Type parameters (as costly in GMime).
// Before the part limit held for every spelling, "BOUNDARY=SS" took a
// --once to 1.4 GB. Each bomb goes through the real binary over IMAPS from Dovecot and must end
// in quarantine, with the --once's peak RSS (getrusage of the child) under 256 MB.

#include <gtest/gtest.h>

#include <iostream>
#include <string>

#include "tests/support/memory_bounds.hpp"
#include "tests/support/test_env.hpp"

namespace hd::test {
namespace {

constexpr std::size_t kBombBytes = 8 * 1024 * 1024;
constexpr long kMaxRssKb = 256 * 1024;

// A message: the common header fields, `head`, then `unit` repeated up to kBombBytes, `tail`.
std::string bomb(const std::string& head, const std::string& unit, const std::string& tail) {
  std::string raw =
      "From: attacker@example.com\r\nTo: support@example.com\r\nSubject: bomb\r\n"
      "Message-ID: <bomb@example.com>\r\n" +
      head;
  raw.reserve(kBombBytes + tail.size() + unit.size());
  while (raw.size() < kBombBytes) raw += unit;
  return raw + tail;
}

std::string configJson(const ScratchDatabase& db, const TestMailbox& box) {
  const auto& env = TestEnv::get();
  return R"({"database": {"url": ")" + db.url() + R"("}, "log": {"level": "warning"},
    "mailboxes": [{"name": "bomb", "protocol": "imap", "host": ")" +
         env.mail_host + R"(", "port": )" + std::to_string(env.imaps_port) + R"(, "ca_file": ")" +
         env.ca_file + R"(", "username": ")" + box.user() + R"(", "password": ")" +
         env.mail_password + R"(", "after_ingest": "seen"}]})";
}

struct Bomb {
  const char* name;
  std::string head;
  std::string unit;
  std::string tail;
  const char* error;  // what the quarantine entry must say
};

void PrintTo(const Bomb& bomb, std::ostream* out) {
  *out << bomb.name;
}

// Empty parts ("--SS" and an empty line: each one an object in GMime) after `content_type`.
Bomb partsBomb(const char* name, const std::string& content_type, const std::string& prefix = "") {
  return {name, content_type + "\r\n\r\n" + prefix, "--SS\r\n\r\n", "--SS--\r\n", "MIME parts"};
}

constexpr const char* kOnePart = "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n";

class MimePartsBomb : public testing::TestWithParam<Bomb> {};

TEST_P(MimePartsBomb, IsQuarantinedWithinTheMemoryBound) {
  ScratchDatabase db;
  TestMailbox box("bomb");
  const Bomb& b = GetParam();
  box.deliver(bomb(b.head, b.unit, b.tail));
  TempFile config(configJson(db, box));
  const ProcessResult run = runService({"--config", config.path(), "--once"}, {}, 600);
  std::cout << "[ figures  ] " << b.name << ": peak RSS " << run.max_rss_kb / 1024
            << " MB for an 8 MiB bomb\n";
  EXPECT_EQ(run.exit_code, 0) << run.output;
  if (kMemoryBoundsApply) {
    EXPECT_LT(run.max_rss_kb, kMaxRssKb) << "peak RSS " << run.max_rss_kb << " kB";
  }
  EXPECT_EQ(db.scalar("SELECT count(*) FROM messages"), "0");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM quarantine WHERE error LIKE '%" + std::string(b.error) +
                      "%'"),
            "1")
      << db.scalar("SELECT string_agg(error, ' | ') FROM quarantine");
}

INSTANTIATE_TEST_SUITE_P(
    EverySpelling, MimePartsBomb,
    testing::Values(
        partsBomb("UpperCase", "Content-Type: multipart/mixed; BOUNDARY=SS"),
        partsBomb("SpacesAroundEquals", "Content-Type: multipart/mixed; boundary = \"SS\""),
        partsBomb("Rfc2231Continuation",
                  "Content-Type: multipart/mixed; boundary*0=S; boundary*1=S"),
        partsBomb("Rfc2231Charset", "Content-Type: multipart/mixed; boundary*=utf-8''SS"),
        partsBomb("Folded", "Content-Type: multipart/mixed;\r\n\tBoundary\r\n =SS"),
        partsBomb("Nested", "Content-Type: multipart/mixed; boundary=outer",
                  "--outer\r\nContent-Type: multipart/mixed; BOUNDARY=SS\r\n\r\n"),
        // The same memory, other ways: header fields of a part, parameters of a Content-Type.
        Bomb{"PartHeaderFields", kOnePart, "a:b\r\n", "\r\nbody\r\n--b--\r\n", "header fields"},
        Bomb{"ContentTypeParameters", std::string(kOnePart) + "Content-Type: text/plain", ";a=1",
             "\r\n\r\nbody\r\n--b--\r\n", "Content-Type and Content-Disposition"}),
    [](const testing::TestParamInfo<Bomb>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace hd::test
