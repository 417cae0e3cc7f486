#pragma once
// The front of the HTTP endpoint: one thread that accepts connections and holds each of them in a
// poll() set, WITHOUT a worker thread, until its complete request (head and Content-Length body)
// is in the socket's receive buffer. Only then is the connection handed to a worker pool, so a
// slow, idle or half-sent request never occupies a thread that /healthz needs.
//
// The gate looks with MSG_PEEK and never consumes request bytes it hands on. Per connection:
// - a deadline for the complete request (Options::request_timeout): 408 and close;
// - a size cap (HeadLimits): 431 / 413 and close; malformed heads: 400 / 501 / 505 (see
//   request_head.hpp). These answers are JSON and end with a lingering close (shut down our side,
//   read and discard until the client closes, at most 2 s), so the client reads the answer
//   instead of a connection reset;
// - at most Options::max_pending connections wait; a new one evicts the one waiting longest.
// A socket that waits for more bytes is only polled again once more bytes than before are there
// (SO_RCVLOWAT) and at most every 20 ms, so a client trickling bytes costs no busy loop.
// Thread-safe start/stop; the handoff runs on the gate thread.

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

#include "service/http/request_head.hpp"

namespace hd::service::http {

class RequestGate {
 public:
  struct Options {
    HeadLimits head;
    std::chrono::milliseconds request_timeout{10000};
    std::size_t max_pending = 256;
  };
  // Takes a connection whose complete request has arrived (blocking mode again); `probe` says it
  // is a health/readiness/metrics/status request. Returns false when it cannot take it now (the
  // gate answers 503).
  using Handoff = std::function<bool(const Poco::Net::StreamSocket& socket, bool probe)>;

  RequestGate(Poco::Net::ServerSocket listener, Options options, Handoff handoff);
  ~RequestGate();
  RequestGate(const RequestGate&) = delete;
  RequestGate& operator=(const RequestGate&) = delete;

  void start();
  void stop();  // stops accepting, closes every waiting connection, joins the thread

 private:
  void run();

  Poco::Net::ServerSocket listener_;
  Options options_;
  Handoff handoff_;
  int wake_[2] = {-1, -1};
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace hd::service::http
