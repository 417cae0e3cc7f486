// Throughput and memory of one --once pass over a seeded mailbox, against the servers of
// `deploy/local.sh up` (HD_TEST_* environment). Prints figures; asserts nothing about time.
//
//   ingest_bench [--protocol imap|pop3] [--messages N] [--attachment-bytes B]

#include <sys/resource.h>

#include <chrono>
#include <cstring>
#include <iostream>
#include <string>

#include "tests/support/sample_mail.hpp"
#include "tests/support/test_env.hpp"

using namespace hd::test;

int main(int argc, char** argv) {
  std::string protocol = "imap";
  int messages = 2000;
  std::size_t attachment_bytes = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--protocol")
      protocol = value;
    else if (flag == "--messages")
      messages = std::stoi(value);
    else if (flag == "--attachment-bytes")
      attachment_bytes = std::stoull(value);
    else {
      std::cerr << "unknown option " << flag << "\n";
      return 2;
    }
  }
  const TestEnv& env = TestEnv::get();
  ScratchDatabase db;
  TestMailbox box("bench");
  std::uint64_t bytes = 0;
  for (int i = 0; i < messages; ++i) {
    std::string raw = makeSampleMessage(i, attachment_bytes);
    bytes += raw.size();
    box.deliver(raw);
  }
  int port = protocol == "imap" ? env.imaps_port : env.pop3s_port;
  TempFile config(R"({"database": {"url": ")" + db.url() + R"("}, "log": {"level": "warning"},
    "mailboxes": [{"name": "bench", "protocol": ")" +
                  protocol + R"(", "host": ")" + env.mail_host + R"(", "port": )" +
                  std::to_string(port) + R"(, "ca_file": ")" + env.ca_file + R"(", "username": ")" +
                  box.user() + R"(", "password": ")" + env.mail_password +
                  R"(", "after_ingest": "keep"}]})");

  auto started = std::chrono::steady_clock::now();
  ProcessResult result = runService({"--config", config.path(), "--once"}, {}, 3600);
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  rusage usage{};
  getrusage(RUSAGE_CHILDREN, &usage);
  long long stored = std::stoll(db.scalar("SELECT count(*) FROM messages"));

  std::cout << "protocol            " << protocol << "\n"
            << "messages seeded     " << messages << " (" << bytes / (1024.0 * 1024.0) << " MiB)\n"
            << "messages stored     " << stored << "\n"
            << "exit code           " << result.exit_code << "\n"
            << "wall time           " << seconds << " s\n"
            << "throughput          " << messages / seconds << " messages/s, "
            << bytes / (1024.0 * 1024.0) / seconds << " MiB/s\n"
            << "service peak RSS    " << usage.ru_maxrss / 1024.0 << " MiB\n"
            << "service CPU         " << usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6
            << " s user, " << usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6 << " s system\n";
  return result.exit_code == 0 && stored == messages ? 0 : 1;
}
