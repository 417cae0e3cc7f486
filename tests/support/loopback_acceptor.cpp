#include "tests/support/loopback_acceptor.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/support/loopback_tcp.hpp"

namespace hd::test {
namespace {

// Polls are short so that stop() is noticed quickly.
constexpr int kPollMs = 50;

}  // namespace

LoopbackAcceptor::LoopbackAcceptor(Serve serve) : serve_(std::move(serve)) {
  listen_fd_ = listenOnLoopback(port_);
  acceptor_ = std::thread([this] { acceptLoop(); });
}

LoopbackAcceptor::~LoopbackAcceptor() {
  stop();
  ::close(listen_fd_);
}

void LoopbackAcceptor::run(std::function<void()> work) {
  std::lock_guard<std::mutex> lock(mutex_);
  workers_.emplace_back(std::move(work));
}

void LoopbackAcceptor::stop() {
  stopping_ = true;
  if (acceptor_.joinable()) acceptor_.join();
  std::vector<std::thread> workers;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    workers.swap(workers_);
  }
  for (auto& worker : workers) worker.join();
}

void LoopbackAcceptor::acceptLoop() {
  while (!stopping_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, kPollMs) <= 0) continue;
    const int client = ::accept(listen_fd_, nullptr, nullptr);
    if (client < 0) continue;
    serve_(client, ++accepted_);
  }
}

}  // namespace hd::test
