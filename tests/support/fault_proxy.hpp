#pragma once
// A loopback TCP proxy for fault tests: it listens on 127.0.0.1 (a free port), forwards every
// connection to 127.0.0.1:<target_port> byte for byte (TLS passes through untouched), and breaks
// a connection on purpose once a byte count is reached in one direction:
//  - kStall: stops forwarding in both directions WITHOUT closing (a server that went silent);
//  - kCut:   closes both sides (a connection lost mid-literal, mid-command, mid-handshake).
// Only the `connection`-th connection accepted (1-based) is broken; the others stay healthy.
// Counting by bytes makes the fault land at the same point of a dialogue whatever the timing.
//
// Threads: one accepting, one per connection; all joined by the destructor (stalled connections
// included: each closes its sockets when it ends). Thread-safe accessors.

#include <atomic>
#include <cstdint>

#include "tests/support/loopback_acceptor.hpp"

namespace hd::test {

class FaultProxy {
 public:
  enum class Fault { kNone, kStall, kCut };
  enum class Direction { kServerToClient, kClientToServer };

  struct Plan {
    Fault fault = Fault::kNone;
    Direction direction = Direction::kServerToClient;
    std::uint64_t after_bytes = 0;  // the fault strikes once this many bytes went that way
    int connection = 1;             // which accepted connection (1-based)
  };

  FaultProxy(int target_port, Plan plan);
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  int port() const { return acceptor_.port(); }
  // Whether the fault struck.
  bool struck() const { return struck_.load(); }
  int connections() const { return acceptor_.accepted(); }

 private:
  void forward(int client, int number);

  int target_port_;
  Plan plan_;
  std::atomic<bool> struck_{false};
  LoopbackAcceptor acceptor_;  // last: its threads use the members above
};

}  // namespace hd::test
