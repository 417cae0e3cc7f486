#include "tests/support/latency_proxy.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <deque>
#include <string>

#include "tests/support/loopback_tcp.hpp"

namespace hd::test {
namespace {

using Clock = std::chrono::steady_clock;

// Waits are short so that the destructor's stop is noticed quickly.
constexpr auto kLongestWait = std::chrono::milliseconds(50);

struct Held {
  Clock::time_point due;
  std::string bytes;
};

}  // namespace

LatencyProxy::LatencyProxy(int target_port, std::chrono::microseconds one_way)
    : target_port_(target_port),
      one_way_(one_way),
      acceptor_([this](int client, int) { serve(client); }) {}

LatencyProxy::~LatencyProxy() {
  acceptor_.stop();
  for (const int fd : sockets_) ::close(fd);
}

void LatencyProxy::serve(int client) {
  const int server = connectToLoopback(target_port_);
  std::lock_guard<std::mutex> lock(mutex_);
  sockets_.push_back(client);
  if (server < 0) {
    ::shutdown(client, SHUT_RDWR);
    return;
  }
  sockets_.push_back(server);
  // As the client and server would on their own connection: no Nagle delay on small writes.
  const int on = 1;
  ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
  ::setsockopt(server, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
  acceptor_.run([this, client, server] { relay(client, server); });
  acceptor_.run([this, client, server] { relay(server, client); });
}

// Reads `from` as bytes come, sends each chunk to `to` once it has been held for one_way_.
void LatencyProxy::relay(int from, int to) {
  std::deque<Held> held;
  bool open = true;
  char buffer[64 * 1024];
  while (!acceptor_.stopping() && (open || !held.empty())) {
    auto wait = std::chrono::duration_cast<std::chrono::nanoseconds>(kLongestWait);
    if (!held.empty()) {
      wait = std::max(std::chrono::nanoseconds(0), std::min(wait, held.front().due - Clock::now()));
    }
    // ppoll: poll()'s milliseconds are too coarse for a fraction of a millisecond.
    const timespec timeout{static_cast<time_t>(wait.count() / 1000000000),
                           static_cast<long>(wait.count() % 1000000000)};
    pollfd p{open ? from : -1, POLLIN, 0};  // once closed, only the held bytes are waited for
    if (::ppoll(&p, 1, &timeout, nullptr) > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR))) {
      const ssize_t n = ::recv(from, buffer, sizeof(buffer), 0);
      if (n > 0) {
        held.push_back({Clock::now() + one_way_, std::string(buffer, static_cast<std::size_t>(n))});
      } else {
        open = false;
      }
    }
    while (!held.empty() && held.front().due <= Clock::now()) {
      if (!sendAll(to, held.front().bytes.data(), held.front().bytes.size())) return;
      held.pop_front();
    }
  }
  ::shutdown(to, SHUT_WR);
}

}  // namespace hd::test
