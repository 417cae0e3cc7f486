#include "service/http/request_gate.hpp"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/StreamSocketImpl.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

namespace hd::service::http {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kRepeekInterval = std::chrono::milliseconds(20);
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr std::size_t kMaxLingerBytes = 1024 * 1024;
constexpr int kMaxAcceptsPerRound = 64;

struct Connection {
  Poco::Net::StreamSocket socket;
  int fd;
  Clock::time_point accepted;
  Clock::time_point deadline;   // waiting: the request timeout; closing: the linger end
  Clock::time_point next_peek;  // waiting: not polled for input before this
  bool closing = false;         // answered by the gate; draining until the client closes
  std::size_t discarded = 0;    // closing: bytes read and thrown away
};

std::string errorResponse(int status, const std::string& message) {
  const auto code = static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status);
  const std::string body = nlohmann::json({{"error", message}})
                               .dump(2, ' ', false, nlohmann::json::error_handler_t::replace) +
                           "\n";
  return "HTTP/1.1 " + std::to_string(status) + " " +
         Poco::Net::HTTPResponse::getReasonForStatus(code) +
         "\r\nContent-Type: application/json\r\nCache-Control: no-store\r\nConnection: "
         "close\r\n" +
         (status == 503 ? "Retry-After: 1\r\n" : "") +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

void setReceiveLowWater(int fd, std::size_t bytes) {
  const int value = static_cast<int>(std::max<std::size_t>(bytes, 1));
  ::setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &value, sizeof value);
}

// The poll loop's state; lives on the gate thread only.
class GateLoop {
 public:
  GateLoop(Poco::Net::ServerSocket& listener, const RequestGate::Options& options,
           const RequestGate::Handoff& handoff)
      : listener_(listener),
        options_(options),
        handoff_(handoff),
        peek_buffer_(options.head.max_head_bytes + options.head.max_body_bytes + 1) {}

  // One round: waits for events (at most until the next deadline) and handles them. Returns
  // false when the wake descriptor fired.
  bool round(int wake_fd) {
    const auto now = Clock::now();
    std::vector<pollfd> fds{{wake_fd, POLLIN, 0}, {listener_.impl()->sockfd(), POLLIN, 0}};
    auto next_event = now + std::chrono::seconds(1);
    for (const auto& c : connections_) {
      const bool peekable = c->closing || c->next_peek <= now;
      fds.push_back({c->fd, static_cast<short>(peekable ? (POLLIN | POLLRDHUP) : 0), 0});
      next_event = std::min(next_event, c->deadline);
      if (!peekable) next_event = std::min(next_event, c->next_peek);
    }
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_event - now);
    const int ready =
        ::poll(fds.data(), fds.size(), static_cast<int>(std::max<long>(wait.count(), 0) + 1));
    if (ready < 0 && errno != EINTR) return true;
    if (fds[0].revents) return false;
    // Connections first (fds[i + 2] is connections_[i]), then new ones.
    std::vector<Connection*> done;
    for (std::size_t i = 0; i < connections_.size(); ++i) {
      if (fds[i + 2].revents && !serve(*connections_[i], fds[i + 2].revents))
        done.push_back(connections_[i].get());
    }
    expire(done);
    forget(done);
    if (fds[1].revents & POLLIN) acceptNew();
    return true;
  }

  void closeAll() { connections_.clear(); }

 private:
  // Returns false when the connection leaves the gate (handed on or closed).
  bool serve(Connection& c, short revents) {
    if (c.closing) return drain(c);
    const ssize_t n =
        ::recv(c.fd, peek_buffer_.data(), peek_buffer_.size(), MSG_PEEK | MSG_DONTWAIT);
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
    if (n == 0) return false;  // closed before sending a request
    const auto verdict = inspectRequestHead(
        std::string_view(peek_buffer_.data(), static_cast<std::size_t>(n)), options_.head);
    switch (verdict.kind) {
      case HeadVerdict::Kind::kComplete:
        setReceiveLowWater(c.fd, 1);
        c.socket.setBlocking(true);
        if (!handoff_(c.socket, verdict.probe)) {
          c.socket.setBlocking(false);
          answer(c, 503, "the server is busy; try again");
          return true;
        }
        return false;
      case HeadVerdict::Kind::kRefused:
        answer(c, verdict.status, verdict.error);
        return true;
      case HeadVerdict::Kind::kIncomplete:
        break;
    }
    if (revents & (POLLRDHUP | POLLHUP | POLLERR)) return false;  // will never complete
    setReceiveLowWater(c.fd, verdict.request_bytes);
    c.next_peek = Clock::now() + kRepeekInterval;
    return true;
  }

  // Answers with a JSON error, then shuts our side and reads until the client closes: closing with
  // unread bytes would send a reset that can destroy the answer in the client's buffer.
  void answer(Connection& c, int status, const std::string& message) {
    const std::string response = errorResponse(status, message);
    [[maybe_unused]] const ssize_t sent =
        ::send(c.fd, response.data(), response.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    ::shutdown(c.fd, SHUT_WR);
    setReceiveLowWater(c.fd, 1);
    c.closing = true;
    c.deadline = Clock::now() + kLingerTime;
  }

  bool drain(Connection& c) {
    for (;;) {
      const ssize_t n = ::recv(c.fd, peek_buffer_.data(), peek_buffer_.size(), MSG_DONTWAIT);
      if (n == 0) return false;
      if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
      c.discarded += static_cast<std::size_t>(n);
      if (c.discarded > kMaxLingerBytes) return false;
    }
  }

  void expire(std::vector<Connection*>& done) {
    const auto now = Clock::now();
    for (auto& c : connections_) {
      if (c->deadline > now || std::find(done.begin(), done.end(), c.get()) != done.end()) continue;
      if (c->closing) {
        done.push_back(c.get());
      } else {
        answer(*c, 408, "the request did not arrive in time");
      }
    }
  }

  void forget(const std::vector<Connection*>& done) {
    connections_.erase(std::remove_if(connections_.begin(), connections_.end(),
                                      [&](const auto& c) {
                                        return std::find(done.begin(), done.end(), c.get()) !=
                                               done.end();
                                      }),
                       connections_.end());
  }

  void acceptNew() {
    for (int i = 0; i < kMaxAcceptsPerRound; ++i) {
      const int fd =
          ::accept4(listener_.impl()->sockfd(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED)
          Poco::Logger::get("hd.http").warning("accept failed: errno %d", errno);
        return;
      }
      if (connections_.size() >= options_.max_pending) evictOldest();
      const auto now = Clock::now();
      auto c = std::make_unique<Connection>(
          Connection{Poco::Net::StreamSocket(new Poco::Net::StreamSocketImpl(fd)), fd, now,
                     now + options_.request_timeout, now});
      connections_.push_back(std::move(c));
    }
  }

  // The connection that has waited longest goes: a client that completes its request promptly
  // (a health probe) is never the one evicted.
  void evictOldest() {
    auto oldest =
        std::min_element(connections_.begin(), connections_.end(),
                         [](const auto& a, const auto& b) { return a->accepted < b->accepted; });
    if (oldest != connections_.end()) connections_.erase(oldest);
  }

  Poco::Net::ServerSocket& listener_;
  const RequestGate::Options& options_;
  const RequestGate::Handoff& handoff_;
  std::vector<char> peek_buffer_;
  std::vector<std::unique_ptr<Connection>> connections_;
};

}  // namespace

RequestGate::RequestGate(Poco::Net::ServerSocket listener, Options options, Handoff handoff)
    : listener_(std::move(listener)), options_(options), handoff_(std::move(handoff)) {
  if (::pipe2(wake_, O_NONBLOCK | O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  listener_.setBlocking(false);
}

RequestGate::~RequestGate() {
  stop();
  ::close(wake_[0]);
  ::close(wake_[1]);
}

void RequestGate::start() {
  thread_ = std::thread([this] { run(); });
}

void RequestGate::stop() {
  stopping_ = true;
  [[maybe_unused]] const ssize_t n = ::write(wake_[1], "x", 1);
  if (thread_.joinable()) thread_.join();
}

void RequestGate::run() {
  GateLoop loop(listener_, options_, handoff_);
  while (!stopping_) {
    try {
      if (!loop.round(wake_[0])) break;
    } catch (const std::exception& e) {
      Poco::Logger::get("hd.http").error("request gate: %s", std::string(e.what()));
    }
  }
  loop.closeAll();
  listener_.close();
}

}  // namespace hd::service::http
