// The HTTP edge of the running service against hostile clients on loopback, with raw sockets:
// slow, idle and long-polling connections do not stop /healthz; a body the server does not use is
// never read as a next request; made-up methods do not grow /metrics; malformed targets and
// versions get JSON 400/505 with proper status lines.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <future>

#include "tests/integration/api_test_support.hpp"

namespace hd::test {
namespace {

int connectTo(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

struct RawAnswer {
  std::string bytes;
  bool reset = false;  // the connection ended with a reset instead of a clean close
};

// Sends `request` in one write and reads until the server closes (at most `seconds`).
RawAnswer rawExchange(int port, const std::string& request, int seconds = 10) {
  RawAnswer answer;
  const int fd = connectTo(port);
  if (fd < 0) {
    answer.reset = true;
    return answer;
  }
  timeval timeout{seconds, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n > 0) {
      answer.bytes.append(buffer, static_cast<std::size_t>(n));
      continue;
    }
    answer.reset = n < 0;
    break;
  }
  ::close(fd);
  return answer;
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

class HttpEdge : public ::testing::Test {
 protected:
  void start(const std::string& http_extra = "") {
    config_ = std::make_unique<TempFile>(apiConfigJson(
        db_.url(), box_.user(),
        R"("api_token": ")" + kApiToken + "\"" + (http_extra.empty() ? "" : ", " + http_extra)));
    service_ =
        std::make_unique<ServiceProcess>(std::vector<std::string>{"--config", config_->path()});
    port_ = waitForPort(*service_);
    ASSERT_NE(port_, 0);
    for (int i = 0; i < 300 && httpGet(port_, "/readyz", "").status != 200; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }

  void TearDown() override {
    if (!service_) return;
    service_->signal(SIGTERM);
    EXPECT_EQ(service_->wait(40).exit_code, 0);
  }

  ScratchDatabase db_;
  TestMailbox box_{"edge"};
  std::unique_ptr<TempFile> config_;
  std::unique_ptr<ServiceProcess> service_;
  int port_ = 0;
};

// 64 connections from one address (32 idle, 32 sending one header byte every 2 s, each
// reconnecting when the server closes it) plus long polls, held for 20 s, while /healthz is
// probed every second: every probe answers 200 within 3 s.
TEST_F(HttpEdge, SlowIdleAndLongPollingClientsDoNotStopHealth) {
  start();
  std::atomic<bool> attacking{true};
  std::atomic<int> reconnects{0};
  std::thread attacker([&] {
    std::vector<int> idle(32, -1), slow(32, -1);
    const std::string trickle = "GET /api/v1/tickets HTTP/1.1\r\nX-Slow: " + std::string(4000, 'a');
    std::vector<std::size_t> sent(32, 0);
    auto ensure = [&](int& fd) {
      if (fd >= 0) {
        pollfd p{fd, POLLIN | POLLRDHUP, 0};
        if (::poll(&p, 1, 0) == 1 && (p.revents & (POLLIN | POLLRDHUP | POLLHUP | POLLERR))) {
          ::close(fd);  // the server answered (408) or closed: come back at once
          fd = -1;
          ++reconnects;
        }
      }
      if (fd < 0) fd = connectTo(port_);
    };
    auto next_byte = std::chrono::steady_clock::now();
    while (attacking) {
      for (auto& fd : idle) ensure(fd);
      for (std::size_t i = 0; i < slow.size(); ++i) {
        if (slow[i] < 0) sent[i] = 0;
        ensure(slow[i]);
      }
      if (std::chrono::steady_clock::now() >= next_byte) {
        for (std::size_t i = 0; i < slow.size(); ++i) {
          if (slow[i] < 0) continue;
          ::send(slow[i], trickle.data() + sent[i] % trickle.size(), 1, MSG_NOSIGNAL);
          ++sent[i];
        }
        next_byte += std::chrono::seconds(2);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    for (int fd : idle) ::close(fd);
    for (int fd : slow) ::close(fd);
  });
  // Long polls: more than the API may hold waiting at once (max_long_polls, default 8).
  std::vector<std::future<int>> polls;
  for (int i = 0; i < 12; ++i) {
    polls.push_back(std::async(std::launch::async, [&] {
      return httpGet(port_, "/api/v1/events?after=0&limit=1000&wait=20").status;
    }));
  }

  int probes = 0;
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < end) {
    const auto started = std::chrono::steady_clock::now();
    int status = 0;
    try {
      status = httpCall(port_, "GET", "/healthz", "", {}, "", 3).status;
    } catch (const std::exception& e) {
      ADD_FAILURE() << "probe " << probes << ": " << e.what();
    }
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(status, 200) << "probe " << probes;
    EXPECT_LT(took, std::chrono::seconds(3)) << "probe " << probes;
    ++probes;
    std::this_thread::sleep_until(started + std::chrono::seconds(1));
  }
  // Readiness and metrics answer too, in the middle of it all.
  EXPECT_EQ(httpCall(port_, "GET", "/readyz", "", {}, "", 3).status, 200);
  EXPECT_EQ(httpCall(port_, "GET", "/metrics", "", {}, "", 3).status, 200);
  attacking = false;
  attacker.join();
  for (auto& poll : polls) EXPECT_EQ(poll.get(), 200);
  EXPECT_GE(probes, 19);
  // The slow clients were cut off by the request deadline (10 s) and came back.
  EXPECT_GT(reconnects.load(), 0);
}

TEST_F(HttpEdge, AnUnreadBodyIsNeverReadAsTheNextRequest) {
  start();
  const std::string smuggled =
      "GET /api/v1/tickets HTTP/1.1\r\nAuthorization: Bearer " + kApiToken + "\r\n\r\n";
  const std::string cl = std::to_string(smuggled.size());
  const std::vector<std::string> attacks = {
      // GET with a body.
      "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: " + cl + "\r\n\r\n" + smuggled,
      // POST whose body (<= 64 KiB) the endpoint does not read.
      "POST /api/v1/quarantine/999/retry HTTP/1.1\r\nAuthorization: Bearer " + kApiToken +
          "\r\nContent-Length: " + std::to_string(smuggled.size() + 40000) + "\r\n\r\n" + smuggled +
          std::string(40000, 'x'),
      // An unknown Transfer-Encoding next to a Content-Length.
      "POST /api/v1/quarantine/999/retry HTTP/1.1\r\nTransfer-Encoding: gzip\r\nContent-Length: " +
          cl + "\r\n\r\n" + smuggled,
      "POST /api/v1/quarantine/999/retry HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" +
          smuggled,
      // A request pipelined behind a complete one.
      "GET /healthz HTTP/1.1\r\n\r\n" + smuggled,
  };
  for (const auto& attack : attacks) {
    const auto answer = rawExchange(port_, attack);
    EXPECT_EQ(count(answer.bytes, "HTTP/1.1 "), 1u) << attack.substr(0, 80) << "\n" << answer.bytes;
    EXPECT_EQ(answer.bytes.find("\"tickets\""), std::string::npos) << answer.bytes;
    EXPECT_FALSE(answer.reset) << attack.substr(0, 80);
  }
  // The refusals are JSON and say why.
  const auto te = rawExchange(port_, attacks[2]);
  EXPECT_EQ(te.bytes.rfind("HTTP/1.1 501 Not Implemented\r\n", 0), 0u) << te.bytes;
  EXPECT_NE(te.bytes.find("Content-Type: application/json"), std::string::npos) << te.bytes;
}

TEST_F(HttpEdge, MadeUpMethodsDoNotGrowTheMetrics) {
  start();
  for (int i = 0; i < 300; ++i) {
    rawExchange(port_, "XM" + std::to_string(i) + " /healthz HTTP/1.1\r\n\r\n");
  }
  const std::string metrics = httpGet(port_, "/metrics", "").body;
  EXPECT_LE(count(metrics, "\nhelpdesk_ingest_http_requests_total{"), 60u) << metrics;
  EXPECT_NE(metrics.find("method=\"other\""), std::string::npos) << metrics;
}

TEST_F(HttpEdge, MalformedTargetsAndVersionsAreJsonErrorsWithProperStatusLines) {
  start();
  for (const char* target : {"/%ZZ", "/api/v1/tickets?limit=%ZZ", "/api/v1/tickets?%ZZ=1"}) {
    const auto answer = httpCall(port_, "GET", target);
    EXPECT_EQ(answer.status, 400) << target << ": " << answer.body;
    EXPECT_TRUE(answer.json().contains("error")) << answer.body;
  }
  auto unauthorized = rawExchange(port_, "GET /api/v1/tickets HTTP/1.1\r\n\r\n");
  EXPECT_EQ(unauthorized.bytes.rfind("HTTP/1.1 401 Unauthorized\r\n", 0), 0u) << unauthorized.bytes;
  auto version = rawExchange(port_, "GET /healthz HTTP/9.9\r\n\r\n");
  EXPECT_EQ(version.bytes.rfind("HTTP/1.1 505 ", 0), 0u) << version.bytes;
  EXPECT_EQ(version.bytes.find("HTTP/9.9"), std::string::npos) << version.bytes;
  const std::vector<std::string> malformed = {
      "GET /healthz HTTP/1.1\r\nno colon\r\n\r\n", "GET /healthz\r\n\r\n",
      "GET /healthz HTTP/1.1\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n"};
  for (const auto& bad : malformed) {
    const auto answer = rawExchange(port_, bad);
    EXPECT_EQ(answer.bytes.rfind("HTTP/1.1 4", 0), 0u) << answer.bytes;
    EXPECT_NE(answer.bytes.find("Content-Type: application/json"), std::string::npos)
        << answer.bytes;
    EXPECT_NE(answer.bytes.find("{\n  \"error\""), std::string::npos) << answer.bytes;
  }
  // A malformed request is a client's problem: no Error line in the log.
  EXPECT_EQ(service_->output().find(" error hd.http"), std::string::npos) << service_->output();
  EXPECT_EQ(service_->output().find("Error hd.http"), std::string::npos) << service_->output();
}

TEST_F(HttpEdge, LongPollsBeyondTheCapAnswerAtOnce) {
  start(R"("threads": 4, "max_long_polls": 2)");
  std::vector<std::future<int>> waiting;
  for (int i = 0; i < 2; ++i) {
    waiting.push_back(std::async(std::launch::async, [&] {
      return httpGet(port_, "/api/v1/events?after=0&limit=1000&wait=15").status;
    }));
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));  // both are waiting now
  const std::string after = httpGet(port_, "/api/v1/events?after=0&limit=1000").json()["next"];
  const auto started = std::chrono::steady_clock::now();
  const auto third = httpGet(port_, "/api/v1/events?after=" + after + "&wait=15");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  EXPECT_EQ(third.status, 200) << third.body;
  EXPECT_TRUE(third.json()["events"].empty()) << third.body;
  EXPECT_EQ(third.json()["next"], after) << third.body;
  EXPECT_EQ(httpGet(port_, "/healthz", "").status, 200);
  for (auto& poll : waiting) EXPECT_EQ(poll.get(), 200);
}

}  // namespace
}  // namespace hd::test
