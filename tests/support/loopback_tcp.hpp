#pragma once
// Plain TCP on 127.0.0.1 for the test proxies (tests/support/fault_proxy.hpp and the COMMIT
// cutting proxy of fault_commit_connection_lost_itest): listen on a free port, connect to a
// port, send all bytes. File descriptors are the caller's to close.

#include <cstddef>

namespace hd::test {

// A listening socket on 127.0.0.1 and a port the kernel picked (written to `port`). Throws
// std::runtime_error when it cannot listen.
int listenOnLoopback(int& port);

// A socket connected to 127.0.0.1:port, or -1 when nothing accepts there.
int connectToLoopback(int port);

// Sends all `size` bytes (never SIGPIPE); false when the peer is gone.
bool sendAll(int fd, const char* data, std::size_t size);

}  // namespace hd::test
