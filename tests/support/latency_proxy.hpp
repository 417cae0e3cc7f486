#pragma once
// A loopback TCP proxy that holds every chunk of bytes for a fixed time in each direction before
// forwarding it, in order: a server on another host, for the bench (a round trip costs twice
// `one_way`, plus the proxy's own hop). It listens on 127.0.0.1 (a free port) and forwards every
// connection to 127.0.0.1:<target_port>. A side that closes is passed on once its bytes are out.
//
// Threads: one accepting, one per direction of each connection; all joined by the destructor.

#include <chrono>
#include <mutex>
#include <vector>

#include "tests/support/loopback_acceptor.hpp"

namespace hd::test {

class LatencyProxy {
 public:
  LatencyProxy(int target_port, std::chrono::microseconds one_way);
  ~LatencyProxy();
  LatencyProxy(const LatencyProxy&) = delete;
  LatencyProxy& operator=(const LatencyProxy&) = delete;

  int port() const { return acceptor_.port(); }

 private:
  void serve(int client);
  void relay(int from, int to);

  int target_port_;
  std::chrono::microseconds one_way_;
  std::mutex mutex_;
  std::vector<int> sockets_;   // guarded by mutex_; closed by the destructor
  LoopbackAcceptor acceptor_;  // last: its threads use the members above
};

}  // namespace hd::test
