// The connection to PostgreSQL is lost during COMMIT itself: the server has the COMMIT and
// carries it out, the service never hears the answer (libpqxx: in_doubt_error). The service must
// treat the outcome as unknown: acknowledge nothing, fail the pass, and let the next pass find the
// committed messages already stored (acknowledging them then) and store the rest, each once.
// A loopback proxy between the service and PostgreSQL forwards the first COMMIT that follows an
// insert into `messages` and then cuts the service's side of that connection at once.

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/loopback_tcp.hpp"
#include "tests/support/sample_mail.hpp"
#include "tests/support/service_process.hpp"
#include "tests/support/test_env.hpp"

namespace hd::test {
namespace {

constexpr int kMessages = 10;
constexpr int kBatch = 5;

// Forwards 127.0.0.1:port() to PostgreSQL; cuts the client side right after forwarding the first
// "COMMIT" of a session that inserted into `messages` (the message stream is plain: the test
// PostgreSQL has no TLS, so libpq's sslmode=prefer falls back to plain text).
class CommitCuttingProxy {
 public:
  explicit CommitCuttingProxy(int upstream_port) : upstream_port_(upstream_port) {
    listener_ = listenOnLoopback(port_);
    acceptor_ = std::thread([this] { acceptLoop(); });
  }
  ~CommitCuttingProxy() {
    stopping_ = true;
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    acceptor_.join();
    for (auto& session : sessions_) session.join();
  }
  int port() const { return port_; }
  bool cut() const { return cut_; }

 private:
  void acceptLoop() {
    while (!stopping_) {
      pollfd ready{listener_, POLLIN, 0};
      if (::poll(&ready, 1, 100) <= 0) continue;
      const int client = ::accept(listener_, nullptr, nullptr);
      if (client < 0) continue;
      const int server = connectToLoopback(upstream_port_);
      if (server < 0) {
        ::close(client);
        continue;
      }
      sessions_.emplace_back([this, client, server] { pump(client, server); });
    }
  }

  // Both directions in one thread; `seen` holds the client's recent bytes for the patterns.
  void pump(int client, int server) {
    std::string seen;
    bool inserted = false;
    char buffer[65536];
    while (!stopping_) {
      pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
      if (::poll(fds, 2, 100) <= 0) continue;
      if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
        const ssize_t n = ::read(client, buffer, sizeof buffer);
        if (n <= 0) break;
        seen.append(buffer, static_cast<std::size_t>(n));
        if (seen.find("INTO messages") != std::string::npos) inserted = true;
        const bool commit = inserted && seen.find("COMMIT") != std::string::npos;
        if (!sendAll(server, buffer, static_cast<std::size_t>(n))) break;
        if (commit && !cut_.exchange(true)) {
          // The server has the COMMIT; the service will never read its answer.
          ::shutdown(client, SHUT_RDWR);
          ::close(client);
          std::this_thread::sleep_for(std::chrono::milliseconds(500));
          ::close(server);
          return;
        }
        if (seen.size() > 4096) seen.erase(0, seen.size() - 64);
      }
      if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
        const ssize_t n = ::read(server, buffer, sizeof buffer);
        if (n <= 0 || !sendAll(client, buffer, static_cast<std::size_t>(n))) break;
      }
    }
    ::close(client);
    ::close(server);
  }

  int upstream_port_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> cut_{false};
  std::thread acceptor_;
  std::vector<std::thread> sessions_;
};

int portOf(const std::string& url) {
  std::smatch match;
  if (!std::regex_search(url, match, std::regex(R"(:(\d+)/)"))) return 0;
  return std::stoi(match[1].str());
}

std::string config(const std::string& database_url, const TestMailbox& box) {
  const auto& env = TestEnv::get();
  return R"({"database": {"url": ")" + database_url +
         R"("}, "log": {"level": "information"}, "limits": {"fetch_batch_messages": )" +
         std::to_string(kBatch) + R"(}, "mailboxes": [{"name": "support", "host": ")" +
         env.mail_host + R"(", "port": )" + std::to_string(env.imaps_port) +
         R"(, "tls": "implicit", "ca_file": ")" + env.ca_file + R"(", "username": ")" + box.user() +
         R"(", "password": ")" + env.mail_password + R"(", "after_ingest": "seen"}]})";
}

TEST(FaultCommitConnectionLost, InDoubtCommitIsNotAcknowledgedAndTheNextPassStoresEachOnce) {
  ScratchDatabase db;
  TestMailbox box("commitcut");
  for (int i = 0; i < kMessages; ++i) box.deliver(makeSampleMessage(i));

  TempFile direct(config(db.url(), box));
  {
    CommitCuttingProxy proxy(portOf(db.url()));
    const std::string proxied_url = std::regex_replace(db.url(), std::regex(R"(:\d+/)"),
                                                       ":" + std::to_string(proxy.port()) + "/");
    TempFile through_proxy(config(proxied_url, box));
    const ProcessResult cut = runService({"--config", through_proxy.path(), "--once"}, {}, 120);
    ASSERT_TRUE(proxy.cut()) << "the proxy never saw the batch's COMMIT:\n" << cut.output;
    EXPECT_NE(cut.exit_code, 0) << "an unknown commit outcome is not a successful pass\n"
                                << cut.output;
  }
  // The server carried out the COMMIT of the first batch...
  EXPECT_EQ(db.scalar("SELECT count(*) FROM messages"), std::to_string(kBatch));
  // ...but the service did not know, so it acknowledged nothing.
  EXPECT_EQ(box.countFlagged('S'), 0u);

  const ProcessResult next = runService({"--config", direct.path(), "--once"}, {}, 120);
  ASSERT_EQ(next.exit_code, 0) << next.output;
  EXPECT_EQ(db.scalar("SELECT count(*) FROM messages"), std::to_string(kMessages));
  EXPECT_EQ(db.scalar("SELECT count(DISTINCT internet_message_id) FROM messages"),
            std::to_string(kMessages));
  EXPECT_EQ(box.countFlagged('S'), static_cast<std::size_t>(kMessages));
  EXPECT_EQ(db.scalar("SELECT count(*) FROM quarantine"), "0");
}

}  // namespace
}  // namespace hd::test
