#include "tests/support/fault_proxy.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

#include "tests/support/loopback_tcp.hpp"

namespace hd::test {
namespace {

// Polls are short so that the destructor's stop is noticed quickly.
constexpr int kPollMs = 50;

}  // namespace

FaultProxy::FaultProxy(int target_port, Plan plan)
    : target_port_(target_port), plan_(plan), acceptor_([this](int client, int number) {
        acceptor_.run([this, client, number] { forward(client, number); });
      }) {}

void FaultProxy::forward(int client, int number) {
  const int server = connectToLoopback(target_port_);
  if (server < 0) {
    ::close(client);
    return;
  }
  const bool faulty = plan_.fault != Fault::kNone && plan_.connection == number;
  // fds[0] = client (its bytes go to the server), fds[1] = server.
  pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
  std::uint64_t counted = 0;  // bytes in the planned direction
  bool stalled = false;
  char buffer[16 * 1024];
  while (!acceptor_.stopping()) {
    if (stalled) {
      // Silent, but open: neither side hears anything until the proxy is destroyed.
      std::this_thread::sleep_for(std::chrono::milliseconds(kPollMs));
      continue;
    }
    if (::poll(fds, 2, kPollMs) <= 0) continue;
    bool closed = false;
    for (int side = 0; side < 2 && !closed; ++side) {
      if ((fds[side].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      const Direction direction =
          side == 0 ? Direction::kClientToServer : Direction::kServerToClient;
      std::size_t want = sizeof(buffer);
      const bool planned = faulty && !struck_ && direction == plan_.direction;
      // Forward exactly up to the planned byte, so the fault lands at the same point every time.
      if (planned) want = std::min<std::uint64_t>(want, plan_.after_bytes - counted);
      ssize_t n = want == 0 ? 0 : ::recv(fds[side].fd, buffer, want, 0);
      if (want != 0 && n <= 0) {
        closed = true;
        break;
      }
      if (n > 0 && !sendAll(fds[1 - side].fd, buffer, static_cast<std::size_t>(n))) {
        closed = true;
        break;
      }
      if (planned) {
        counted += static_cast<std::uint64_t>(n > 0 ? n : 0);
        if (counted >= plan_.after_bytes) {
          struck_ = true;
          if (plan_.fault == Fault::kCut) {
            closed = true;
          } else {
            stalled = true;
          }
          break;
        }
      }
    }
    if (closed) break;
  }
  ::close(client);
  ::close(server);
}

}  // namespace hd::test
