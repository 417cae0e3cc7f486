#pragma once
// The listening half of the test proxies (fault_proxy, latency_proxy): a socket on 127.0.0.1 (a
// free port), and every accepted connection served by `serve(client_fd, number)` on threads the
// handler starts with run(). stop() (and the destructor) stops accepting, raises stopping() for
// the handlers to notice within their polls, and joins every thread. The client fd is the
// handler's to close.

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace hd::test {

class LoopbackAcceptor {
 public:
  // `number`: 1 for the first connection accepted, 2 for the next...
  using Serve = std::function<void(int client, int number)>;

  explicit LoopbackAcceptor(Serve serve);
  ~LoopbackAcceptor();
  LoopbackAcceptor(const LoopbackAcceptor&) = delete;
  LoopbackAcceptor& operator=(const LoopbackAcceptor&) = delete;

  int port() const { return port_; }
  int accepted() const { return accepted_.load(); }
  bool stopping() const { return stopping_.load(); }

  // Runs `work` on a thread of its own, joined by stop().
  void run(std::function<void()> work);
  // Idempotent.
  void stop();

 private:
  void acceptLoop();

  Serve serve_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepted_{0};
  std::mutex mutex_;
  std::vector<std::thread> workers_;  // guarded by mutex_
  std::thread acceptor_;
};

}  // namespace hd::test
