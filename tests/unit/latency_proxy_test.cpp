// The bench's latency proxy (tests/support/latency_proxy.hpp): bytes arrive whole and in order,
// each direction later by at least the delay, and a close is passed on.

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "tests/support/latency_proxy.hpp"
#include "tests/support/loopback_tcp.hpp"

namespace hd::test {
namespace {

using Clock = std::chrono::steady_clock;

// Reads exactly `size` bytes, or fewer at the end of the stream.
std::string readExactly(int fd, std::size_t size) {
  std::string out;
  char buffer[16 * 1024];
  while (out.size() < size) {
    const ssize_t n = ::recv(fd, buffer, std::min(sizeof(buffer), size - out.size()), 0);
    if (n <= 0) break;
    out.append(buffer, static_cast<std::size_t>(n));
  }
  return out;
}

// Accepts one connection and sends back what it reads, until the peer closes.
class EchoServer {
 public:
  EchoServer() : listen_fd_(listenOnLoopback(port_)) {
    thread_ = std::thread([this] {
      const int fd = ::accept(listen_fd_, nullptr, nullptr);
      char buffer[16 * 1024];
      for (ssize_t n; (n = ::recv(fd, buffer, sizeof(buffer), 0)) > 0;) {
        if (!sendAll(fd, buffer, static_cast<std::size_t>(n))) break;
      }
      ::close(fd);
    });
  }
  ~EchoServer() {
    thread_.join();
    ::close(listen_fd_);
  }
  int port() const { return port_; }

 private:
  int port_ = 0;
  int listen_fd_;
  std::thread thread_;
};

TEST(LatencyProxy, BytesComeBackWholeInOrderAndLaterByTheDelayEachWay) {
  EchoServer echo;
  const auto one_way = std::chrono::milliseconds(20);
  LatencyProxy proxy(echo.port(), one_way);
  const int client = connectToLoopback(proxy.port());
  ASSERT_GE(client, 0);

  const auto start = Clock::now();
  ASSERT_TRUE(sendAll(client, "ping", 4));
  EXPECT_EQ(readExactly(client, 4), "ping");
  EXPECT_GE(Clock::now() - start, 2 * one_way);

  std::string bytes(1 << 20, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>((i * 7919) >> 3);
  std::thread writer([&] { sendAll(client, bytes.data(), bytes.size()); });
  EXPECT_EQ(readExactly(client, bytes.size()), bytes);
  writer.join();

  ::shutdown(client, SHUT_WR);  // the echo server sees the end, closes, and so do we
  EXPECT_EQ(readExactly(client, 1), "");
  ::close(client);
}

}  // namespace
}  // namespace hd::test
